"""A member's public report as a page, and members side by side, question by question.

Both read the accepted version's snapshot (`app.transparency.member_reports`,
`app.transparency.queries.accepted_snapshots`) and keep only the answers to public
questions (`app.transparency.public_answers`): no evidence file, no reviewer's comment,
no person's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.charter.translations.reading import Text
from app.db import db
from app.errors import NotFound
from app.members.directory.statements import listed_condition
from app.members.models import Organisation
from app.reporting.models import Report, ReportingCycle, ReportVersion
from app.reporting.translations.public import PublicTexts, snapshot_texts
from app.transparency import member_reports
from app.transparency.member_reports import MemberReport
from app.transparency.public_answers import PublicSection, public_answers
from app.transparency.queries import accepted_snapshots
from app.transparency.services import cycle_for_year

MAX_COMPARED = 4
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass
class ReportPage:
    report: MemberReport
    sections: list[PublicSection]
    checksum: str
    texts: PublicTexts  # the questions' and principles' texts in the reader's language


def member_report_page(slug: str, year: int, language: str | None = None) -> ReportPage:
    """The member's public report of `year` (404 without an accepted one), its questions
    and section titles in `language` (default: the reader's), the answers as written."""
    report = member_reports.member_report(slug, year)
    snapshot = member_reports.submitted_snapshot(report)
    texts = snapshot_texts([snapshot], language, report.cycle.charter_version_id)
    sections = public_answers(snapshot, texts)  # never an evidence question: files are private
    return ReportPage(report, sections, member_reports.content_checksum(report, sections), texts)


# Comparing members ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    slug: str
    country: str
    category: str


@dataclass
class Row:
    section: Text
    question: Text
    cells: list[str | None]  # one per member: the answer shown, None without one

    @property
    def differs(self) -> bool:
        return len(set(self.cells)) > 1


@dataclass
class Comparison:
    slugs: list[str]
    year: int | None
    years: list[int]
    members: list[Member] = field(default_factory=list)
    reported: list[bool] = field(default_factory=list)  # per member: an accepted report
    rows: list[Row] = field(default_factory=list)
    error: str = ""
    texts: PublicTexts | None = None  # the questions' texts in the reader's language

    @property
    def complete(self) -> bool:
        return len(self.members) >= 2


def parse_slugs(args: Mapping) -> list[str]:
    """`members=a,b,c` (or `members` repeated), deduplicated, in order."""
    raw = args.getlist("members") if hasattr(args, "getlist") else [args.get("members") or ""]
    slugs = []
    for part in ",".join(raw).split(","):
        slug = part.strip().lower()
        if slug and slug not in slugs:
            slugs.append(slug)
    return slugs


def compare(args: Mapping, language: str | None = None) -> Comparison:
    """Two to four members side by side in one year, question by question (the questions
    in `language`, default the reader's; the answers as written)."""
    slugs = parse_slugs(args)
    if len(slugs) > MAX_COMPARED:
        message = _(
            "Compare at most %(n)d members at a time: you chose %(m)d.",
            n=MAX_COMPARED,
            m=len(slugs),
        )
        return Comparison(slugs[:MAX_COMPARED], None, [], error=message)
    bad = [s for s in slugs if not _SLUG.match(s)]
    if bad:
        message = _(
            "“%(slug)s” is not a member's address name (letters, digits and hyphens).",
            slug=bad[0][:100],
        )
        return Comparison([s for s in slugs if s not in bad], None, [], error=message)
    members = _members(slugs)
    missing = [s for s in slugs if s not in {m.slug for m in members}]
    if missing:
        raise NotFound(_("There is no member “%(slug)s”.", slug=missing[0]))
    members.sort(key=lambda m: slugs.index(m.slug))
    years = _years([m.id for m in members])
    comparison = Comparison(slugs, None, years, members)
    comparison.year, comparison.error = _year(args, years)
    if comparison.error or comparison.year is None or not comparison.complete:
        return comparison
    cycle = cycle_for_year(comparison.year)
    snapshots = accepted_snapshots(cycle.id, [m.id for m in members])
    comparison.reported = [m.id in snapshots for m in members]
    ordered = [snapshots.get(m.id) for m in members]
    comparison.texts = snapshot_texts(ordered, language, cycle.charter_version_id)
    comparison.rows = _rows(ordered, comparison.texts)
    return comparison


def _members(slugs: list[str]) -> list[Member]:
    if not slugs:
        return []
    rows = db.session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.slug,
            Organisation.country,
            Organisation.category,
        ).where(Organisation.slug.in_(slugs), listed_condition())
    ).all()
    return [Member(*r) for r in rows]


def _years(org_ids: list[int]) -> list[int]:
    """Years in which at least one of the members has an accepted report, newest first."""
    if not org_ids:
        return []
    rows = db.session.execute(
        select(func.distinct(ReportingCycle.year))
        .join(Report, Report.cycle_id == ReportingCycle.id)
        .join(ReportVersion, ReportVersion.id == Report.current_version_id)
        .where(
            Report.organisation_id.in_(org_ids),
            Report.state == "accepted",
            ReportVersion.review_state == "accepted",
        )
        .order_by(ReportingCycle.year.desc())
    ).scalars()
    return list(rows)


def _year(args: Mapping, years: list[int]) -> tuple[int | None, str]:
    raw = (args.get("year") or "").strip()
    if not raw:
        return (years[0] if years else None), ""
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        return None, _("Give the year as four digits, such as 2024.")
    year = int(raw)
    if year not in years:
        raise NotFound(_("None of these members has an accepted report for %(year)s.", year=raw))
    return year, ""


def _rows(snapshots: list[dict | None], texts: PublicTexts) -> list[Row]:
    """One row per public question (by lineage) of any of the snapshots, in their order."""
    order: list[str] = []
    found: dict[str, tuple[Text, Text, list[str | None]]] = {}
    for index, snapshot in enumerate(snapshots):
        charter = ((snapshot or {}).get("charter_version") or {}).get("id")
        for section in (snapshot or {}).get("sections") or []:
            for q in section.get("questions") or []:
                if not q.get("is_public") or q.get("type") == "evidence":
                    continue
                lineage = str(q.get("lineage") or q.get("id"))
                if lineage not in found:
                    order.append(lineage)
                    qid = q.get("id") if isinstance(q.get("id"), int) else -1
                    found[lineage] = (
                        texts.section(section, charter),
                        texts.question(qid, str(q.get("text") or "")),
                        [None] * len(snapshots),
                    )
                if q.get("shown") is not False:
                    found[lineage][2][index] = _shown(q, texts)
    return [Row(*found[lineage]) for lineage in order]


def _shown(question: dict, texts: PublicTexts) -> str:
    """The answer as the page shows it: choices by their labels in the reader's language
    (a cell compares as text, so it is plain)."""
    for section in public_answers({"sections": [{"title": "", "questions": [question]}]}, texts):
        for answer in section.answers:
            if answer.choice_labels:
                return ", ".join(label.text for label in answer.choice_labels)
            return answer.display
    return ""
