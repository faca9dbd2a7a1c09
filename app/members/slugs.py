"""Slugs: the name of an organisation in its URLs (/members/<slug>, its logo, its report
PDFs and pages, its API record).

A rename gives a new slug, and the old one is kept (`OrganisationSlug`): its URLs answer 301
to the current ones (`organisations.moved_to`, `app.members.slug_views`), and no other
organisation may ever take it, so a link once published never names another member. A slug that becomes current again for
its own organisation (renamed back) is no longer retired, and stops redirecting. A slug
retired before the organisation was listed (an application renamed before its approval) was
never published: it redirects only for those who could see it then.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import delete, select, union_all

from app import clock
from app.db import db
from app.members.models import Organisation, OrganisationSlug

SLUG_MAX = 200
# What `slugify` makes. Anything else names no member, and may hold what a database refuses
# to compare (PostgreSQL: a NUL character), so it is never looked up.
SLUG_PATTERN = re.compile(r"[a-z0-9-]{1,220}")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")


def unique_slug(name: str, exclude_id: int | None = None) -> str:
    """The slug for `name`: its slugify()d form, or that with "-2", "-3" … when another
    organisation has it, or had it (a retired slug stays its old owner's). The organisation
    `exclude_id` may take back its own current or retired slugs."""
    base = slugify(name) or "organisation"
    other = exclude_id or 0
    current = select(Organisation.slug.label("slug")).where(
        (Organisation.slug == base) | Organisation.slug.like(f"{base}-%"),
        Organisation.id != other,
    )
    retired = select(OrganisationSlug.slug.label("slug")).where(
        (OrganisationSlug.slug == base) | OrganisationSlug.slug.like(f"{base}-%"),
        OrganisationSlug.organisation_id != other,
    )
    taken = set(db.session.scalars(union_all(current, retired)))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def change_slug(org: Organisation, slug: str) -> None:
    """Give `org` the slug `slug` (from `unique_slug`), keeping its present one as retired.
    One of its own retired slugs that becomes current again is no longer retired."""
    old = org.slug
    if old == slug:
        return
    if org.id is not None:
        db.session.execute(
            delete(OrganisationSlug).where(
                OrganisationSlug.slug == slug, OrganisationSlug.organisation_id == org.id
            )
        )
    if old:
        # merge: a row for the present slug (written by hand, say) is brought up to date
        # rather than refused as a duplicate.
        db.session.merge(
            OrganisationSlug(
                slug=old,
                organisation_id=org.id,
                retired_at=clock.now(),
                was_listed=org.is_listed,
            )
        )
    org.slug = slug


def retired_slugs(org: Organisation) -> list[str]:
    """The organisation's former slugs, newest first."""
    return list(
        db.session.scalars(
            select(OrganisationSlug.slug)
            .where(OrganisationSlug.organisation_id == org.id)
            .order_by(OrganisationSlug.retired_at.desc(), OrganisationSlug.slug)
        )
    )
