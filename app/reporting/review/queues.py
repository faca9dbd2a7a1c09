"""The secretariat's review queue: submitted reports per cycle and state, and the
organisations that have not submitted yet. A constant number of queries per page."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from app.db import db
from app.errors import NotFound
from app.members.models import Organisation
from app.reporting.cycles import obligated_organisations
from app.reporting.deadlines.rules import held_condition
from app.reporting.models import (
    CycleStatus,
    Extension,
    ExtensionState,
    Report,
    ReportingCycle,
    ReportState,
    ReportVersion,
)
from app.security import ensure_secretariat

PER_PAGE = 50

# Queue filters: the three review states, and the obligated organisations that have not
# submitted anything yet (so the secretariat can chase them).
NOT_SUBMITTED = "not_submitted"
QUEUE_STATES = (ReportState.SUBMITTED, ReportState.RETURNED, ReportState.ACCEPTED, NOT_SUBMITTED)


def review_cycles() -> list[ReportingCycle]:
    """Cycles that can have submitted reports (open or closed), newest first."""
    return list(
        db.session.scalars(
            select(ReportingCycle)
            .where(ReportingCycle.status != CycleStatus.DRAFT)
            .order_by(ReportingCycle.year.desc())
        )
    )


def cycle_by_year(year: int) -> ReportingCycle:
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year))
    if cycle is None:
        raise NotFound(_("There is no reporting cycle for %(year)s.", year=year))
    return cycle


@dataclass
class QueueRow:
    organisation: Organisation
    report: Report | None
    version: ReportVersion | None
    effective_due_on: dt.date


@dataclass
class Queue:
    cycle: ReportingCycle
    state: str | None
    search: str
    counts: dict[str, int]
    total: int
    rows: list[QueueRow]
    page: int
    pages: int


def _obligated_ids(cycle: ReportingCycle):
    """A subquery of the ids of the organisations that must report in `cycle`."""
    return obligated_organisations(cycle).with_only_columns(Organisation.id).scalar_subquery()


def extension_dates(cycle_id: int, organisation_ids=None) -> dict[int, dt.date]:
    """Each organisation's granted extension date in a cycle (the latest one), one query."""
    query = (
        select(Extension.organisation_id, func.max(Extension.new_due_on))
        .where(
            Extension.cycle_id == cycle_id,
            Extension.state == ExtensionState.GRANTED,
            Extension.new_due_on.is_not(None),
        )
        .group_by(Extension.organisation_id)
    )
    if organisation_ids is not None:
        ids = list(organisation_ids)
        if not ids:
            return {}
        query = query.where(Extension.organisation_id.in_(ids))
    return dict(db.session.execute(query).all())


def _missing_condition(cycle: ReportingCycle):
    """Not submitted: organisations held to this cycle's deadline (they must report and were
    members when it opened, as in the deadline rules) without a submitted report."""
    submitted_org_ids = select(Report.organisation_id).where(
        Report.cycle_id == cycle.id, Report.current_version_id.is_not(None)
    )
    return and_(
        Organisation.id.in_(_obligated_ids(cycle)),
        held_condition(cycle),
        Organisation.id.not_in(submitted_org_ids),
    )


def _counts(cycle: ReportingCycle, missing) -> dict[str, int]:
    counts = dict.fromkeys(QUEUE_STATES, 0)
    for code, n in db.session.execute(
        select(Report.state, func.count(Report.id))
        .where(Report.cycle_id == cycle.id, Report.current_version_id.is_not(None))
        .group_by(Report.state)
    ):
        counts[code] = n
    counts[NOT_SUBMITTED] = (
        db.session.scalar(select(func.count(Organisation.id)).where(missing)) or 0
    )
    return counts


def _rows_query(cycle: ReportingCycle, state: str | None, search: str, missing):
    if state == NOT_SUBMITTED:
        query = (
            select(Organisation, Report)
            .outerjoin(
                Report, and_(Report.organisation_id == Organisation.id, Report.cycle_id == cycle.id)
            )
            .where(missing)
            .order_by(Organisation.name_key)
        )
    else:
        query = (
            select(Organisation, Report, ReportVersion)
            .join(Report, Report.organisation_id == Organisation.id)
            .join(ReportVersion, ReportVersion.id == Report.current_version_id)
            .where(Report.cycle_id == cycle.id)
        )
        if state:
            query = query.where(Report.state == state)
        # Awaiting review: oldest first, like a queue. Otherwise newest first.
        if state == ReportState.SUBMITTED:
            query = query.order_by(ReportVersion.submitted_at, Organisation.name_key)
        else:
            query = query.order_by(ReportVersion.submitted_at.desc(), Organisation.name_key)
    if search:
        pattern = "%" + re.sub(r"([%_\\])", r"\\\1", search.lower()) + "%"
        query = query.where(Organisation.name_key.like(pattern, escape="\\"))
    return query


def queue(
    actor,
    cycle: ReportingCycle,
    state: str | None = None,
    search: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Queue:
    """The review queue of one cycle: counts per state, and one page of rows.

    A constant number of queries whatever the number of reports.
    """
    ensure_secretariat(actor)
    if state not in QUEUE_STATES:
        state = None
    search = (search or "").strip()[:100]
    missing = _missing_condition(cycle)
    counts = _counts(cycle, missing)
    query = _rows_query(cycle, state, search, missing)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    results = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    extensions = extension_dates(cycle.id, [r[0].id for r in results])
    rows = []
    for result in results:
        org, report = result[0], result[1]
        version = result[2] if len(result) > 2 else None
        rows.append(QueueRow(org, report, version, extensions.get(org.id, cycle.due_on)))
    return Queue(cycle, state, search, counts, total, rows, page, pages)


def awaiting_review(
    limit: int = 5,
) -> tuple[int, list[tuple[Report, ReportVersion, Organisation, ReportingCycle]]]:
    """How many reports await a decision (all cycles), and the oldest few."""
    condition = and_(Report.state == ReportState.SUBMITTED, Report.current_version_id.is_not(None))
    total = db.session.scalar(select(func.count(Report.id)).where(condition)) or 0
    rows = db.session.execute(
        select(Report, ReportVersion, Organisation, ReportingCycle)
        .join(ReportVersion, ReportVersion.id == Report.current_version_id)
        .join(Organisation, Organisation.id == Report.organisation_id)
        .join(ReportingCycle, ReportingCycle.id == Report.cycle_id)
        .where(condition)
        .order_by(ReportVersion.submitted_at)
        .limit(limit)
    ).all()
    return total, [tuple(r) for r in rows]
