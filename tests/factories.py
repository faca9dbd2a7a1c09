"""Object builders for tests: each returns a flushed (not committed) model instance.

Tests that go through HTTP should `db.session.commit()` after building, so the request
sees the data.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

from app.accounts.models import User
from app.db import db
from app.members.models import Organisation, Sector

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_password_hash: str | None = None


def _hash() -> str:
    global _password_hash
    if _password_hash is None:
        probe = User(email="x@x")
        probe.set_password(PASSWORD)
        _password_hash = probe.password_hash
    return _password_hash


def make_user(
    role: str = "representative",
    organisation=None,
    email: str | None = None,
    name: str = "",
    password: str | None = PASSWORD,
    active: bool = True,
) -> User:
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.org",
        name=name or f"User {n}",
        role=role,
        organisation=organisation,
        active=active,
    )
    if password == PASSWORD:
        user.password_hash = _hash()
    elif password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_sector(name: str = "Software") -> Sector:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    sector = db.session.query(Sector).filter_by(slug=slug).one_or_none()
    if sector is None:
        sector = Sector(name=name, slug=slug)
        db.session.add(sector)
        db.session.flush()
    return sector


def make_org(
    name: str | None = None,
    status: str = "active",
    country: str = "DE",
    category: str = "company",
    sector: str | None = "Software",
    joined_on: dt.date | None = dt.date(2024, 1, 15),
    **extra,
) -> Organisation:
    n = next(_counter)
    name = name or f"Organisation {n}"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    org = Organisation(
        name=name,
        name_key=" ".join(name.lower().split()),
        slug=slug,
        country=country,
        category=category,
        sector=make_sector(sector) if sector else None,
        status=status,
        joined_on=joined_on if status != "applicant" else None,
        **extra,
    )
    db.session.add(org)
    db.session.flush()
    return org
