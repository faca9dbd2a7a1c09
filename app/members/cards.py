"""An organisation at a glance, as plain records: what the representative's dashboard shows
of their own organisation (every representative opens it during the deadline rush).

The statements are built once, at import, with bound parameters: a dashboard neither builds
ORM objects nor SQL expressions for them (both were most of its cost, issue 20).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select

from app.accounts.models import Role, User
from app.charter.models import CharterVersion, VersionStatus
from app.db import read
from app.members.endorsements import ENDORSING_STATUSES
from app.members.models import Organisation, Pledge


@dataclass(frozen=True)
class OrganisationCard:
    id: int
    name: str
    slug: str
    status: str
    status_since: dt.datetime
    category: str
    endorsed_version_id: int | None
    endorsed_number: int | None  # the number of the charter version it endorsed


@dataclass(frozen=True)
class VersionCard:
    id: int
    number: int


@dataclass(frozen=True)
class PersonCard:
    id: int
    name: str
    email: str
    signed_in: bool  # has chosen a password (not only invited)


_ENDORSED = CharterVersion.__table__.alias("endorsed")
_CARD = (
    select(
        Organisation.id,
        Organisation.name,
        Organisation.slug,
        Organisation.status,
        Organisation.status_since,
        Organisation.category,
        Organisation.endorsed_version_id,
        _ENDORSED.c.number,
    )
    .outerjoin(_ENDORSED, _ENDORSED.c.id == Organisation.endorsed_version_id)
    .where(Organisation.id == bindparam("b_org"))
)
_LATEST_PUBLISHED = (
    select(CharterVersion.id, CharterVersion.number)
    .where(CharterVersion.status == VersionStatus.PUBLISHED)
    .order_by(CharterVersion.number.desc())
    .limit(1)
)
_PLEDGE_COUNTS = (
    select(Pledge.status, func.count(Pledge.id))
    .where(Pledge.organisation_id == bindparam("b_org"))
    .group_by(Pledge.status)
)
_REPRESENTATIVES = (
    select(User.id, User.name, User.email, User.password_hash.is_not(None))
    .where(
        User.organisation_id == bindparam("b_org"),
        User.role == Role.REPRESENTATIVE,
        User.active.is_(True),
    )
    .order_by(User.email)
)


def organisation_card(organisation_id: int | None) -> OrganisationCard | None:
    if organisation_id is None:
        return None
    row = read(_CARD, {"b_org": organisation_id}).first()
    return OrganisationCard(*row) if row is not None else None


def latest_published_card() -> VersionCard | None:
    """The newest published charter version (`endorsements.latest_published_version`)."""
    row = read(_LATEST_PUBLISHED).first()
    return VersionCard(*row) if row is not None else None


def endorsement_due(card: OrganisationCard, version: VersionCard | None) -> bool:
    """`endorsements.endorsement_due`, on plain records."""
    return (
        version is not None
        and card.status in ENDORSING_STATUSES
        and card.endorsed_version_id != version.id
        and (card.endorsed_number is None or card.endorsed_number < version.number)
    )


def pledge_counts(organisation_id: int) -> dict[str, int]:
    return dict(read(_PLEDGE_COUNTS, {"b_org": organisation_id}).all())


def active_representatives(organisation_id: int) -> list[PersonCard]:
    return [PersonCard(*row) for row in read(_REPRESENTATIVES, {"b_org": organisation_id})]
