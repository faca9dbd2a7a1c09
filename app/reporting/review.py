"""Secretariat review of submitted reports (issue 5, part B).

The queue of submitted reports per cycle and state, the two decisions on a submitted
version ("accept", "return for changes" with a comment per question), and the comparison of
two versions of a report. Services take the acting user, check authorisation, flush and never
commit; the view commits once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import selectinload

from app import clock
from app.accounts.models import Role, User
from app.core import signals
from app.core.services import record
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.mail import send_later
from app.members.models import Organisation
from app.reporting.models import (
    CycleStatus,
    Extension,
    ExtensionState,
    Report,
    ReportingCycle,
    ReportState,
    ReportVersion,
    ReviewComment,
)
from app.reporting.versions import (  # noqa: F401  (review's API, used by its views)
    Comparison,
    NumberedQuestion,
    Segment,
    compare_snapshots,
    display_value,
    get_version,
    numbered_questions,
    versions_of,
    word_diff,
)
from app.security import ensure_secretariat

MAX_COMMENT = 5000
PER_PAGE = 50

# Queue filters: the three review states, and the obligated organisations that have not
# submitted anything yet (so the secretariat can chase them).
NOT_SUBMITTED = "not_submitted"
QUEUE_STATES = (ReportState.SUBMITTED, ReportState.RETURNED, ReportState.ACCEPTED, NOT_SUBMITTED)


# People to write to -----------------------------------------------------------------------


def representative_emails(organisation_ids) -> dict[int, list[str]]:
    """Email addresses of the representatives who can log in, per organisation (one query)."""
    ids = list(set(organisation_ids))
    result: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(User.organisation_id, User.email)
        .where(
            User.organisation_id.in_(ids),
            User.role == Role.REPRESENTATIVE,
            User.active.is_(True),
            User.password_hash.is_not(None),
        )
        .order_by(User.email)
    ).all()
    for org_id, email in rows:
        result[org_id].append(email)
    return result


def report_url(cycle_year: int) -> str:
    """Where a representative finds the report: its page (engineer A's), else the dashboard."""
    if "reporting.report" in current_app.view_functions:
        return url_for("reporting.report", year=cycle_year)
    return url_for("accounts.dashboard")


# The queue ----------------------------------------------------------------------------------


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
    from app.reporting.cycles import obligated_organisations

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
    has_version = Report.current_version_id.is_not(None)

    counts = dict.fromkeys(QUEUE_STATES, 0)
    for code, n in db.session.execute(
        select(Report.state, func.count(Report.id))
        .where(Report.cycle_id == cycle.id, has_version)
        .group_by(Report.state)
    ):
        counts[code] = n
    submitted_org_ids = select(Report.organisation_id).where(
        Report.cycle_id == cycle.id, has_version
    )
    # Not submitted: organisations held to this cycle's deadline (they must report and were
    # members when it opened, as in the deadline rules) without a submitted report.
    from app.reporting.deadlines import held_condition

    missing = and_(
        Organisation.id.in_(_obligated_ids(cycle)),
        held_condition(cycle),
        Organisation.id.not_in(submitted_org_ids),
    )
    counts[NOT_SUBMITTED] = (
        db.session.scalar(select(func.count(Organisation.id)).where(missing)) or 0
    )

    name_filter = None
    if search:
        pattern = "%" + re.sub(r"([%_\\])", r"\\\1", search.lower()) + "%"
        name_filter = Organisation.name_key.like(pattern, escape="\\")

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
    if name_filter is not None:
        query = query.where(name_filter)

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


# One version --------------------------------------------------------------------------------


def get_report(actor, report_id: int) -> Report:
    ensure_secretariat(actor)
    report = db.session.scalar(
        select(Report)
        .where(Report.id == report_id)
        .options(
            selectinload(Report.organisation),
            selectinload(Report.cycle),
            selectinload(Report.versions),
        )
    )
    if report is None or not report.versions:
        raise NotFound(_("There is no such submitted report."))
    return report


def reviewer_names(versions) -> dict[int, str]:
    ids = {v.reviewed_by_id for v in versions if v.reviewed_by_id}
    if not ids:
        return {}
    return {
        uid: (name or email)
        for uid, name, email in db.session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(ids))
        )
    }


def can_decide(version: ReportVersion) -> bool:
    report = version.report
    return (
        report.current_version_id == version.id
        and version.review_state == ReportState.SUBMITTED
        and report.state == ReportState.SUBMITTED
    )


def _ensure_reviewable(version: ReportVersion) -> None:
    report = version.report
    if report.current_version_id != version.id:
        raise Conflict(_("A newer version of this report was submitted: review that one."))
    if version.review_state != ReportState.SUBMITTED or report.state != ReportState.SUBMITTED:
        raise Conflict(
            _(
                "This version has already been reviewed (%(state)s).",
                state=_state_label(version.review_state),
            )
        )


def _state_label(code: str) -> str:
    from app.core.labels import label

    return label("report_state", code).lower()


