"""Deadline extensions (issue 5, part B).

A representative asks for more time before the organisation's due date, with a reason (and,
optionally, the date they need). The secretariat grants it with a new date for that
organisation (after the cycle's due date) or refuses it with a note. The decision is recorded
and emailed (`deadlines.notifications`, on the events sent here); from then on the deadline
rules (`deadlines.tick`) use the organisation's own date, `cycles.effective_due_date`.

Rules, in one place:
- one request at a time: a new one only when none is pending;
- a request is possible until the end of the organisation's effective due date (after that
  the deadline has passed), while the cycle is open, the organisation must report in it and
  has not submitted yet;
- a granted date is after the cycle's due date and after any date granted before, and at most
  `MAX_EXTENSION_DAYS` after the cycle's due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from app import clock
from app.core.services import record
from app.db import db
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.members import reasons
from app.members.models import Organisation, Status
from app.members.services import change_status
from app.reporting.cycles import effective_due_date, must_report
from app.reporting.deadlines.signals import extension_decided, extension_requested
from app.reporting.models import (
    CycleStatus,
    DeadlineEvent,
    DeadlineEventKind,
    Extension,
    ExtensionState,
    Report,
    ReportingCycle,
)
from app.security import ensure_secretariat, represents

MAX_REASON = 2000
MAX_NOTE = 2000
MAX_EXTENSION_DAYS = 180


def _has_submitted(cycle_id: int, organisation_id: int) -> bool:
    return (
        db.session.scalar(
            select(func.count(Report.id)).where(
                Report.cycle_id == cycle_id,
                Report.organisation_id == organisation_id,
                Report.current_version_id.is_not(None),
            )
        )
        > 0
    )


def _pending(cycle_id: int, organisation_id: int) -> Extension | None:
    return db.session.scalar(
        select(Extension).where(
            Extension.cycle_id == cycle_id,
            Extension.organisation_id == organisation_id,
            Extension.state == ExtensionState.PENDING,
        )
    )


@dataclass
class ExtensionStatus:
    """What a representative's page and dashboard show about extensions in one cycle."""

    cycle: ReportingCycle
    organisation: Organisation
    effective_due_on: dt.date
    history: list[Extension] = field(default_factory=list)
    can_request: bool = False
    why_not: str = ""
    error: Exception | None = None

    @property
    def pending(self) -> Extension | None:
        return next((e for e in self.history if e.state == ExtensionState.PENDING), None)

    @property
    def granted(self) -> Extension | None:
        granted = [e for e in self.history if e.state == ExtensionState.GRANTED]
        return max(granted, key=lambda e: e.new_due_on) if granted else None


def status_for(cycle: ReportingCycle, organisation: Organisation) -> ExtensionStatus:
    history = list(
        db.session.scalars(
            select(Extension)
            .where(Extension.cycle_id == cycle.id, Extension.organisation_id == organisation.id)
            .order_by(Extension.requested_at.desc(), Extension.id.desc())
        )
    )
    return status_from(cycle, organisation, history)


def status_from(cycle, organisation, history: list, submitted: bool | None = None):
    """`status_for` from what the caller read already: the requests, newest first (ORM rows
    or plain records with `state`, `new_due_on`, `requested_at`, `decision_note`) and, when
    known, whether the organisation has submitted (else one statement asks)."""
    granted = [e.new_due_on for e in history if e.state == ExtensionState.GRANTED and e.new_due_on]
    due = max([cycle.due_on, *granted])
    status = ExtensionStatus(cycle, organisation, due, history)
    refusal = _refusal(cycle, organisation, due, history, submitted)
    status.why_not = refusal.message if refusal else ""
    status.error = refusal
    status.can_request = refusal is None
    return status


def _refusal(
    cycle, organisation, due, history, submitted: bool | None = None
) -> ValidationFailed | Conflict | None:
    """None when the organisation may ask for an extension; otherwise the error to raise."""
    if cycle.status != CycleStatus.OPEN:
        return ValidationFailed(_("The %(year)s reporting cycle is not open.", year=cycle.year))
    if not must_report(cycle, organisation):
        return ValidationFailed(
            _("Your organisation does not have to report in the %(year)s cycle.", year=cycle.year)
        )
    if submitted is None:
        submitted = _has_submitted(cycle.id, organisation.id)
    if submitted:
        return Conflict(
            _("Your organisation has already submitted its %(year)s report.", year=cycle.year)
        )
    if any(e.state == ExtensionState.PENDING for e in history):
        return Conflict(
            _("You have already asked for an extension; the secretariat has not decided yet.")
        )
    if clock.today() > due:
        return ValidationFailed(
            _(
                "The due date (%(date)s) has passed: an extension must be asked for before it.",
                date=format_date(due, "long"),
            )
        )
    return None


