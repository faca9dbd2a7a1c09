"""Reading the charter: the version in force, published versions and drafts, the
timeline of published versions, and comparisons between two versions. No changes here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import clock
from app.charter.diff import Comparison, PrincipleRecord, compare
from app.charter.models import CharterVersion, PrincipleText, VersionStatus
from app.db import db
from app.errors import NotFound

MAX_VERSION_NUMBER = 2**31 - 1  # version numbers from URLs beyond this are simply not found


# Reading ------------------------------------------------------------------------------------


def current_version(on: dt.date | None = None) -> CharterVersion | None:
    """The version in force on `on` (default: today): the published version with the highest
    number whose effective date is on or before that day."""
    day = on or clock.today()
    return db.session.scalar(
        select(CharterVersion)
        .where(
            CharterVersion.status == VersionStatus.PUBLISHED, CharterVersion.effective_date <= day
        )
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )


def published_versions() -> list[CharterVersion]:
    """Every published version, newest first (without their principles)."""
    return list(
        db.session.scalars(
            select(CharterVersion)
            .where(CharterVersion.status == VersionStatus.PUBLISHED)
            .order_by(CharterVersion.number.desc())
        )
    )


def all_versions() -> list[tuple[CharterVersion, int]]:
    """Drafts and published versions, newest first, each with its number of principles."""
    counts = dict(
        db.session.execute(
            select(PrincipleText.version_id, func.count(PrincipleText.id)).group_by(
                PrincipleText.version_id
            )
        ).all()
    )
    versions = db.session.scalars(
        select(CharterVersion)
        .options(selectinload(CharterVersion.published_by))
        .order_by(CharterVersion.number.desc())
    )
    return [(version, counts.get(version.id, 0)) for version in versions]


def draft_in_progress() -> CharterVersion | None:
    return db.session.scalar(
        select(CharterVersion)
        .where(CharterVersion.status == VersionStatus.DRAFT)
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )


def with_texts():
    return selectinload(CharterVersion.texts).joinedload(PrincipleText.principle)


def load_version(version_id: int) -> CharterVersion:
    """A version (draft or published) with its principles, for the secretariat."""
    version = db.session.scalar(
        select(CharterVersion).options(with_texts()).where(CharterVersion.id == version_id)
    )
    if version is None:
        raise NotFound(_("There is no such charter version."))
    return version


def get_published(number: int) -> CharterVersion:
    """A published version by its public number, with its principles. Drafts are not found."""
    if not 0 < number <= MAX_VERSION_NUMBER:
        raise NotFound(_("There is no version %(n)d of the charter.", n=number))
    version = db.session.scalar(
        select(CharterVersion)
        .options(with_texts())
        .where(CharterVersion.number == number, CharterVersion.status == VersionStatus.PUBLISHED)
    )
    if version is None:
        raise NotFound(_("There is no version %(n)d of the charter.", n=number))
    return version


@dataclass
class Timeline:
    """Where published versions stand today. Built from one query; versions are few."""

    versions: list[CharterVersion]  # published, newest first
    today: dt.date

    @property
    def current(self) -> CharterVersion | None:
        return next((v for v in self.versions if v.effective_date <= self.today), None)

    @property
    def upcoming(self) -> list[CharterVersion]:
        """Published versions not yet in force, soonest first."""
        return sorted(
            (v for v in self.versions if v.effective_date > self.today), key=lambda v: v.number
        )

    @property
    def latest(self) -> CharterVersion | None:
        return self.versions[0] if self.versions else None

    def status(self, version: CharterVersion) -> str:
        """ "current", "upcoming", "superseded" (or "draft")."""
        if not version.is_published:
            return "draft"
        if version.effective_date > self.today:
            return "upcoming"
        current = self.current
        return "current" if current is not None and current.id == version.id else "superseded"

    def previous(self, version: CharterVersion) -> CharterVersion | None:
        return next((v for v in self.versions if v.number < version.number), None)

    def next(self, version: CharterVersion) -> CharterVersion | None:
        later = [v for v in self.versions if v.number > version.number]
        return later[-1] if later else None

    def superseded_on(self, version: CharterVersion) -> dt.date | None:
        """The day a later version took effect, for a version no longer in force."""
        if self.status(version) != "superseded":
            return None
        later = [
            v.effective_date
            for v in self.versions
            if v.number > version.number and v.effective_date <= self.today
        ]
        return min(later) if later else None

    def by_number(self, number: int) -> CharterVersion | None:
        return next((v for v in self.versions if v.number == number), None)


def timeline(on: dt.date | None = None) -> Timeline:
    return Timeline(published_versions(), on or clock.today())


# Comparing ----------------------------------------------------------------------------------


def records(version: CharterVersion) -> list[PrincipleRecord]:
    return [
        PrincipleRecord(t.principle.key, t.number, t.title, t.body_md or "", t.theme or "")
        for t in version.texts
    ]


def compare_versions(old: CharterVersion, new: CharterVersion) -> Comparison:
    """What changed from `old` to `new` (both loaded with their principles)."""
    return compare(
        records(old),
        records(new),
        old_title=old.title,
        new_title=new.title,
        old_preamble=old.preamble_md or "",
        new_preamble=new.preamble_md or "",
    )


def versions_for_comparison(a: int, b: int) -> tuple[CharterVersion, CharterVersion]:
    """Two published versions by number, with their principles, in two queries."""
    for n in (a, b):
        if not 0 < n <= MAX_VERSION_NUMBER:
            raise NotFound(_("There is no version %(n)d of the charter.", n=n))
    found = {
        v.number: v
        for v in db.session.scalars(
            select(CharterVersion)
            .options(with_texts())
            .where(
                CharterVersion.number.in_({a, b}), CharterVersion.status == VersionStatus.PUBLISHED
            )
        )
    }
    for n in (a, b):
        if n not in found:
            raise NotFound(_("There is no version %(n)d of the charter.", n=n))
    return found[a], found[b]
