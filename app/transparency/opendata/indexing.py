"""Keeping the search index equal to what the public may read.

Entries are rebuilt per member (when a report is accepted, a pledge or the profile changes,
the status changes) and for the charter (when a version is published); `reindex_all`
rebuilds everything (`flask pactum reindex`). Every function flushes, never commits: the
signals' receivers run inside the service's transaction, the command in its unit of work.

What enters: answers to questions marked public, as the accepted version's snapshot holds
them (the latest accepted version of a report that is accepted); public pledges; the
principles of the charter in force, once in the source language and once more in each
language a principle's text is translated into. Only members that are listed
(`Organisation.is_listed`).

Each entry records the language its body is written in (`lang`; an answer's title is its
question, in the source language); on SQLite `_write` stores the Snowball stems of both
(`stemming.py`), on PostgreSQL it builds `document` from the words and their stems in those
languages' text search configurations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import case, cast, delete, func, insert, literal, literal_column, select, update
from sqlalchemy.dialects.postgresql import REGCONFIG

from app.charter.models import CharterVersion
from app.charter.queries import load_version
from app.charter.translations.reading import localise
from app.charter.translations.services import rows_for
from app.core import signals
from app.core.cache import cache
from app.core.languages import languages, source_language
from app.db import db
from app.markdown import to_plain
from app.members.models import PUBLIC_STATUSES, Organisation, Pledge, Sector
from app.reporting.models import Report, ReportingCycle, ReportVersion
from app.transparency import answer_rows, public_answers
from app.transparency.opendata import list_rows
from app.transparency.opendata.models import PG_FACETS_SQL, SearchEntry
from app.transparency.opendata.stemming import regconfig, stems_of

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
    """The searchable public answers of one accepted snapshot. A typed answer is in the
    language its author wrote it in ("" when not known); a choice's label is the
    questionnaire's, in the source language."""
    base = _member_values(member)
    source = source_language()
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
            lang = q.get("lang") if q.get("type") in public_answers.TEXT_TYPES else source
            yield {
                **base,
                "kind": "answer",
                "year": year,
                "principle_number": principle.get("number"),
                "lineage": str(q.get("lineage") or "")[:40],
                "title": str(q.get("text") or ""),
                "body": display,
                "lang": lang if isinstance(lang, str) and len(lang) <= 12 else "",
            }


def _accepted_snapshots(
    member_ids: Iterable[int], year: int | None = None
) -> Iterator[tuple[int, int, dict]]:
    """(organisation id, year, snapshot) of each accepted report of these members (of one
    report year, if given)."""
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
    if year is not None:
        cycle = select(ReportingCycle.id).where(ReportingCycle.year == year)
        latest = latest.where(Report.cycle_id.in_(cycle))
    rows = db.session.execute(
        select(Report.organisation_id, ReportingCycle.year, ReportVersion.snapshot)
        .join(Report, Report.id == ReportVersion.report_id)
        .join(ReportingCycle, ReportingCycle.id == Report.cycle_id)
        .where(ReportVersion.id.in_(latest))
    ).all()  # read whole (a chunk of members): the entries are written while iterating
    yield from rows


def _pledge_entries(members: dict[int, object]) -> Iterator[dict]:
    lang = source_language()
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
            "lang": lang,
        }


def _title_lang(entry: dict, source: str) -> str:
    """An answer's title is its question (written in the source language); any other
    entry's title is in the language of its body."""
    return source if entry["kind"] == "answer" else (entry.get("lang") or source)


def _stems(entry: dict, source: str) -> str:
    found = stems_of(entry["title"], _title_lang(entry, source))
    found += stems_of(entry.get("body") or "", entry.get("lang") or source)
    return " ".join(dict.fromkeys(found))


def search_document(langs: set[str], source: str):
    """PostgreSQL: the words as they are ('simple'), plus the title's and the body's stems in
    their languages' configurations (one CASE over the languages this write holds), plus
    the entry's facet lexemes (`models.PG_FACETS_SQL`). Also
    what `bench/pgload.py` fills a copied index with."""
    whens = {code: regconfig(code) for code in langs if code}
    body_config = (
        case(whens, value=SearchEntry.lang, else_=regconfig(source))
        if whens
        else literal(regconfig(source))
    )
    title_config = case((SearchEntry.kind == "answer", regconfig(source)), else_=body_config)
    body = func.coalesce(SearchEntry.body, "")
    return (
        func.to_tsvector("simple", SearchEntry.title + " " + body)
        .op("||")(func.strip(func.to_tsvector(cast(title_config, REGCONFIG), SearchEntry.title)))
        .op("||")(func.strip(func.to_tsvector(cast(body_config, REGCONFIG), body)))
        .op("||")(literal_column(PG_FACETS_SQL.format(row="")))
    )


