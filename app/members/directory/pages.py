"""One page of the directory: the short lists every request needs (sectors, charter
versions), the filter counts, the total, the rows, and each filter's choices with their
labels, each read from the server-side cache or one SQL statement (see
`app.members.directory`)."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import get_locale
from sqlalchemy import Integer, String, cast, literal, select, union_all

from app import clock
from app.charter.models import CharterVersion
from app.core.cache import memoize_fragment, register_fragment
from app.core.labels import CATEGORY, STATUS
from app.core.templating import country_name, local_country_name
from app.db import db
from app.members.directory import facets
from app.members.directory.filters import CACHE_FORMAT, Filters, SectorRef
from app.members.directory.statements import (
    FACETS,
    page_by_ids,
    page_query,
    page_statement,
    search_matches,
    searching,
)
from app.members.models import FORMER_MEMBER_STATUSES, PUBLIC_STATUSES, Sector

register_fragment("directory-context", "members", "charter")
register_fragment("directory-filters", "members")
register_fragment("directory-results", "members", "charter")


@dataclass(frozen=True)
class DirectoryContext:
    """The short lists every directory request needs, read once and cached."""

    sectors: tuple[SectorRef, ...]
    versions: dict[int, int]  # charter version id -> its number
    current_version: int | None  # the number of the version in force today


class MemberRow(NamedTuple):
    """One member in a directory page or the API (the columns the page shows, plus the few
    more the API gives)."""

    id: int
    slug: str
    name: str
    name_key: str
    country: str
    category: str
    status: str
    joined_on: dt.date | None
    logo_sha256: str | None
    country_name: str
    sector_slug: str | None
    sector_name: str | None
    endorsed_version: int | None
    legal_name: str = ""
    size_band: str = ""
    website: str = ""
    status_since: dt.datetime | None = None


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class DirectoryPage:
    filters: Filters
    context: DirectoryContext
    total: int
    page: int
    per_page: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    full: bool = False
    # A name search's results in order, when this request read them (else the page reads
    # its rows with the page statement).
    order: list[int] | None = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def page_key(self) -> list:
        """What the rows of this page depend on (with the data: the cache adds that)."""
        return [*self.filters.count_key(), self.filters.sort, self.offset, self.per_page, self.full]

    @functools.cached_property
    def rows(self) -> list[MemberRow]:
        """The members on this page (read when asked for: a page whose list comes from the
        cache never needs them); from the cache, or one SQL statement."""
        if not self.total:
            return []
        sectors = self.context.sectors
        raw = memoize_fragment(
            "directory-page",
            self.page_key(),
            lambda: _read_page(
                self.filters,
                sectors,
                self.offset,
                self.per_page,
                self.full,
                self.total,
                self.order,
            ),
        )
        return _member_rows(raw, self.context)

    @property
    def former(self) -> int:
        """How many of the organisations listed are former members (delisted, withdrawn),
        for the heading: "40 organisations, of which 3 former members"."""
        by_status = self.counts.get("status", {})
        if self.filters.status:
            return self.total if self.filters.status in FORMER_MEMBER_STATUSES else 0
        return sum(by_status.get(str(s), 0) for s in FORMER_MEMBER_STATUSES)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @functools.cached_property
    def facets(self) -> dict[str, list[FacetValue]]:
        """The choices of each filter with their counts and labels (built when asked for: a
        page whose filter form comes from the cache never needs them)."""
        return _facet_values(self.filters, self.context.sectors, self.counts)


@functools.cache
def _context_statement():
    """One statement for two short lists: the sectors, and the charter versions (built once:
    building it cost more than running it)."""
    sectors = select(
        literal("sector", String(10)).label("kind"),
        Sector.id,
        Sector.slug,
        Sector.name,
        cast(sa.null(), Integer).label("number"),
        cast(sa.null(), sa.Date).label("effective"),
    )
    versions = select(
        literal("version", String(10)),
        CharterVersion.id,
        CharterVersion.status,
        literal("", String(1)),
        CharterVersion.number,
        CharterVersion.effective_date,
    )
    return union_all(sectors, versions)


def read(statement, params=None):
    """A Core read run on the session's connection, in its transaction, after a flush of
    anything pending (as the session's autoflush): the ORM's execute path (its compile
    state, events and result) cost as much as these small reads themselves (issue 20)."""
    session = db.session()
    session.flush()
    return session.connection().execute(statement, params)


def _read_context(today: dt.date) -> dict:
    out = {"sectors": [], "versions": {}, "current": None}
    for kind, id_, slug_or_status, name, number, effective in read(_context_statement()):
        if kind == "sector":
            out["sectors"].append((id_, slug_or_status, name))
            continue
        out["versions"][id_] = number
        if (
            slug_or_status == "published"
            and effective is not None
            and effective <= today
            and (out["current"] is None or number > out["current"])
        ):
            out["current"] = number
    out["sectors"].sort(key=lambda s: s[2])
    return out


def load_context() -> DirectoryContext:
    """The sectors and charter versions (two small statements, cached until one changes;
    the version in force is that of today, so the date is part of the key)."""
    today = clock.today()
    data = memoize_fragment(
        "directory-context", [CACHE_FORMAT, today.isoformat()], lambda: _read_context(today)
    )
    return DirectoryContext(
        tuple(SectorRef(*s) for s in data["sectors"]), data["versions"], data["current"]
    )


def load_sectors() -> list[SectorRef]:
    return list(load_context().sectors)


def search_counts(
    filters: Filters, sectors, rows, matches: list | None = None
) -> dict[str, dict[str, int]]:
    """The counts of a name search from its matches' filter columns (country, sector id,
    category, status, year joined; then the id): for each filter, the matches per value that
    satisfy every *other* filter, as `counts_statement` counts them in SQL. In Python because
    one read of the matches costs far less than planning and running five grouped reads of
    them (5.4 ms at 20 matches, measured; issue 20). The matches' number is the cost: with
    no other filter (the usual search) each column is counted at C speed (`Counter`), else
    in one pass. `matches`, when given, receives the id of every match that satisfies all
    the filters, in the order of `rows` (the page's: `statements.search_matches`)."""
    sector_id = next((s.id for s in sectors if s.slug == filters.sector), None)
    wanted = (
        (bool(filters.country), filters.country),
        # An unknown sector slug: the members without a sector (as `_conditions`' IS NULL).
        (bool(filters.sector), sector_id),
        (bool(filters.category), filters.category),
        (bool(filters.status), filters.status),
        (bool(filters.year), filters.year),
    )
    tests = [(i, value) for i, (applied, value) in enumerate(wanted) if applied]
    if not tests:
        columns = list(zip(*rows, strict=True)) or [()] * (len(FACETS) + 1)
        found = [Counter(column) for column in columns[: len(FACETS)]]
        if matches is not None:
            matches.extend(columns[len(FACETS)])
    else:
        found = _count_filtered(rows, tests, matches)
    return {
        name: {str(value): n for value, n in counts.items() if value is not None}
        for name, counts in zip(FACETS, found, strict=True)
    }


def _count_filtered(rows, tests, matches: list | None) -> list[Counter]:
    """`search_counts` with other filters: one pass over the matches."""
    found = [Counter() for _ in FACETS]
    every = range(len(FACETS))
    for values in rows:
        failed = None
        for i, value in tests:
            if values[i] != value:
                if failed is not None:
                    break  # two filters fail: outside every filter's count
                failed = i
        else:
            for i in every if failed is None else (failed,):
                found[i][values[i]] += 1
            if failed is None and matches is not None:
                matches.append(values[5])  # a row of the results
    return found


def _read_counts(filters: Filters, sectors, matches: list | None = None):
    if not searching(filters):
        return facets.read_counts(db.session, filters, sectors)  # kept with the writes
    # A name search: counted over the members it matches, found through the name index.
    statement, params = search_matches(filters)
    rows = read(statement, params).all()
    return search_counts(filters, sectors, rows, matches)


def facet_counts(filters: Filters, sectors, matches: list | None = None):
    """For each filter, the count of members per value with the other filters applied.
    One SQL statement on a miss (the table `directory/facets.py` keeps; for a name search,
    a count of the matches), cached per set of filters. A name search puts the ids of its
    results in order in `matches` when it reads them (on a miss only: they are not
    cached)."""
    return memoize_fragment(
        "directory-facets", filters.count_key(), lambda: _read_counts(filters, sectors, matches)
    )


def _read_page(
    filters: Filters,
    sectors,
    offset: int,
    limit: int,
    full: bool,
    total: int | None = None,
    order: list[int] | None = None,
) -> list[tuple]:
    if order is not None:  # a name search whose matches are in order: the page by id
        ids = order[offset : offset + limit]
        if not ids:
            return []
        found = {row[0]: tuple(row) for row in read(page_by_ids(ids, full), {"ids": ids})}
        return [found[i] for i in ids if i in found]
    query = page_query(filters, sectors, offset, limit, full)
    if query is not None:
        return [tuple(row) for row in read(*query)]
    statement = page_statement(filters, sectors, offset, limit, full, total)
    return [tuple(row) for row in read(statement)]


def _member_rows(raw: list[tuple], context: DirectoryContext) -> list[MemberRow]:
    """Rows in the order of `statements._PAGE_COLUMNS` (then the API's columns) made
    `MemberRow`s: the first nine as they are, then the country's name, the sector and the
    endorsed version's number in place of the two ids."""
    sectors = {s.id: s for s in context.sectors}
    rows = []
    for values in raw:
        sector = sectors.get(values[9])
        rows.append(
            MemberRow(
                *values[:9],
                _country_label(values[4]),
                sector.slug if sector else None,
                sector.name if sector else None,
                context.versions.get(values[10]),
                *values[11:],
            )
        )
    return rows


def search(
    filters: Filters,
    context: DirectoryContext,
    page: int = 1,
    per_page: int = 24,
    *,
    full: bool = False,
) -> DirectoryPage:
    """One page of the directory: the filter counts and the total now, the rows when they are
    read (from the cache, or one SQL statement each). `full` adds the columns the API gives and
    the page does not."""
    matches: list = []
    counts = facet_counts(filters, context.sectors, matches)
    order = matches or None  # a name search's results in order, when it read them
    # The status counts ignore the status filter but apply all the others, so the total
    # for the current filters is their sum, or the selected status's count.
    if filters.status:
        total = counts["status"].get(filters.status, 0)
    else:
        total = sum(counts["status"].values())
    result = DirectoryPage(filters, context, total, page, per_page, counts, full, order)
    result.page = min(page, result.pages)
    return result


@functools.lru_cache(maxsize=1024)
def _country_label(code: str) -> str:
    """The English ISO name (`MemberRow.country_name`, which the API and exports carry)."""
    return country_name(code)


@functools.lru_cache(maxsize=4096)
def country_label(code: str, language: str) -> str:  # language: the cache key only
    """The country's name in the visitor's language (`language`, the current one: the
    `country` filter's text), for the filter form and the rows, looked up once per
    process."""
    return local_country_name(code)


def _facet_values(
    filters: Filters, sectors, counts: dict[str, dict[str, int]]
) -> dict[str, list[FacetValue]]:
    def values(name: str, options, selected: str) -> list[FacetValue]:
        found = counts[name]
        return [
            FacetValue(value, label, found.get(value, 0), value == selected)
            for value, label in options
            if value in found or value == selected
        ]

    language = str(get_locale() or "en")
    countries = sorted(
        (
            (code, country_label(code, language))
            for code in set(counts["country"]) | ({filters.country} - {""})
        ),
        key=lambda pair: pair[1].lower(),
    )
    by_id = counts["sector"]
    sector_counts = {s.slug: by_id[str(s.id)] for s in sectors if str(s.id) in by_id}
    counts = {**counts, "sector": sector_counts}
    years = sorted(
        set(counts["year"]) | ({str(filters.year)} if filters.year else set()), reverse=True
    )
    return {
        "country": values("country", countries, filters.country),
        "sector": values("sector", [(s.slug, s.name) for s in sectors], filters.sector),
        "category": values("category", _category_choices(language), filters.category),
        "status": values("status", _status_choices(language), filters.status),
        "year": values("year", [(y, y) for y in years], str(filters.year or "")),
    }


@functools.lru_cache(maxsize=64)
def _category_choices(language: str) -> tuple:  # language: the cache key only
    """The categories with their labels in the current language (`language`), translated
    once per process: a lazy string finds its catalog afresh each time it is shown."""
    return tuple((k, str(v)) for k, v in CATEGORY.items())


@functools.lru_cache(maxsize=64)
def _status_choices(language: str) -> tuple:  # language: the cache key only
    """The statuses a visitor may filter by, with their labels in the current language."""
    return tuple((s.value, str(STATUS[s.value])) for s in PUBLIC_STATUSES)
