"""Keeping the search index equal to what the public may read.

Entries are rebuilt per member (when a report is accepted, a pledge or the profile changes,
the status changes) and for the charter (when a version is published); `reindex_all`
rebuilds everything (`flask pactum reindex`). Every function flushes, never commits: the
signals' receivers run inside the service's transaction, the command in its unit of work.

What enters: answers to questions marked public, as the accepted version's snapshot holds
them (the latest accepted version of a report that is accepted); public pledges; the
principles of the charter in force. Only members that are listed (`Organisation.is_listed`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import delete, func, insert, select, update

from app.charter.models import CharterVersion, PrincipleText
from app.core import signals
from app.core.cache import cache
from app.db import db
from app.markdown import to_plain
from app.members.models import PUBLIC_STATUSES, Organisation, Pledge, Sector
from app.reporting.models import Report, ReportingCycle, ReportVersion
from app.transparency.opendata.models import SearchEntry

# Answer types whose words are worth searching (a "Yes", a number or a date is not).
TEXT_TYPES = frozenset({"short_text", "long_text", "url", "single_choice", "multiple_choice"})
KINDS = ("answer", "pledge", "principle")
BATCH = 500  # entries per INSERT
MEMBERS_PER_CHUNK = 100  # members whose snapshots a rebuild holds in memory at once


def _listed():
    return Organisation.status.in_([s.value for s in PUBLIC_STATUSES]) & (
        Organisation.joined_on.is_not(None)
    )


def _members(where) -> list:
    return db.session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.slug,
            Organisation.category,
            Organisation.country,
            Sector.slug.label("sector_slug"),
        )
        .outerjoin(Sector, Sector.id == Organisation.sector_id)
        .where(_listed(), where)
    ).all()


def _member_values(member) -> dict:
    return {
        "organisation_id": member.id,
        "member_name": member.name,
        "member_slug": member.slug,
        "category": member.category,
        "country": member.country,
        "sector_slug": member.sector_slug or "",
    }


def answer_entries(member, year: int, snapshot: dict) -> Iterator[dict]:
    """The searchable public answers of one accepted snapshot."""
    base = _member_values(member)
    for section in snapshot.get("sections") or []:
        principle = section.get("principle") or {}
        for q in section.get("questions") or []:
            if not q.get("is_public") or q.get("shown") is False or q.get("type") not in TEXT_TYPES:
                continue
            display = q.get("display")
            if not isinstance(display, str) or not display.strip():
                value = q.get("value")
                display = ", ".join(map(str, value)) if isinstance(value, list) else value
            if not isinstance(display, str) or not display.strip():
                continue
            yield {
                **base,
                "kind": "answer",
                "year": year,
                "principle_number": principle.get("number"),
                "lineage": str(q.get("lineage") or "")[:40],
                "title": str(q.get("text") or ""),
                "body": display,
            }


def _accepted_snapshots(member_ids: Iterable[int]) -> Iterator[tuple[int, int, dict]]:
    """(organisation id, year, snapshot) of each accepted report of these members."""
    latest = (
        select(func.max(ReportVersion.id))
        .join(Report, Report.id == ReportVersion.report_id)
        .where(
            Report.state == "accepted",
            ReportVersion.review_state == "accepted",
            Report.organisation_id.in_(list(member_ids)),
        )
        .group_by(ReportVersion.report_id)
    )
    rows = db.session.execute(
        select(Report.organisation_id, ReportingCycle.year, ReportVersion.snapshot)
        .join(Report, Report.id == ReportVersion.report_id)
        .join(ReportingCycle, ReportingCycle.id == Report.cycle_id)
        .where(ReportVersion.id.in_(latest))
    ).all()  # read whole (a chunk of members): the entries are written while iterating
    yield from rows


def _pledge_entries(members: dict[int, object]) -> Iterator[dict]:
    rows = db.session.execute(
        select(Pledge.organisation_id, Pledge.title, Pledge.description_md, Pledge.indicator)
        .where(Pledge.is_public.is_(True), Pledge.organisation_id.in_(list(members)))
        .order_by(Pledge.id)
    ).all()
    for org_id, title, description, indicator in rows:
        body = " ".join(part for part in (to_plain(description), indicator) if part)
        yield {
            **_member_values(members[org_id]),
            "kind": "pledge",
            "year": None,
            "principle_number": None,
            "lineage": "",
            "title": title,
            "body": body,
        }


def _write(entries: Iterable[dict]) -> None:
    batch: list[dict] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) >= BATCH:
            db.session.execute(insert(SearchEntry), batch)
            batch = []
    if batch:
        db.session.execute(insert(SearchEntry), batch)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            update(SearchEntry)
            .where(SearchEntry.document.is_(None))
            .values(
                document=func.to_tsvector(
                    "simple", SearchEntry.title + " " + func.coalesce(SearchEntry.body, "")
                )
            )
        )


def _member_entries(members: dict[int, object]) -> Iterator[dict]:
    yield from _pledge_entries(members)
    for org_id, year, snapshot in _accepted_snapshots(members):
        yield from answer_entries(members[org_id], year, snapshot or {})


def index_member(organisation_id: int) -> None:
    """Rebuild one member's entries (none if it is not listed)."""
    db.session.execute(delete(SearchEntry).where(SearchEntry.organisation_id == organisation_id))
    members = {m.id: m for m in _members(Organisation.id == organisation_id)}
    if members:
        _write(_member_entries(members))
    cache.invalidate_after_commit("reports", "members")


