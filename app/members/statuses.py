"""A member's status and its history: which status may follow which, and every change
recorded with who, when and why.

The lifecycle lives in the members domain because other domains change a member's status
too (reporting's deadline rules make members non-communicating, delist them, and bring them
back when they report): they call `change_status` with no actor.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from app import clock
from app.accounts.models import User
from app.core import signals
from app.core.labels import label
from app.core.services import record
from app.db import db
from app.errors import ValidationFailed
from app.members.models import PUBLIC_STATUSES, Organisation, Status, StatusChange
from app.members.validation import clean_text
from app.security import ensure_secretariat

# Which status may follow which. The secretariat can suspend or record a withdrawal at any
# time; the deadline rules drive non-communicating and delisted.
TRANSITIONS: dict[str, set[str]] = {
    Status.APPLICANT: {Status.ACTIVE, Status.REJECTED, Status.WITHDRAWN},
    Status.ACTIVE: {Status.NON_COMMUNICATING, Status.SUSPENDED, Status.WITHDRAWN},
    Status.NON_COMMUNICATING: {Status.ACTIVE, Status.DELISTED, Status.SUSPENDED, Status.WITHDRAWN},
    Status.DELISTED: {Status.ACTIVE, Status.WITHDRAWN},  # readmission after reporting again
    Status.SUSPENDED: {Status.ACTIVE, Status.DELISTED, Status.WITHDRAWN},
    Status.WITHDRAWN: {Status.APPLICANT, Status.ACTIVE},  # rejoining
    Status.REJECTED: {Status.APPLICANT},
}

# Applicant-stage changes concern the application, not public membership.
_PRIVATE_TARGETS = {Status.APPLICANT, Status.REJECTED}
# Moves the public must be told the reason for.
PUBLIC_REASON_REQUIRED = {Status.SUSPENDED, Status.DELISTED}

__all__ = [
    "PUBLIC_REASON_REQUIRED",
    "PUBLIC_STATUSES",
    "TRANSITIONS",
    "allowed_transitions",
    "change_status",
    "secretariat_change_status",
]


def allowed_transitions(status: str) -> set[str]:
    return set(TRANSITIONS.get(status, set()))


def _cannot_go(from_status: str, to_status: str) -> str:
    return _(
        "An organisation cannot go from %(a)s to %(b)s.",
        a=label("status", from_status),
        b=label("status", to_status),
    )


def change_status(
    actor: User | None,
    organisation: Organisation,
    to_status: str,
    reason: str = "",
    public_reason: str = "",
    at: dt.datetime | None = None,
) -> StatusChange:
    """Move an organisation to a new status, recording who, when, why.

    `actor` is None for automatic changes (the deadline rules run by `pactum tick`);
    otherwise it must be the secretariat. Raises ValidationFailed for a forbidden move.
    """
    if actor is not None:
        ensure_secretariat(actor)
    if to_status not in {s.value for s in Status}:
        raise ValidationFailed(_("Unknown status."), field="status")
    if to_status == organisation.status:
        raise ValidationFailed(_("The organisation already has this status."), field="status")
    if to_status not in allowed_transitions(organisation.status):
        raise ValidationFailed(_cannot_go(organisation.status, to_status), field="status")
    when = at or clock.now()
    change = StatusChange(
        organisation=organisation,
        from_status=organisation.status,
        to_status=to_status,
        at=when,
        by_user_id=getattr(actor, "id", None),
        reason=clean_text(reason),
        public_reason=clean_text(public_reason),
        is_public=to_status not in _PRIVATE_TARGETS,
    )
    db.session.add(change)
    previous = organisation.status
    organisation.status = to_status
    organisation.status_since = when
    if to_status == Status.ACTIVE and organisation.joined_on is None:
        organisation.joined_on = when.date()
    db.session.flush()
    record(
        actor,
        "organisation.status",
        organisation,
        summary=f"{organisation.name}: {previous} -> {to_status}",
        reason=reason,
    )
    signals.organisation_status_changed.send(
        organisation, actor=actor, from_status=previous, to_status=to_status
    )
    return change


def secretariat_change_status(
    actor: User | None, org: Organisation, to_status: str, reason: str, public_reason: str
) -> StatusChange:
    """A status change made by hand: the secretariat says why, and tells the public why
    when a member is suspended or delisted."""
    ensure_secretariat(actor)
    errors: dict[str, list[str]] = {}
    if to_status not in allowed_transitions(org.status):
        errors["status"] = [
            _("Choose one of the statuses offered.")
            if not to_status or to_status not in {s.value for s in Status}
            else _cannot_go(org.status, to_status)
        ]
    if not clean_text(reason):
        errors["reason"] = [_("Please say why (the representatives see this).")]
    if to_status in PUBLIC_REASON_REQUIRED and not clean_text(public_reason):
        errors["public_reason"] = [_("Please give the reason the public will see.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    return change_status(actor, org, to_status, reason=reason, public_reason=public_reason)
