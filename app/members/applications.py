"""Applications to join: a visitor applies through /join (the organisation starts as an
applicant with a pending application and endorsement), the secretariat approves or rejects.

The services send `app.members.signals` events; `app.members.notifications` writes the mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock
from app.accounts.models import User
from app.accounts.services import invite_representative
from app.charter.models import CharterVersion
from app.charter.services import current_version
from app.core import signals
from app.core.services import record
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.members import reasons
from app.members import signals as member_signals
from app.members.endorsements import record_endorsement
from app.members.models import Application, ApplicationState, Organisation, Status, StatusChange
from app.members.statuses import change_status
from app.members.validation import (
    OrganisationData,
    apply_data,
    clean_text,
    raise_invalid,
    validate_data,
)
from app.security import ensure_secretariat


@dataclass
class ApplicationData:
    organisation: OrganisationData
    contact_name: str
    contact_email: str
    contact_title: str
    motivation: str
    charter_version_id: int | None
    signatory_name: str
    signatory_title: str
    authorised_to_sign: bool


def _open_version() -> CharterVersion:
    version = current_version()
    if version is None:
        raise Conflict(
            _(
                "The charter has not been published yet, so applications are not "
                "open. Please come back later."
            )
        )
    return version


def _applicant_errors(data: ApplicationData, version: CharterVersion, email: str) -> dict:
    """What is wrong with the application itself (the organisation's fields aside)."""
    errors: dict[str, list[str]] = {}
    if data.charter_version_id != version.id:
        errors["charter_version_id"] = [
            _(
                "A new version of the charter (version %(n)d) has been published since you opened "
                "this form. Please read it, then send the form again.",
                n=version.number,
            )
        ]
    if not data.authorised_to_sign:
        errors["authorised_to_sign"] = [
            _("Only a person authorised to sign for the organisation can endorse the charter.")
        ]
    for field_name, value in (
        ("contact_name", data.contact_name),
        ("signatory_name", data.signatory_name),
        ("signatory_title", data.signatory_title),
    ):
        if not clean_text(value):
            errors[field_name] = [_("Please fill in this field.")]
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        errors["contact_email"] = [_("Enter a valid email address.")]
    return errors


def submit_application(data: ApplicationData) -> Application:
    """A visitor applies through /join. Creates the applicant, its application and the
    pending endorsement; the secretariat and the contact are told (`application_submitted`)."""
    version = _open_version()
    email = clean_text(data.contact_email).lower()
    errors = _applicant_errors(data, version, email)
    org = Organisation(status=Status.APPLICANT, status_since=clock.now())
    _values, org_errors, duplicate = validate_data(org, data.organisation)
    for key, messages in org_errors.items():
        errors.setdefault(key, []).extend(messages)
    if errors:
        raise_invalid(errors, duplicate)
    apply_data(org, data.organisation)
    db.session.add(org)
    db.session.flush()
    now = clock.now()
    db.session.add(
        StatusChange(
            organisation=org,
            from_status=None,
            to_status=Status.APPLICANT,
            at=now,
            is_public=False,
            reason=_("Applied online."),
        )
    )
    application = Application(
        organisation=org,
        contact_name=clean_text(data.contact_name),
        contact_email=email,
        contact_title=clean_text(data.contact_title),
        motivation=clean_text(data.motivation),
        charter_version_id=version.id,
        signatory_name=clean_text(data.signatory_name),
        signatory_title=clean_text(data.signatory_title),
        authorised_to_sign=True,
        state=ApplicationState.PENDING,
        created_at=now,
    )
    db.session.add(application)
    db.session.flush()
    record(None, "application.submitted", application, summary=org.name, contact=email)
    member_signals.application_submitted.send(application, organisation=org, version=version)
    return application


def get_application(actor: User | None, application_id: int) -> Application:
    ensure_secretariat(actor)
    application = db.session.scalar(
        select(Application)
        .options(
            joinedload(Application.organisation).joinedload(Organisation.sector),
            joinedload(Application.charter_version),
            joinedload(Application.decided_by),
        )
        .where(Application.id == application_id)
    )
    if application is None:
        raise NotFound(_("There is no such application."))
    return application


def _ensure_pending(application: Application) -> None:
    if application.state != ApplicationState.PENDING:
        raise Conflict(_("This application has already been decided."))


def _invite_contact(actor: User | None, application: Application, invite_email: str) -> User:
    """Invite the person the secretariat names (by default the contact) to represent the
    new member; a taken address is an error on the invitation field."""
    email = clean_text(invite_email) or application.contact_email
    contact_is_invited = email.lower() == application.contact_email.lower()
    try:
        return invite_representative(
            actor,
            application.organisation,
            email,
            application.contact_name if contact_is_invited else "",
            application.contact_title if contact_is_invited else "",
        )
    except Conflict as error:
        raise Conflict(error.message, field="invite_email") from error


def approve_application(actor: User | None, application: Application, invite_email: str) -> User:
    """The organisation becomes active, its endorsement is recorded and the contact is
    invited as its representative. Returns the invited user."""
    ensure_secretariat(actor)
    _ensure_pending(application)
    org = application.organisation
    change_status(
        actor,
        org,
        Status.ACTIVE,
        reason=_("Application approved."),
        public_reason=reasons.stored(reasons.JOINED),
    )
    if application.charter_version is not None:
        record_endorsement(
            actor,
            org,
            application.charter_version,
            application.signatory_name,
            application.signatory_title,
            application.created_at.date(),
        )
    application.state = ApplicationState.APPROVED
    application.decided_at = clock.now()
    application.decided_by_id = actor.id
    user = _invite_contact(actor, application, invite_email)
    db.session.flush()
    record(actor, "application.approved", application, summary=org.name)
    member_signals.application_approved.send(
        application, actor=actor, organisation=org, invited=user
    )
    signals.organisation_changed.send(org, actor=actor)
    return user


def reject_application(actor: User | None, application: Application, reason: str) -> None:
    ensure_secretariat(actor)
    _ensure_pending(application)
    reason = clean_text(reason)
    if not reason:
        raise ValidationFailed(
            _("Please give the reason; it is sent to the applicant."), field="reason"
        )
    org = application.organisation
    change_status(actor, org, Status.REJECTED, reason=reason)
    application.state = ApplicationState.REJECTED
    application.decided_at = clock.now()
    application.decided_by_id = actor.id
    application.decision_reason = reason
    db.session.flush()
    record(actor, "application.rejected", application, summary=org.name, reason=reason)
    member_signals.application_rejected.send(application, actor=actor, organisation=org)


def applications_queue(actor: User | None, limit_decided: int = 50) -> tuple[list, list]:
    """Pending applications (oldest first) and the latest decided ones."""
    ensure_secretariat(actor)
    base = select(Application).options(
        joinedload(Application.organisation), joinedload(Application.decided_by)
    )
    pending = list(
        db.session.scalars(
            base.where(Application.state == ApplicationState.PENDING).order_by(
                Application.created_at, Application.id
            )
        )
    )
    decided = list(
        db.session.scalars(
            base.where(Application.state != ApplicationState.PENDING)
            .order_by(Application.decided_at.desc(), Application.id.desc())
            .limit(limit_decided)
        )
    )
    return pending, decided
