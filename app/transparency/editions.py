"""Published editions of the annual report, per language: each language has its own
editions, numbered from 1; the archive lists them all; a reader asking for a language
that has no edition of a report yet gets the source language's, and is told so.
Reading only (no authorisation: editions are public)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import languages
from app.db import db
from app.errors import NotFound
from app.reporting.models import ReportingCycle
from app.transparency.models import AnnualReport, Edition


def cycle_for_year(year: int) -> ReportingCycle:
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year))
    if cycle is None:
        raise NotFound(_("There is no reporting cycle for %(year)s.", year=year))
    return cycle


def ensure_language(language: str | None) -> str:
    """One of the alliance's languages (None: the source language), or 404."""
    if language is None:
        return languages.source_language()
    if not languages.is_language(language):
        raise NotFound(_("The transparency report is not published in this language."))
    return language


def editions_of(year: int, language: str | None = None) -> list[Edition]:
    """The published editions of a year's report, newest first (in `language` only, when
    given; else in every language, the source language's first)."""
    cycle = cycle_for_year(year)
    query = (
        select(Edition)
        .join(AnnualReport, AnnualReport.id == Edition.annual_report_id)
        .where(AnnualReport.cycle_id == cycle.id)
        .order_by(Edition.number.desc(), Edition.published_at.desc(), Edition.id.desc())
    )
    if language is not None:
        query = query.where(Edition.language == language)
    found = db.session.scalars(query).all()
    order = {code: i for i, code in enumerate(languages.languages())}
    return sorted(found, key=lambda e: order.get(e.language, len(order)))


@dataclass
class ArchiveRow:
    year: int
    title: str
    edition: Edition
    is_latest: bool  # the latest edition of its year in its language

    @property
    def language(self) -> str:
        return self.edition.language


def archive() -> list[ArchiveRow]:
    """Every published edition in every language: newest year first, then by language (the
    source first, in the configured order), latest edition first."""
    rows = db.session.execute(
        select(Edition, ReportingCycle.year, ReportingCycle.title)
        .join(AnnualReport, AnnualReport.id == Edition.annual_report_id)
        .join(ReportingCycle, ReportingCycle.id == AnnualReport.cycle_id)
        .order_by(ReportingCycle.year.desc(), Edition.number.desc())
    ).all()
    order = {code: i for i, code in enumerate(languages.languages())}
    rows = sorted(rows, key=lambda r: (-r.year, order.get(r[0].language, len(order))))
    seen: set[tuple[int, str]] = set()
    result = []
    for edition, year, title in rows:
        result.append(ArchiveRow(year, title, edition, (year, edition.language) not in seen))
        seen.add((year, edition.language))
    return result


@dataclass
class Found:
    """The edition a reader asked for: in their language, or (when that language has no
    edition yet) the source language's, with `asked` saying which was asked for."""

    edition: Edition
    asked: str
    editions: list[Edition]  # every edition of the report, as `editions_of` orders them

    @property
    def fallback(self) -> bool:
        return self.edition.language != self.asked

    @property
    def in_its_language(self) -> list[Edition]:
        """The editions in the language of the one found, newest first."""
        return [e for e in self.editions if e.language == self.edition.language]

    @property
    def is_latest(self) -> bool:
        return self.edition.id == self.in_its_language[0].id

    @property
    def latest_by_language(self) -> list[Edition]:
        """The latest edition in each language that has one (the source first)."""
        seen: dict[str, Edition] = {}
        for e in self.editions:
            seen.setdefault(e.language, e)
        return list(seen.values())


def edition(year: int, number: int | None = None, language: str | None = None) -> Edition:
    """A published edition in `language` (default: the source language), the latest when
    `number` is None, or 404."""
    language = ensure_language(language)
    query = (
        select(Edition)
        .join(AnnualReport, AnnualReport.id == Edition.annual_report_id)
        .join(ReportingCycle, ReportingCycle.id == AnnualReport.cycle_id)
        .where(ReportingCycle.year == year, Edition.language == language)
    )
    if number is None:
        query = query.order_by(Edition.number.desc()).limit(1)
    else:
        query = query.where(Edition.number == number)
    found = db.session.scalar(query)
    if found is None:
        raise NotFound(_("No published transparency report for %(year)s.", year=year))
    return found


def edition_for_reader(year: int, language: str, number: int | None = None) -> Found:
    """The edition in `language` (a configured one; else 404); when that language has no
    edition of this report at all, the source language's (a fallback the page says)."""
    language = ensure_language(language)
    editions = editions_of(year)
    if not editions:
        raise NotFound(_("No published transparency report for %(year)s.", year=year))
    source = languages.source_language()
    has_language = any(e.language == language for e in editions)
    wanted = language if has_language else source
    for e in editions:  # newest first
        if e.language == wanted and (number is None or e.number == number):
            return Found(e, language, editions)
    raise NotFound(_("No published transparency report for %(year)s.", year=year))
