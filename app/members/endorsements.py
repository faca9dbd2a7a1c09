"""Endorsements: a member signs a published version of the charter.

When a charter version is published, the representatives of every endorsing member are
asked to endorse it (`representatives_to_ask`; the mail is sent by
`app.members.notifications`, and their dashboard shows the same request).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.accounts.models import Role, User
from app.charter.models import CharterVersion, VersionStatus
from app.core import signals
from app.core.labels import label
from app.core.services import record
from app.db import db
from app.errors import Conflict, ValidationFailed
from app.members.models import Endorsement, Organisation, Status
from app.members.validation import clean_text
from app.security import ensure_can_manage_org

# Members who are asked to endorse each new charter version.
ENDORSING_STATUSES = (Status.ACTIVE, Status.NON_COMMUNICATING)


def record_endorsement(
    actor: User | None,
    org: Organisation,
    version: CharterVersion,
    signatory_name: str,
    signatory_title: str,
    endorsed_on: dt.date,
) -> Endorsement:
    exists = db.session.scalar(
        select(Endorsement.id).where(
            Endorsement.organisation_id == org.id, Endorsement.charter_version_id == version.id
        )
    )
    if exists is not None:
        raise Conflict(
            _(
                "%(org)s has already endorsed version %(n)d of the charter.",
                org=org.name,
                n=version.number,
            )
        )
    endorsement = Endorsement(
        organisation_id=org.id,
        charter_version_id=version.id,
        signatory_name=signatory_name,
        signatory_title=signatory_title,
        endorsed_on=endorsed_on,
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(endorsement)
    db.session.flush()
    # The directory shows the newest version endorsed.
    newest = db.session.scalar(
        select(CharterVersion.id)
        .join(Endorsement, Endorsement.charter_version_id == CharterVersion.id)
        .where(Endorsement.organisation_id == org.id)
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )
    org.endorsed_version_id = newest
    db.session.flush()
    return endorsement


def latest_published_version() -> CharterVersion | None:
    """The newest published charter version (in force, or published with a later date):
    the one members are asked to endorse."""
    return db.session.scalar(
        select(CharterVersion)
        .where(CharterVersion.status == VersionStatus.PUBLISHED)
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )


def endorsement_due(org: Organisation, version: CharterVersion | None) -> bool:
    """Should this member be asked to endorse `version`?"""
    return (
        version is not None
        and org.status in ENDORSING_STATUSES
        and org.endorsed_version_id != version.id
        and (org.endorsed_version is None or org.endorsed_version.number < version.number)
    )


def _signature_errors(signatory_name: str, signatory_title: str, authorised: bool) -> dict:
    errors: dict[str, list[str]] = {}
    if not clean_text(signatory_name):
        errors["signatory_name"] = [_("Please fill in this field.")]
    if not clean_text(signatory_title):
        errors["signatory_title"] = [_("Please fill in this field.")]
    if not authorised:
        errors["authorised"] = [
            _("Only a person authorised to sign for the organisation can endorse the charter.")
        ]
    return errors


def endorse(
    actor: User | None,
    org: Organisation,
    version_id: int | None,
    signatory_name: str,
    signatory_title: str,
    authorised: bool,
) -> Endorsement:
    """A representative (or the secretariat, for a paper signature) endorses the newest
    published charter version for its organisation."""
    ensure_can_manage_org(actor, org.id)
    version = latest_published_version()
    errors: dict[str, list[str]] = {}
    if version is None:
        raise Conflict(_("No charter version has been published yet."))
    if version_id != version.id:
        errors["version_id"] = [
            _(
                "You can only endorse the newest version of the charter (version %(n)d).",
                n=version.number,
            )
        ]
    if org.status not in ENDORSING_STATUSES:
        raise Conflict(
            _(
                "Only active members endorse the charter; %(org)s is %(status)s.",
                org=org.name,
                status=label("status", org.status).lower(),
            )
        )
    errors.update(_signature_errors(signatory_name, signatory_title, authorised))
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    endorsement = record_endorsement(
        actor, org, version, clean_text(signatory_name), clean_text(signatory_title), clock.today()
    )
    record(
        actor,
        "organisation.endorsed",
        org,
        summary=f"{org.name}: version {version.number}",
        version=version.number,
    )
    signals.organisation_changed.send(org, actor=actor)
    return endorsement


@dataclass
class MemberToAsk:
    """A member asked to endorse a new charter version, and who to write to."""

    name: str
    slug: str
    emails: list[str] = field(default_factory=list)


def representatives_to_ask() -> list[MemberToAsk]:
    """Every endorsing member with the active representatives who have an account (one
    statement), in the order of the organisations' ids, each one's addresses in alphabetical
    order (PostgreSQL returns a join's rows in no particular order otherwise)."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.slug, User.email, User.name)
        .join(User, User.organisation_id == Organisation.id)
        .where(
            Organisation.status.in_([s.value for s in ENDORSING_STATUSES]),
            User.role == Role.REPRESENTATIVE,
            User.active.is_(True),
            User.password_hash.is_not(None),
        )
        .order_by(Organisation.id, User.email)
    )
    by_org: dict[int, MemberToAsk] = {}
    for row in rows:
        by_org.setdefault(row.id, MemberToAsk(row.name, row.slug)).emails.append(row.email)
    return list(by_org.values())