def request_extension(
    actor,
    cycle: ReportingCycle,
    organisation: Organisation,
    reason: str,
    requested_due_on: dt.date | None = None,
) -> Extension:
    """A representative asks for more time for their own organisation."""
    if not represents(actor, organisation.id):
        raise PermissionDenied(_("You can only ask for an extension for your own organisation."))
    status = status_for(cycle, organisation)
    if status.error is not None:
        raise status.error
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Please explain why your organisation needs more time."), field="reason"
        )
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            _("Please keep the reason under %(n)d characters.", n=MAX_REASON), field="reason"
        )
    if requested_due_on is not None:
        _check_new_date(cycle, status.effective_due_on, requested_due_on, "requested_due_on")
    extension = Extension(
        cycle=cycle,
        organisation=organisation,
        reason=reason,
        requested_at=clock.now(),
        requested_by_id=actor.id,
        requested_due_on=requested_due_on,
        state=ExtensionState.PENDING,
    )
    db.session.add(extension)
    db.session.flush()
    record(
        actor,
        "extension.requested",
        extension,
        summary=f"{organisation.name} asked for an extension of the {cycle.year} deadline",
        cycle_id=cycle.id,
        organisation_id=organisation.id,
        requested_due_on=requested_due_on.isoformat() if requested_due_on else None,
    )
    extension_requested.send(extension, actor=actor, due_on=status.effective_due_on)
    return extension


def _check_new_date(
    cycle: ReportingCycle, current_due: dt.date, new_date: dt.date, field_name: str
) -> None:
    if new_date <= cycle.due_on:
        raise ValidationFailed(
            _(
                "Choose a date after the cycle's due date (%(date)s).",
                date=format_date(cycle.due_on, "long"),
            ),
            field=field_name,
        )
    if new_date <= current_due:
        raise ValidationFailed(
            _(
                "Choose a date after the organisation's current due date (%(date)s).",
                date=format_date(current_due, "long"),
            ),
            field=field_name,
        )
    latest = cycle.due_on + dt.timedelta(days=MAX_EXTENSION_DAYS)
    if new_date > latest:
        raise ValidationFailed(
            _(
                "Choose a date no later than %(date)s (%(n)d days after the cycle's due date).",
                date=format_date(latest, "long"),
                n=MAX_EXTENSION_DAYS,
            ),
            field=field_name,
        )


def get_extension(actor, extension_id: int) -> Extension:
    ensure_secretariat(actor)
    extension = db.session.scalar(
        select(Extension)
        .where(Extension.id == extension_id)
        .options(
            selectinload(Extension.cycle),
            selectinload(Extension.organisation),
            selectinload(Extension.requested_by),
            selectinload(Extension.decided_by),
        )
    )
    if extension is None:
        raise NotFound(_("There is no such extension request."))
    return extension


def _ensure_pending(extension: Extension) -> None:
    if extension.state != ExtensionState.PENDING:
        raise Conflict(_("This request has already been decided."))


def grant(actor, extension: Extension, new_due_on: dt.date | None, note: str = "") -> Extension:
    """Give the organisation its own due date. The deadline rules follow it from now on."""
    ensure_secretariat(actor)
    _ensure_pending(extension)
    if new_due_on is None:
        raise ValidationFailed(_("Choose the new due date."), field="new_due_on")
    note = _check_note(note, required=False)
    cycle, organisation = extension.cycle, extension.organisation
    current = effective_due_date(cycle, organisation.id)
    _check_new_date(cycle, current, new_due_on, "new_due_on")
    now = clock.now()
    extension.state = ExtensionState.GRANTED
    extension.new_due_on = new_due_on
    extension.decided_at = now
    extension.decided_by_id = actor.id
    extension.decision_note = note
    db.session.flush()
    record(
        actor,
        "extension.granted",
        extension,
        summary=f"{organisation.name}: {cycle.year} due date moved to {new_due_on.isoformat()}",
        cycle_id=cycle.id,
        organisation_id=organisation.id,
        new_due_on=new_due_on.isoformat(),
    )
    _undo_early_consequences(cycle, organisation, new_due_on, now)
    extension_decided.send(extension)
    return extension


