"""A member's public report for a year, from its accepted submission: what it shows, and
the cache of its PDF (`MemberReportPdf`) under a fingerprint of that data.

The PDF is rendered at the edge (`app.transparency.present.member_report`): this module
finds what the report shows, says whether the cached PDF still shows it, and stores a new
one. It flushes and never commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.charter.models import CharterVersion, Principle
from app.core import languages
from app.core.services import store_file
from app.db import db
from app.errors import NotFound
from app.members.models import Organisation, Pledge, Sector
from app.members.models import pledge_principles as pledge_principles_table
from app.reporting.models import Report, ReportingCycle, ReportVersion
from app.transparency import pdfengine
from app.transparency.models import MemberReportPdf
from app.transparency.services import PDF, cycle_for_year

MEMBER_REPORT_VERSION = 4  # bump when the member report's template changes
VARIANT_LENGTH = MemberReportPdf.__table__.c.variant.type.length or 20


@dataclass
class MemberPdf:
    sha256: str
    size: int
    generated_at: dt.datetime
    filename: str


@dataclass
class MemberReport:
    """What a member's public report of a year shows, and its cached PDF."""

    organisation: Organisation
    sector: str | None
    endorsed: int | None
    year: int
    cycle: ReportingCycle
    version: object  # (id, number, reviewed_at, submitted_at, is_late)
    pledges: list = field(default_factory=list)  # (id, title, status, target_date, updated_at)
    principle_keys: dict[int, list[str]] = field(default_factory=dict)  # pledge id -> keys
    variant: str = pdfengine.VARIANT_UA
    language: str = languages.FALLBACK  # the language the PDF is written in
    fingerprint: str = ""
    cached: MemberReportPdf | None = None

    @property
    def translated(self) -> bool:
        return self.language != languages.source_language()

    @property
    def cache_variant(self) -> str:
        """What the cache row's `variant` holds: the PDF variant, and the language when it
        is not the source language ("pdf/ua-1@fr"): one cached PDF per variant and
        language, with no column of its own."""
        if not self.translated:
            return self.variant
        return f"{self.variant}@{self.language}"[:VARIANT_LENGTH]  # the column's length

    @property
    def filename(self) -> str:
        suffix = "-pdfa" if self.variant == pdfengine.VARIANT_A else ""
        if self.translated:
            suffix += f"-{self.language}"
        return f"{self.organisation.slug}-report-{self.year}{suffix}.pdf"

    @property
    def current(self) -> MemberPdf | None:
        """The cached PDF, if it still shows what the report shows."""
        cached = self.cached
        if cached is None or cached.fingerprint != self.fingerprint:
            return None
        return MemberPdf(cached.sha256, cached.size, cached.generated_at, self.filename)


def member_report(
    slug: str, year: int, variant: str = pdfengine.VARIANT_UA, language: str | None = None
) -> MemberReport:
    """A member's public report for a year, from its accepted submission (404 without), in
    `language` (default: the source language; one of the alliance's)."""
    found = db.session.execute(
        select(Organisation, CharterVersion.number, Sector.name)
        .outerjoin(CharterVersion, CharterVersion.id == Organisation.endorsed_version_id)
        .outerjoin(Sector, Sector.id == Organisation.sector_id)
        .where(Organisation.slug == slug)
    ).first()
    if found is None or found[0].joined_on is None or found[0].status in ("applicant", "rejected"):
        raise NotFound(_("There is no such member."))
    organisation, endorsed, sector = found
    cycle = cycle_for_year(year)
    report = MemberReport(
        organisation, sector, endorsed, year, cycle, _accepted_version(cycle, organisation)
    )
    report.variant = variant
    report.language = language if languages.is_language(language) else languages.source_language()
    report.pledges, report.principle_keys = _public_pledges(organisation)
    report.fingerprint = _fingerprint(report)
    report.cached = db.session.scalar(
        select(MemberReportPdf).where(
            MemberReportPdf.organisation_id == organisation.id,
            MemberReportPdf.cycle_id == cycle.id,
            MemberReportPdf.variant == report.cache_variant,
        )
    )
    return report


