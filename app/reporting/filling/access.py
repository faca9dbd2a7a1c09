"""Who may see and change a report, and finding (or starting) the report a page is about."""

from __future__ import annotations

from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.services import record
from app.db import db
from app.errors import Conflict, NotFound, PermissionDenied
from app.members.models import Organisation
from app.reporting import cycles
from app.reporting.filling.errors import NoSuchPage
from app.reporting.filling.statements import cycle_report_and_answers
from app.reporting.models import CycleStatus, Report, ReportingCycle, ReportState
from app.reporting.versions import ensure_can_view  # noqa: F401  (one rule, kept here too)
from app.security import is_secretariat, represents


def ensure_can_edit(actor, report: Report) -> None:
    """Only the organisation's representatives edit, and only while the cycle is open."""
    if not represents(actor, report.organisation_id):
        raise PermissionDenied(
            _("Only your organisation's representatives can change this report.")
        )
    ensure_cycle_accepts_reports(report.cycle)


def ensure_cycle_accepts_reports(cycle: ReportingCycle) -> None:
    if cycle.status == CycleStatus.DRAFT:
        raise Conflict(_("The %(year)d reporting cycle is not open yet.", year=cycle.year))
    if cycle.status == CycleStatus.CLOSED:
        raise Conflict(
            _(
                "The %(year)d reporting cycle is closed: reports can no longer be "
                "changed or submitted.",
                year=cycle.year,
            )
        )


def find_report(cycle: ReportingCycle, organisation_id: int) -> Report | None:
    return db.session.scalar(
        select(Report).where(Report.cycle_id == cycle.id, Report.organisation_id == organisation_id)
    )


class Draft(NamedTuple):
    """What `find_draft` reads: the cycle, the report, its answers, its questions with files."""

    cycle: ReportingCycle | None
    report: Report | None
    stored: dict[int, object] | None  # {question id: value}
    with_files: set[int] | None  # the questions that have at least one (not removed) file


def find_draft(year: int, organisation_id: int | None) -> Draft:
    """The cycle of `year`, the organisation's report in it, the report's answers as
    `{question id: value}` and the questions that have files (None, None, None when it has
    not started one), in one query: the autosave's lookup (two round trips to the database
    fewer than reading the answers and the files apart)."""
    statement = cycle_report_and_answers(db.session.connection().dialect.name)
    row = db.session.execute(statement, {"b_year": year, "b_org": organisation_id}).first()
    if row is None:
        return Draft(None, None, None, None)
    if row[1] is None:
        return Draft(row[0], None, None, None)
    stored = {int(qid): value for qid, value in row[2] or ()}
    return Draft(row[0], row[1], stored, {int(qid) for qid in row[3] or ()})


def get_or_start_report(actor, cycle: ReportingCycle, organisation: Organisation) -> Report:
    """The organisation's report in this cycle, started (empty) when there is none yet."""
    if not (is_secretariat(actor) or represents(actor, organisation.id)):
        raise PermissionDenied(_("You can only act for your own organisation."))
    report = find_report(cycle, organisation.id)
    if report is not None:
        return report
    if cycle.status != CycleStatus.OPEN:
        ensure_cycle_accepts_reports(cycle)
    if not cycles.may_report(cycle, organisation):
        raise NotFound(
            _(
                "%(org)s does not report in the %(year)d cycle.",
                org=organisation.name,
                year=cycle.year,
            )
        )
    report = Report(
        cycle=cycle,
        organisation=organisation,
        state=ReportState.DRAFT,
        revision=0,
        updated_by_id=getattr(actor, "id", None),
    )
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        # Another representative started it at the same moment: use theirs.
        report = find_report(cycle, organisation.id)
        if report is None:  # pragma: no cover - the constraint fired for another reason
            raise
        return report
    record(actor, "report.started", report, summary=f"{organisation.name} {cycle.year}")
    return report


# The representative's own report -------------------------------------------------------------


def visible_cycle(year: int) -> ReportingCycle:
    """The cycle of `year` as representatives see it: not while it is being prepared."""
    cycle = cycles.get_cycle(year)
    if cycle.status == CycleStatus.DRAFT:
        raise NoSuchPage(_("There is no reporting cycle for %(year)s.", year=year))
    return cycle


def my_report(actor, year: int) -> tuple[ReportingCycle, Report, bool]:
    """The cycle and the representative's report in it, and whether the report exists; an
    unsaved empty report when the organisation has not started yet (`started` creates it,
    at the first save)."""
    cycle = visible_cycle(year)
    organisation = actor.organisation
    report = find_report(cycle, organisation.id)
    if report is not None:
        return cycle, report, True
    if cycle.status != CycleStatus.OPEN or not cycles.may_report(cycle, organisation):
        raise NotFound(
            _("%(org)s has no report in the %(year)d cycle.", org=organisation.name, year=year)
        )
    report = Report(
        cycle_id=cycle.id, organisation_id=organisation.id, state=ReportState.DRAFT, revision=0
    )
    report.cycle = cycle
    report.organisation = organisation
    return cycle, report, False


def started(actor, report: Report) -> Report:
    """`report` itself once it is stored; for the unsaved one of `my_report`, the report
    started now (or the one another representative started meanwhile)."""
    if report.id is not None:
        return report
    if report in db.session:
        db.session.expunge(report)
    return get_or_start_report(actor, report.cycle, actor.organisation)


def reports_overview(organisation: Organisation) -> list[dict]:
    """The rows of "my reports": every cycle the organisation reports (or had to report) in,
    newest first, with its report (None when it has none)."""
    reports = {
        r.cycle_id: r
        for r in db.session.scalars(select(Report).where(Report.organisation_id == organisation.id))
    }
    rows = []
    for cycle in cycles.list_cycles():
        if cycle.status == CycleStatus.DRAFT:
            continue
        report = reports.get(cycle.id)
        if report is None and not (
            cycle.status == CycleStatus.OPEN and cycles.may_report(cycle, organisation)
        ):
            if cycle.status == CycleStatus.CLOSED and cycles.must_report(cycle, organisation):
                rows.append({"cycle": cycle, "report": None, "missing": True})
            continue
        rows.append({"cycle": cycle, "report": report, "missing": False})
    return rows