def clean_comments(version: ReportVersion, comments: dict) -> dict[int | None, str]:
    """Strip empty comments; refuse unknown questions and over-long text (per field)."""
    known = {q.question.get("id") for q in numbered_questions(version.snapshot or {})}
    cleaned: dict[int | None, str] = {}
    errors: dict[str, list[str]] = {}
    for key, text in (comments or {}).items():
        text = (text or "").strip()
        if not text:
            continue
        if key is not None and key not in known:
            raise ValidationFailed(
                _(
                    "One of the comments is about a question that is not in "
                    "this report. Reload the page and try again."
                )
            )
        if len(text) > MAX_COMMENT:
            name = "note" if key is None else f"comment-{key}"
            errors[name] = [_("Keep each comment under %(n)d characters.", n=MAX_COMMENT)]
            continue
        cleaned[key] = text
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)
    return cleaned


def return_for_changes(
    actor, version: ReportVersion, comments: dict[int | None, str], note: str = ""
) -> ReportVersion:
    """Send a submitted version back to the organisation with comments.

    `comments` maps question ids (or None, for a general comment) to text; `note` is the
    general comment shown at the top of the organisation's form and in the email (stored as
    the version's review note and as a general `ReviewComment`). At least one comment or a
    note is required, so the organisation knows what to change.
    """
    ensure_secretariat(actor)
    _ensure_reviewable(version)
    report = version.report
    if report.cycle.status == CycleStatus.CLOSED:
        raise Conflict(
            _(
                "The %(year)s cycle is closed, so the organisation could not send a "
                "corrected report. Accept this version instead.",
                year=report.cycle.year,
            )
        )
    note = (note or "").strip()
    if len(note) > MAX_COMMENT:
        raise ValidationFailed(
            _("Keep each comment under %(n)d characters.", n=MAX_COMMENT), field="note"
        )
    cleaned = clean_comments(version, comments)
    general = cleaned.pop(None, "") or note
    if not cleaned and not general:
        raise ValidationFailed(
            _(
                "Write a general comment or a comment on at least one question, so the "
                "organisation knows what to change."
            ),
            field="note",
        )
    now = clock.now()
    by_number = {q.question.get("id"): q for q in numbered_questions(version.snapshot)}
    if general:
        db.session.add(
            ReviewComment(
                version=version, question_id=None, comment=general, at=now, by_user_id=actor.id
            )
        )
    for question_id in sorted(cleaned, key=lambda qid: _sort_key(by_number[qid].number)):
        db.session.add(
            ReviewComment(
                version=version,
                question_id=question_id,
                comment=cleaned[question_id],
                at=now,
                by_user_id=actor.id,
            )
        )
    version.review_state = ReportState.RETURNED
    version.reviewed_at = now
    version.reviewed_by_id = actor.id
    version.review_note = general
    report.state = ReportState.RETURNED
    db.session.flush()
    organisation = report.organisation
    record(
        actor,
        "report.returned",
        report,
        summary=f"{organisation.name}: {report.cycle.year} report (version {version.number}) "
        f"returned with {len(cleaned) + (1 if general else 0)} comment(s)",
        version_id=version.id,
        questions=sorted(cleaned),
    )
    emails = representative_emails([organisation.id])[organisation.id]
    send_later(
        emails,
        _("Your %(year)s report needs changes", year=report.cycle.year),
        "reporting_returned",
        organisation=organisation.name,
        year=report.cycle.year,
        version=version.number,
        general=general,
        comments=[
            (by_number[qid].number, by_number[qid].question.get("text", ""), cleaned[qid])
            for qid in sorted(cleaned, key=lambda qid: _sort_key(by_number[qid].number))
        ],
        link=report_url(report.cycle.year),
        due_on=report.cycle.due_on,
    )
    return version


def _sort_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def accept(actor, version: ReportVersion, note: str = "") -> ReportVersion:
    """Accept a submitted version: the report is complete; its public answers can be published."""
    ensure_secretariat(actor)
    _ensure_reviewable(version)
    note = (note or "").strip()
    if len(note) > MAX_COMMENT:
        raise ValidationFailed(
            _("Keep each comment under %(n)d characters.", n=MAX_COMMENT), field="note"
        )
    now = clock.now()
    report = version.report
    version.review_state = ReportState.ACCEPTED
    version.reviewed_at = now
    version.reviewed_by_id = actor.id
    version.review_note = note
    report.state = ReportState.ACCEPTED
    report.accepted_at = now
    db.session.flush()
    organisation = report.organisation
    record(
        actor,
        "report.accepted",
        report,
        summary=f"{organisation.name}: {report.cycle.year} report (version {version.number}) "
        "accepted",
        version_id=version.id,
    )
    send_later(
        representative_emails([organisation.id])[organisation.id],
        _("Your %(year)s report has been accepted", year=report.cycle.year),
        "reporting_accepted",
        organisation=organisation.name,
        year=report.cycle.year,
        version=version.number,
        note=note,
        link=report_url(report.cycle.year),
    )
    signals.report_accepted.send(version, actor=actor)
    return version


def pending_review_exists(cycle_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(Report.cycle_id == cycle_id, Report.state == ReportState.SUBMITTED)
            )
        )
    )


def comments_by_question(version: ReportVersion) -> dict[int | None, list[ReviewComment]]:
    out: dict[int | None, list[ReviewComment]] = {}
    for comment in version.comments:
        out.setdefault(comment.question_id, []).append(comment)
    return out