def _write(entries: Iterable[dict]) -> None:
    postgres = db.session.get_bind().dialect.name == "postgresql"
    source = source_language()
    langs: set[str] = set()
    batch: list[dict] = []
    for entry in entries:
        entry.setdefault("lang", "")
        langs.add(entry["lang"])
        entry["stems"] = "" if postgres else _stems(entry, source)
        batch.append(entry)
        if len(batch) >= BATCH:
            db.session.execute(insert(SearchEntry), batch)
            batch = []
    if batch:
        db.session.execute(insert(SearchEntry), batch)
    if postgres and langs:
        db.session.execute(
            update(SearchEntry)
            .where(SearchEntry.document.is_(None))
            .values(document=search_document(langs, source))
        )


def _member_entries(members: dict[int, object]) -> Iterator[dict]:
    """Answers, oldest report year first, then pledges (as they are now): the ids a write
    gives then follow recency, which bounded ranking reads (search.MAX_RANKED)."""
    for org_id, year, snapshot in sorted(_accepted_snapshots(members), key=lambda r: r[1]):
        yield from answer_entries(members[org_id], year, snapshot or {})
    yield from _pledge_entries(members)


def index_member(organisation_id: int) -> None:
    """Rebuild one member's entries (none if it is not listed)."""
    db.session.execute(delete(SearchEntry).where(SearchEntry.organisation_id == organisation_id))
    members = {m.id: m for m in _members(Organisation.id == organisation_id)}
    if members:
        _write(_member_entries(members))
    cache.invalidate_after_commit("reports", "members")


def index_charter() -> None:
    """Rebuild the principles of the charter in force: in the source language, and in each
    language whose translation of a principle's body is current (its title as translated,
    or the source's)."""
    db.session.execute(delete(SearchEntry).where(SearchEntry.kind == "principle"))
    version_id = db.session.scalar(
        select(CharterVersion.id)
        .where(CharterVersion.status == "published")
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )
    if version_id is None:
        return
    version = load_version(version_id)
    source = source_language()
    _write(
        {
            "kind": "principle",
            "organisation_id": None,
            "year": None,
            "principle_number": p.number,
            "lineage": "",
            "title": p.title.text,
            "body": " ".join(part for part in (to_plain(p.body.text), p.theme) if part),
            "lang": language,
        }
        for language in languages()
        for p in localise(
            version, language, source, rows_for([version_id], language)[version_id]
        ).principles
        if language == source or p.body.lang == language
    )
    cache.invalidate_after_commit("charter")


def reindex_all() -> int:
    """Rebuild the whole index, the public answers read model (answer_rows.py) and the
    open-data lists' (list_rows.py); the number of search entries. Written in order of
    recency (ids are the index's order, which bounded ranking reads newest first): the
    answers year by year, oldest first, then the pledges, then the charter in force."""
    answer_rows.rebuild(db.session.connection())
    list_rows.rebuild(db.session.connection())
    db.session.execute(delete(SearchEntry))
    ids = db.session.scalars(select(Organisation.id).where(_listed()).order_by(Organisation.id))
    chunks = list(_chunks(ids.all()))
    years = db.session.scalars(select(ReportingCycle.year).distinct().order_by(ReportingCycle.year))
    for year in years.all():
        for chunk in chunks:
            _index_members(chunk, year)
    for chunk in chunks:
        _index_members(chunk, None)
    index_charter()
    cache.invalidate_after_commit("reports", "members", "charter")
    return db.session.scalar(select(func.count()).select_from(SearchEntry)) or 0


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), MEMBERS_PER_CHUNK):
        yield ids[start : start + MEMBERS_PER_CHUNK]


def _index_members(ids: list[int], year: int | None) -> None:
    """These members' answers of one report year, or (`year` None) their pledges."""
    members = {m.id: m for m in _members(Organisation.id.in_(ids))}
    if year is None:
        _write(_pledge_entries(members))
        return
    _write(
        entry
        for org_id, _year, snapshot in _accepted_snapshots(members, year)
        for entry in answer_entries(members[org_id], year, snapshot or {})
    )


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