def index_charter() -> None:
    """Rebuild the principles of the charter in force."""
    db.session.execute(delete(SearchEntry).where(SearchEntry.kind == "principle"))
    version_id = db.session.scalar(
        select(CharterVersion.id)
        .where(CharterVersion.status == "published")
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )
    if version_id is None:
        return
    texts = db.session.execute(
        select(
            PrincipleText.number, PrincipleText.title, PrincipleText.body_md, PrincipleText.theme
        )
        .where(PrincipleText.version_id == version_id)
        .order_by(PrincipleText.position)
    )
    _write(
        {
            "kind": "principle",
            "organisation_id": None,
            "year": None,
            "principle_number": number,
            "lineage": "",
            "title": title,
            "body": " ".join(part for part in (to_plain(body), theme) if part),
        }
        for number, title, body, theme in texts
    )
    cache.invalidate_after_commit("charter")


def reindex_all() -> int:
    """Rebuild the whole index; the number of entries."""
    db.session.execute(delete(SearchEntry))
    index_charter()
    ids = db.session.scalars(select(Organisation.id).where(_listed()).order_by(Organisation.id))
    chunk: list[int] = []
    for org_id in ids.all():
        chunk.append(org_id)
        if len(chunk) >= MEMBERS_PER_CHUNK:
            _index_members(chunk)
            chunk = []
    if chunk:
        _index_members(chunk)
    cache.invalidate_after_commit("reports", "members", "charter")
    return db.session.scalar(select(func.count()).select_from(SearchEntry)) or 0


def _index_members(ids: list[int]) -> None:
    members = {m.id: m for m in _members(Organisation.id.in_(ids))}
    _write(_member_entries(members))


# Kept current by the domain events (receivers flush, never commit) ------------------------


def _on_report_accepted(version, **_kwargs) -> None:
    index_member(version.report.organisation_id)


def _on_member_changed(organisation, **_kwargs) -> None:
    # A sector's rename is sent without an organisation (the index keeps sector ids).
    if organisation is not None and organisation.id is not None:
        index_member(organisation.id)


def _on_charter_published(_version, **_kwargs) -> None:
    index_charter()


signals.report_accepted.connect(_on_report_accepted)
signals.organisation_changed.connect(_on_member_changed)
signals.organisation_status_changed.connect(_on_member_changed)
signals.charter_published.connect(_on_charter_published)