def _undo_early_consequences(cycle, organisation, new_due_on, now) -> None:
    """A request asked for in time but decided after the old deadline: if the deadline rules
    already made the organisation non-communicating for this cycle, the new date makes that
    premature. Undo it, so the rules apply again after the new date."""
    event = db.session.scalar(
        select(DeadlineEvent).where(
            DeadlineEvent.cycle_id == cycle.id,
            DeadlineEvent.organisation_id == organisation.id,
            DeadlineEvent.kind == DeadlineEventKind.NON_COMMUNICATING,
        )
    )
    if event is None:
        return
    final = new_due_on + dt.timedelta(days=cycle.grace_days)
    if now.date() > final:
        return
    db.session.execute(delete(DeadlineEvent).where(DeadlineEvent.id == event.id))
    still_missing = db.session.scalar(
        select(func.count(DeadlineEvent.id)).where(
            DeadlineEvent.organisation_id == organisation.id,
            DeadlineEvent.kind == DeadlineEventKind.NON_COMMUNICATING,
            DeadlineEvent.resolved_at.is_(None),
        )
    )
    if (
        organisation.status == Status.NON_COMMUNICATING
        and event.status_change_id
        and event.resolved_at is None
        and not still_missing
    ):
        change_status(
            None,
            organisation,
            Status.ACTIVE,
            reason=f"Extension granted until {new_due_on.isoformat()} for the {cycle.year} report.",
            public_reason=reasons.stored(reasons.GIVEN_MORE_TIME, year=cycle.year),
        )


def refuse(actor, extension: Extension, note: str) -> Extension:
    """Refuse with a note explaining why; the organisation keeps its current due date."""
    ensure_secretariat(actor)
    _ensure_pending(extension)
    note = _check_note(note, required=True)
    cycle, organisation = extension.cycle, extension.organisation
    extension.state = ExtensionState.REFUSED
    extension.decided_at = clock.now()
    extension.decided_by_id = actor.id
    extension.decision_note = note
    db.session.flush()
    record(
        actor,
        "extension.refused",
        extension,
        summary=f"{organisation.name}: extension of the {cycle.year} deadline refused",
        cycle_id=cycle.id,
        organisation_id=organisation.id,
    )
    extension_decided.send(extension)
    return extension


def _check_note(note: str, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationFailed(_("Explain the decision to the organisation."), field="note")
    if len(note) > MAX_NOTE:
        raise ValidationFailed(
            _("Please keep the note under %(n)d characters.", n=MAX_NOTE), field="note"
        )
    return note


# Lists ----------------------------------------------------------------------------------------


EXTENSION_FILTERS = ("pending", "granted", "refused")


def list_extensions(
    actor, state: str | None = None, cycle_id: int | None = None, limit: int = 200
) -> tuple[dict[str, int], list[Extension]]:
    """Requests for the secretariat, pending (oldest first) then decided (newest first)."""
    ensure_secretariat(actor)
    counts = dict.fromkeys(EXTENSION_FILTERS, 0)
    count_query = select(Extension.state, func.count(Extension.id)).group_by(Extension.state)
    if cycle_id:
        count_query = count_query.where(Extension.cycle_id == cycle_id)
    for code, n in db.session.execute(count_query):
        counts[code] = n
    query = select(Extension).options(
        selectinload(Extension.cycle),
        selectinload(Extension.organisation),
        selectinload(Extension.requested_by),
        selectinload(Extension.decided_by),
    )
    if state in EXTENSION_FILTERS:
        query = query.where(Extension.state == state)
    if cycle_id:
        query = query.where(Extension.cycle_id == cycle_id)
    query = query.order_by(
        (Extension.state != ExtensionState.PENDING),  # pending first
        Extension.decided_at.desc(),
        Extension.requested_at,
    ).limit(limit)
    return counts, list(db.session.scalars(query))


def pending_extensions(limit: int = 5) -> tuple[int, list[Extension]]:
    total = (
        db.session.scalar(
            select(func.count(Extension.id)).where(Extension.state == ExtensionState.PENDING)
        )
        or 0
    )
    rows = list(
        db.session.scalars(
            select(Extension)
            .where(Extension.state == ExtensionState.PENDING)
            .options(selectinload(Extension.cycle), selectinload(Extension.organisation))
            .order_by(Extension.requested_at)
            .limit(limit)
        )
    )
    return total, rows
