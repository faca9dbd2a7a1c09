"""The two decisions on a submitted version: "accept", and "return for changes" with a
comment per question. Services take the acting user, check authorisation, flush and never
commit; the request's unit of work commits. The mail to the organisation goes from
`review.notifications`, on the events sent here."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.accounts.models import User
from app.core import signals
from app.core.labels import label
from app.core.services import record
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.reporting.models import CycleStatus, Report, ReportState, ReportVersion, ReviewComment
from app.reporting.review.signals import report_returned
from app.reporting.versions import numbered_questions
from app.security import ensure_secretariat

MAX_COMMENT = 5000


# Reading ------------------------------------------------------------------------------------


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


def comments_by_question(version: ReportVersion) -> dict[int | None, list[ReviewComment]]:
    out: dict[int | None, list[ReviewComment]] = {}
    for comment in version.comments:
        out.setdefault(comment.question_id, []).append(comment)
    return out


# Checks -------------------------------------------------------------------------------------


def _ensure_reviewable(version: ReportVersion) -> None:
    report = version.report
    if report.current_version_id != version.id:
        raise Conflict(_("A newer version of this report was submitted: review that one."))
    if version.review_state != ReportState.SUBMITTED or report.state != ReportState.SUBMITTED:
        raise Conflict(
            _(
                "This version has already been reviewed (%(state)s).",
                state=label("report_state", version.review_state).lower(),
            )
        )


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_COMMENT:
        raise ValidationFailed(
            _("Keep each comment under %(n)d characters.", n=MAX_COMMENT), field="note"
        )
    return note


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


# Deciding -----------------------------------------------------------------------------------


def _sort_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def _mark_reviewed(actor, version: ReportVersion, state: str, note: str, now) -> None:
    version.review_state = state
    version.reviewed_at = now
    version.reviewed_by_id = actor.id
    version.review_note = note
    version.report.state = state


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
    note = _clean_note(note)
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
    by_id = {q.question.get("id"): q for q in numbered_questions(version.snapshot)}
    ordered = sorted(cleaned, key=lambda qid: _sort_key(by_id[qid].number))
    now = clock.now()
    entries = ([(None, general)] if general else []) + [(qid, cleaned[qid]) for qid in ordered]
    for question_id, text in entries:
        db.session.add(
            ReviewComment(
                version=version, question_id=question_id, comment=text, at=now, by_user_id=actor.id
            )
        )
    _mark_reviewed(actor, version, ReportState.RETURNED, general, now)
    db.session.flush()
    record(
        actor,
        "report.returned",
        report,
        summary=f"{report.organisation.name}: {report.cycle.year} report (version "
        f"{version.number}) returned with {len(cleaned) + (1 if general else 0)} comment(s)",
        version_id=version.id,
        questions=sorted(cleaned),
    )
    report_returned.send(
        version,
        actor=actor,
        comments=[
            (by_id[qid].number, by_id[qid].question.get("text", ""), cleaned[qid])
            for qid in ordered
        ],
    )
    return version


def accept(actor, version: ReportVersion, note: str = "") -> ReportVersion:
    """Accept a submitted version: the report is complete; its public answers can be published."""
    ensure_secretariat(actor)
    _ensure_reviewable(version)
    note = _clean_note(note)
    report = version.report
    now = clock.now()
    _mark_reviewed(actor, version, ReportState.ACCEPTED, note, now)
    report.accepted_at = now
    db.session.flush()
    record(
        actor,
        "report.accepted",
        report,
        summary=f"{report.organisation.name}: {report.cycle.year} report (version "
        f"{version.number}) accepted",
        version_id=version.id,
    )
    signals.report_accepted.send(version, actor=actor)
    return version
