"""Organisations, statuses, endorsements and pledges.

The membership lifecycle lives here, because other domains change a member's status too
(reporting's deadline rules make members non-communicating, delist them, and bring them
back when they report).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.core import signals
from app.core.services import record
from app.db import db
from app.errors import ValidationFailed
from app.members.models import (
    Organisation,
    Pledge,
    PledgeStatus,
    PledgeUpdate,
    Status,
    StatusChange,
)

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


def allowed_transitions(status: str) -> set[str]:
    return set(TRANSITIONS.get(status, set()))


def change_status(
    actor,
    organisation: Organisation,
    to_status: str,
    reason: str = "",
    public_reason: str = "",
    at=None,
) -> StatusChange:
    """Move an organisation to a new status, recording who, when, why.

    `actor` is None for automatic changes (the deadline rules run by `pactum tick`);
    otherwise it must be the secretariat. Raises ValidationFailed for a forbidden move.
    """
    if actor is not None:
        from app.security import ensure_secretariat

        ensure_secretariat(actor)
    if to_status not in {s.value for s in Status}:
        raise ValidationFailed(_("Unknown status."), field="status")
    if to_status == organisation.status:
        raise ValidationFailed(_("The organisation already has this status."), field="status")
    if to_status not in allowed_transitions(organisation.status):
        raise ValidationFailed(
            _("An organisation cannot go from %(a)s to %(b)s.",
              a=organisation.status, b=to_status),
            field="status",
        )
    when = at or clock.now()
    change = StatusChange(
        organisation=organisation,
        from_status=organisation.status,
        to_status=to_status,
        at=when,
        by_user_id=getattr(actor, "id", None),
        reason=reason.strip(),
        public_reason=public_reason.strip(),
        is_public=to_status not in _PRIVATE_TARGETS,
    )
    db.session.add(change)
    previous = organisation.status
    organisation.status = to_status
    organisation.status_since = when
    if to_status == Status.ACTIVE and organisation.joined_on is None:
        organisation.joined_on = when.date()
    db.session.flush()
    record(actor, "organisation.status", organisation,
           summary=f"{organisation.name}: {previous} -> {to_status}", reason=reason)
    signals.organisation_status_changed.send(
        organisation, actor=actor, from_status=previous, to_status=to_status
    )
    return change


def add_pledge_update(actor, pledge: Pledge, status: str, note: str = "",
                      report_version_id: int | None = None, at=None) -> PledgeUpdate:
    """Record a dated status/progress entry for a pledge and move the pledge's status."""
    if status not in {s.value for s in PledgeStatus}:
        raise ValidationFailed(_("Unknown pledge status."), field="status")
    when = at or clock.now()
    update = PledgeUpdate(pledge=pledge, status=status, note=note.strip(), at=when,
                          by_user_id=getattr(actor, "id", None),
                          report_version_id=report_version_id)
    db.session.add(update)
    if status != pledge.status:
        pledge.status = status
        pledge.status_since = when
    db.session.flush()
    signals.organisation_changed.send(pledge.organisation, actor=actor)
    return update


def organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.status.not_in([Status.REJECTED]))
        .order_by(Organisation.name_key)
    ).all()
    return [(row.id, row.name) for row in rows]
