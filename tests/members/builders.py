"""Builders for the members tests (plain functions, so browser tests can use them too)."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from app import clock
from app.charter.models import CharterVersion, Principle, PrincipleText
from app.db import db
from app.members.models import Application, Endorsement, Pledge, PledgeUpdate, StatusChange

PRINCIPLES = [
    ("Protect all users", "Security"),
    ("Disclose vulnerabilities responsibly", "Security"),
    ("Respect human rights online", "Rights"),
]


def make_version(
    number: int = 1,
    effective: dt.date | None = None,
    principles: list[Principle] | None = None,
    status: str = "published",
    extra_principle: bool = False,
) -> CharterVersion:
    """A charter version with its principles (new identities unless given). The version
    and its texts are flushed together: a published version cannot change afterwards."""
    effective = effective or dt.date(2023, 1, 1)
    if principles is None:
        existing = db.session.query(Principle).count()
        principles = [Principle(key=f"P{existing + i + 1}") for i in range(len(PRINCIPLES))]
        db.session.add_all(principles)
    items = list(principles)
    if extra_principle:
        extra = Principle(key=f"P{db.session.query(Principle).count() + 1}")
        db.session.add(extra)
        items.append(extra)
    db.session.flush()
    version = CharterVersion(
        number=number,
        title=f"Charter v{number}",
        status=status,
        effective_date=effective if status == "published" else None,
        published_at=dt.datetime.combine(effective, dt.time(9), dt.UTC)
        if status == "published"
        else None,
        change_summary=f"Changes in v{number}",
    )
    for i, principle in enumerate(items):
        title, theme = PRINCIPLES[i] if i < len(PRINCIPLES) else ("Build security in", "Security")
        version.texts.append(
            PrincipleText(
                principle_id=principle.id,
                number=i + 1,
                position=i,
                title=title,
                theme=theme,
                body_md=f"Body of {title}.",
            )
        )
    db.session.add(version)
    db.session.flush()
    return version


def principles_of(version: CharterVersion) -> list[Principle]:
    return [t.principle for t in sorted(version.texts, key=lambda t: t.position)]


def endorse(org, version, on: dt.date | None = None) -> Endorsement:
    endorsement = Endorsement(
        organisation_id=org.id,
        charter_version_id=version.id,
        signatory_name="Ada Signer",
        signatory_title="CEO",
        endorsed_on=on or dt.date(2024, 1, 15),
    )
    db.session.add(endorsement)
    org.endorsed_version_id = version.id
    db.session.flush()
    return endorsement


def make_pledge(
    org,
    principles,
    title: str = "Fix bugs fast",
    is_public: bool = True,
    status: str = "planned",
    target: dt.date | None = None,
) -> Pledge:
    now = clock.now()
    pledge = Pledge(
        organisation=org,
        title=title,
        indicator="Median days to fix",
        description_md="We *will* fix them.",
        is_public=is_public,
        target_date=target or dt.date(now.year + 2, 12, 31),
        status=status,
        status_since=now,
        principles=list(principles),
    )
    pledge.updates.append(PledgeUpdate(at=now, status=status, note="Pledge made."))
    db.session.add(pledge)
    db.session.flush()
    return pledge


def make_application(org, version, email: str = "contact@applicant.example") -> Application:
    application = Application(
        organisation=org,
        contact_name="Carla Contact",
        contact_email=email,
        contact_title="Director",
        charter_version_id=version.id if version else None,
        signatory_name="Sam Signer",
        signatory_title="CEO",
        authorised_to_sign=True,
    )
    db.session.add(application)
    db.session.add(
        StatusChange(
            organisation=org,
            from_status=None,
            to_status="applicant",
            is_public=False,
            reason="Applied online.",
        )
    )
    db.session.flush()
    return application


def image_bytes(fmt: str = "PNG", size=(64, 32), mode: str = "RGB", **save) -> bytes:
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()
