"""Organisations: finding one (and whether the viewer may see or manage it), adding one,
editing its profile and logo.

Services take the acting user explicitly (None for an anonymous visitor or an automatic
rule), check authorisation with `app.security`, raise `DomainError`s with a message for
the field concerned, flush, and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.accounts.models import User
from app.core import signals
from app.core.services import record, store_file
from app.db import db
from app.errors import NotFound
from app.members.models import Organisation, OrganisationSlug, Status, StatusChange
from app.members.slugs import SLUG_PATTERN
from app.members.uploads import clean_logo
from app.members.validation import OrganisationData, apply_data
from app.security import ensure_can_manage_org, ensure_secretariat, is_secretariat, represents


def organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.status.not_in([Status.REJECTED]))
        .order_by(Organisation.name_key)
    ).all()
    return [(row.id, row.name) for row in rows]


def get_by_slug(slug: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(_("There is no such member."))
    return org


def can_view(viewer: User | None, org: Organisation) -> bool:
    return org.is_listed or is_secretariat(viewer) or represents(viewer, org.id)


def get_visible(viewer: User | None, slug: str) -> Organisation:
    """An organisation the viewer may see: listed members for everyone; applications only
    for the secretariat (and the organisation's own representatives)."""
    org = get_by_slug(slug)
    if not can_view(viewer, org):
        raise NotFound(_("There is no such member."))
    return org


@dataclass(frozen=True)
class MovedTo:
    slug: str  # the organisation's current slug
    public: bool  # the same answer for everyone (a listed member's published old slug)


def moved_to(viewer: User | None, slug: str) -> MovedTo | None:
    """Where an old `slug` (one an organisation had before a rename) leads, when the viewer
    may follow it; None otherwise. The public follows the old slugs of listed members that
    were published (retired while listed): a pending applicant's old slug is as unknown as
    its current one, and so is the slug an application had before its approval (it would
    tell its former name). The secretariat and the representatives follow all."""
    if not SLUG_PATTERN.fullmatch(slug):
        return None
    found = db.session.execute(
        select(Organisation, OrganisationSlug.was_listed)
        .join(OrganisationSlug, OrganisationSlug.organisation_id == Organisation.id)
        .where(OrganisationSlug.slug == slug)
    ).first()
    if found is None:
        return None
    org, was_listed = found
    public = was_listed and org.is_listed
    if public or is_secretariat(viewer) or represents(viewer, org.id):
        return MovedTo(org.slug, public)
    return None


def get_manageable(actor: User | None, slug: str) -> Organisation:
    org = get_by_slug(slug)
    ensure_can_manage_org(actor, org.id)
    return org


def create_organisation(actor: User | None, data: OrganisationData) -> Organisation:
    """The secretariat adds an organisation directly (it starts as an applicant)."""
    ensure_secretariat(actor)
    org = Organisation(status=Status.APPLICANT, status_since=clock.now())
    apply_data(org, data)
    db.session.add(org)
    db.session.flush()
    db.session.add(
        StatusChange(
            organisation=org,
            from_status=None,
            to_status=Status.APPLICANT,
            at=clock.now(),
            by_user_id=actor.id,
            is_public=False,
            reason=_("Added by the secretariat."),
        )
    )
    db.session.flush()
    record(actor, "organisation.created", org, summary=org.name)
    return org


def update_organisation(
    actor: User | None, org: Organisation, data: OrganisationData
) -> Organisation:
    ensure_can_manage_org(actor, org.id)
    before, before_slug = org.name, org.slug
    apply_data(org, data)  # a new name: a new slug, the old one kept (app.members.slugs)
    org.updated_at = clock.now()
    db.session.flush()
    renamed = {"renamed_from": before} if before != org.name else {}
    if before_slug != org.slug:
        renamed["slug_from"] = before_slug
    record(actor, "organisation.updated", org, summary=org.name, **renamed)
    signals.organisation_changed.send(org, actor=actor)
    return org


def set_logo(actor: User | None, org: Organisation, data: bytes) -> None:
    """Check, clean and store a logo upload (see app.members.uploads)."""
    ensure_can_manage_org(actor, org.id)
    png = clean_logo(data, current_app.config["LOGO_MAX_BYTES"])
    stored = store_file(png, "image/png")
    org.logo_sha256 = stored.sha256
    org.updated_at = clock.now()
    db.session.flush()
    record(actor, "organisation.logo", org, summary=org.name, sha256=stored.sha256)
    signals.organisation_changed.send(org, actor=actor)


def remove_logo(actor: User | None, org: Organisation) -> None:
    ensure_can_manage_org(actor, org.id)
    org.logo_sha256 = None
    org.updated_at = clock.now()
    db.session.flush()
    record(actor, "organisation.logo_removed", org, summary=org.name)
    signals.organisation_changed.send(org, actor=actor)
