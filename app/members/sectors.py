"""Sectors: the secretariat's list of fields members work in (the directory filters by it)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.core import signals
from app.core.services import record
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.members.models import Organisation, Sector
from app.members.slugs import slugify
from app.members.validation import clean_text
from app.security import ensure_secretariat


def sectors_with_counts(actor: User | None) -> list[tuple[Sector, int]]:
    ensure_secretariat(actor)
    rows = db.session.execute(
        select(Sector, func.count(Organisation.id))
        .outerjoin(Organisation, Organisation.sector_id == Sector.id)
        .group_by(Sector.id)
        .order_by(Sector.name)
    )
    return [(row[0], row[1]) for row in rows]


def _validate_sector_name(name: str, exclude_id: int | None = None) -> tuple[str, str]:
    name = " ".join(clean_text(name).split())
    if not name:
        raise ValidationFailed(_("Please fill in the sector's name."), field="name")
    if len(name) > 120:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=120), field="name")
    slug = slugify(name)
    if not slug:
        raise ValidationFailed(_("Use at least one letter or digit."), field="name")
    clash = db.session.scalar(
        select(Sector.id).where(
            (func.lower(Sector.name) == name.lower()) | (Sector.slug == slug),
            Sector.id != (exclude_id or 0),
        )
    )
    if clash is not None:
        raise Conflict(_("There is already a sector with this name."), field="name")
    return name, slug


def create_sector(actor: User | None, name: str) -> Sector:
    ensure_secretariat(actor)
    name, slug = _validate_sector_name(name)
    sector = Sector(name=name, slug=slug)
    db.session.add(sector)
    db.session.flush()
    record(actor, "sector.created", sector, summary=name)
    return sector


def get_sector(actor: User | None, sector_id: int) -> Sector:
    ensure_secretariat(actor)
    sector = db.session.get(Sector, sector_id)
    if sector is None:
        raise NotFound(_("There is no such sector."))
    return sector


def rename_sector(actor: User | None, sector: Sector, name: str) -> Sector:
    ensure_secretariat(actor)
    before = sector.name
    sector.name, sector.slug = _validate_sector_name(name, exclude_id=sector.id)
    db.session.flush()
    record(actor, "sector.renamed", sector, summary=f"{before} -> {sector.name}")
    # Every member of the sector shows the new name: no single organisation is the sender.
    signals.organisation_changed.send(None, actor=actor, sector=sector)
    return sector


def delete_sector(actor: User | None, sector: Sector) -> None:
    ensure_secretariat(actor)
    used = db.session.scalar(
        select(func.count(Organisation.id)).where(Organisation.sector_id == sector.id)
    )
    if used:
        raise Conflict(
            _(
                "%(n)d organisations are in this sector. Move them to another "
                "sector before deleting it.",
                n=used,
            )
        )
    record(actor, "sector.deleted", sector, summary=sector.name)
    db.session.delete(sector)
    db.session.flush()