def _accepted_version(cycle: ReportingCycle, organisation: Organisation):
    version = db.session.execute(
        select(
            ReportVersion.id,
            ReportVersion.number,
            ReportVersion.reviewed_at,
            ReportVersion.submitted_at,
            Report.is_late,
        )
        .join(Report, Report.id == ReportVersion.report_id)
        .where(
            Report.cycle_id == cycle.id,
            Report.organisation_id == organisation.id,
            Report.state == "accepted",
            ReportVersion.review_state == "accepted",
        )
        .order_by(ReportVersion.number.desc())
        .limit(1)
    ).first()
    if version is None:
        raise NotFound(
            _(
                "%(name)s has no accepted report for %(year)s.",
                name=organisation.name,
                year=cycle.year,
            )
        )
    return version


def _public_pledges(organisation: Organisation) -> tuple[list, dict[int, list[str]]]:
    pledges = db.session.execute(
        select(Pledge.id, Pledge.title, Pledge.status, Pledge.target_date, Pledge.updated_at)
        .where(Pledge.organisation_id == organisation.id, Pledge.is_public.is_(True))
        .order_by(Pledge.created_at, Pledge.id)
    ).all()
    keys: dict[int, list[str]] = {}
    if pledges:
        for pledge_id, key in db.session.execute(
            select(pledge_principles_table.c.pledge_id, Principle.key)
            .join(Principle, Principle.id == pledge_principles_table.c.principle_id)
            .where(pledge_principles_table.c.pledge_id.in_([p.id for p in pledges]))
            .order_by(Principle.id)
        ):
            keys.setdefault(pledge_id, []).append(key)
    return pledges, keys


def _fingerprint(report: MemberReport) -> str:
    """A digest of everything the PDF shows: a change to any of it renders it again."""
    organisation, version, keys = report.organisation, report.version, report.principle_keys
    config = current_app.config
    facts = {
        "v": MEMBER_REPORT_VERSION,
        "variant": report.variant,
        "language": report.language,
        "version": version.id,
        "reviewed": str(version.reviewed_at),
        "name": organisation.name,
        "slug": organisation.slug,
        "status": organisation.status,
        "since": str(organisation.status_since),
        "country": organisation.country,
        "category": organisation.category,
        "sector": report.sector,
        "endorsed": report.endorsed,
        "pledges": [
            (p.id, p.title, p.status, str(p.target_date), str(p.updated_at), keys.get(p.id, []))
            for p in report.pledges
        ],
        "alliance": config["ALLIANCE_NAME"],
        "site": config["SERVER_URL"],
        "year": report.year,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def content_checksum(report: MemberReport, sections: list) -> str:
    """SHA-256 of what the report publishes: member, year, version, acceptance, public
    answers (`public_answers` of the accepted snapshot) and public pledges, as canonical
    JSON. The same data gives the same checksum: the page and the PDF cite it alike."""
    facts = {
        "member": report.organisation.slug,
        "year": report.year,
        "version": report.version.number,
        "accepted": str(report.version.reviewed_at),
        "answers": [[s.title, [[a.question, a.display] for a in s.answers]] for s in sections],
        "pledges": [
            [p.title, p.status, str(p.target_date), report.principle_keys.get(p.id, [])]
            for p in report.pledges
        ],
    }
    encoded = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def submitted_snapshot(report: MemberReport) -> dict:
    """The accepted version's snapshot (loaded only when the PDF is rendered)."""
    snapshot = db.session.scalar(
        select(ReportVersion.snapshot).where(ReportVersion.id == report.version.id)
    )
    return snapshot or {}


def store_pdf(report: MemberReport, pdf: bytes) -> MemberPdf:
    """Store a freshly rendered PDF of `report` and remember it under its fingerprint."""
    stored = store_file(pdf, PDF)
    now = clock.now()
    cached = report.cached
    if cached is None:
        cached = MemberReportPdf(
            organisation_id=report.organisation.id,
            cycle_id=report.cycle.id,
            variant=report.cache_variant,
        )
        try:
            with db.session.begin_nested():
                cached.fingerprint, cached.sha256, cached.size = (
                    report.fingerprint,
                    stored.sha256,
                    len(pdf),
                )
                cached.generated_at = now
                db.session.add(cached)
        except IntegrityError:
            # Rendered at the same moment by another request: serve ours, keep theirs.
            return MemberPdf(stored.sha256, len(pdf), now, report.filename)
    else:
        cached.fingerprint, cached.sha256, cached.size = report.fingerprint, stored.sha256, len(pdf)
        cached.generated_at = now
        db.session.flush()
    return MemberPdf(stored.sha256, len(pdf), now, report.filename)
