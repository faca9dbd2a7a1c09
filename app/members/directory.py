"""The public directory: filters from the URL, one page of members, and the count of every
filter value.

Built to stay fast over tens of thousands of members:

* Everything a page reads that changes only when someone writes is a server-side cached
  fragment (`app.core.cache`, topic "members": any write to organisations, sectors or charter
  versions makes it stale after the commit):
  - "directory-context": the sectors, the charter version numbers and the version in force
    today (keyed by the date);
  - "directory-facets": for each filter (country, sector, category, status, year joined), how
    many members each value would give with the *other* filters applied, keyed by the
    normalised filters (never the page or the order); the total falls out of the status counts;
  - "directory-page": the rows of one page, keyed by the filters, the order and the page;
  - and, in members/views.py, the rendered filter form ("directory-filters") and results
    section ("directory-results": count, list of members, pages, open-data links), keyed as
    well by the language and the release.
* On a miss, the counts and the page read one covering index,
  `ix_organisations_directory (name_key, status, joined_on, country, sector_id, category)`:
  the counts are one UNION ALL of a GROUP BY per filter over that index, and a page in name
  order (page 1 or page 400) walks it without touching the wide table rows except for the
  rows it shows. On SQLite the statements name the index (`INDEXED BY`), because the planner
  would otherwise prefer a narrower index that orders the rows but then reads every table row.
* A name search is a substring match on `name_key` (lower case, runs of spaces made one):
  on PostgreSQL a trigram GIN index (`pg_trgm`, migration 0002) answers it (the counts, and
  the page when the counts say the matches are few); on SQLite it is evaluated on the covering
  index, never on the table. Both databases give the same results, and whatever the visitor
  types is a literal string (no wildcard, no query syntax).

The HTML page, the JSON API and the CSV export all use these functions, so they agree on
what a filter means.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, fields
from typing import NamedTuple

import pycountry
import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, and_, cast, func, literal, select, tuple_, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import TableClause

from app import clock
from app.charter.models import CharterVersion
from app.core.cache import memoize_fragment, register_fragment
from app.core.labels import CATEGORY, STATUS
from app.core.templating import country_name, local_country_name
from app.db import db
from app.members.models import PUBLIC_STATUSES, Category, Organisation, Sector

SORTS = {
    "name": _l("Name (A–Z)"),
    "newest": _l("Joined (newest first)"),
    "oldest": _l("Joined (oldest first)"),
}
MAX_QUERY_LENGTH = 100
MAX_PAGE = 1_000_000
FACETS = ("country", "sector", "category", "status", "year")
DIRECTORY_INDEX = "ix_organisations_directory"
_FEW_MATCHES = 2000  # a name search with at most this many matches sorts them (PostgreSQL)
# Part of every cache key: bump it when the shape of a cached value changes.
_CACHE_FORMAT = 1

register_fragment("directory-context", "members", "charter")
register_fragment("directory-filters", "members")
register_fragment("directory-results", "members", "charter")


@dataclass(frozen=True)
class Filters:
    q: str = ""
    country: str = ""
    sector: str = ""  # a sector slug
    category: str = ""
    status: str = ""
    year: int | None = None
    sort: str = "name"

    def args(self) -> dict:
        """The non-default values, as URL query arguments."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "sort":
                if value != "name":
                    out["sort"] = value
            elif value not in ("", None):
                out[f.name] = value
        return out

    @property
    def active(self) -> bool:
        return bool(
            self.q or self.country or self.sector or self.category or self.status or self.year
        )

    def count_key(self) -> list:
        """What the counts depend on: the filters, normalised (not the order or the page)."""
        return [
            _CACHE_FORMAT,
            normalise_query(self.q),
            self.country,
            self.sector,
            self.category,
            self.status,
            self.year,
        ]


@dataclass(frozen=True)
class SectorRef:
    id: int
    slug: str
    name: str


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
                self.filters, sectors, self.offset, self.per_page, self.full, self.total
            ),
        )
        return _member_rows(raw, self.context)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @functools.cached_property
    def facets(self) -> dict[str, list[FacetValue]]:
        """The choices of each filter with their counts and labels (built when asked for: a
        page whose filter form comes from the cache never needs them)."""
        return _facet_values(self.filters, self.context.sectors, self.counts)


# Parsing ------------------------------------------------------------------------------------


def normalise_query(text: str) -> str:
    """Searches compare like names do: lower case, runs of spaces made one."""
    return " ".join((text or "").lower().split())


def _positive_int(raw: str, low: int, high: int) -> int | None:
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _read_context(today: dt.date) -> dict:
    # One statement for two short lists: the sectors, and the charter versions.
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
    out = {"sectors": [], "versions": {}, "current": None}
    for kind, id_, slug_or_status, name, number, effective in db.session.execute(
        union_all(sectors, versions)
    ):
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
        "directory-context", [_CACHE_FORMAT, today.isoformat()], lambda: _read_context(today)
    )
    return DirectoryContext(
        tuple(SectorRef(*s) for s in data["sectors"]), data["versions"], data["current"]
    )


def load_sectors() -> list[SectorRef]:
    return list(load_context().sectors)


def parse_filters(args, sectors: list[SectorRef]) -> tuple[Filters, dict[str, str]]:
    """Read the filters from URL arguments. Invalid values are dropped and reported in
    `errors` (argument name -> message), so the page can say what was wrong."""
    errors: dict[str, str] = {}
    values: dict = {}

    q = " ".join("".join(ch for ch in (args.get("q") or "") if ch.isprintable()).split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = str(_l("Search for at most %(n)d characters.", n=MAX_QUERY_LENGTH))
    else:
        values["q"] = q

    country = (args.get("country") or "").strip().upper()
    if country:
        if len(country) == 2 and country.isascii() and pycountry.countries.get(alpha_2=country):
            values["country"] = country
        else:
            errors["country"] = str(
                _l("Unknown country code. Use a two-letter ISO 3166 code, such as DE or KE.")
            )

    sector = (args.get("sector") or "").strip().lower()
    if sector:
        if any(s.slug == sector for s in sectors):
            values["sector"] = sector
        else:
            errors["sector"] = str(_l("Unknown sector."))

    category = (args.get("category") or "").strip()
    if category:
        if category in {c.value for c in Category}:
            values["category"] = category
        else:
            errors["category"] = str(_l("Unknown category."))

    status = (args.get("status") or "").strip()
    if status:
        if status in {s.value for s in PUBLIC_STATUSES}:
            values["status"] = status
        else:
            errors["status"] = str(_l("Unknown status."))

    year_raw = (args.get("year") or "").strip()
    if year_raw:
        year = _positive_int(year_raw, 1900, 2999)
        if year is None:
            errors["year"] = str(_l("Give the year as four digits, such as 2024."))
        else:
            values["year"] = year

    sort = (args.get("sort") or "name").strip()
    if sort in SORTS:
        values["sort"] = sort
    else:
        errors["sort"] = str(_l("Sort by name, or by the date members joined."))

    return Filters(**values), errors


def parse_page(args, errors: dict[str, str]) -> int:
    raw = args.get("page")
    if raw in (None, ""):
        return 1
    page = _positive_int(raw, 1, MAX_PAGE)
    if page is None:
        errors["page"] = str(_l("The page must be a whole number from 1."))
        return 1
    return page


def parse_per_page(args, errors: dict[str, str], default: int, maximum: int) -> int:
    raw = args.get("per_page")
    if raw in (None, ""):
        return default
    value = _positive_int(raw, 1, maximum)
    if value is None:
        errors["per_page"] = str(_l("per_page must be a whole number from 1 to %(n)d.", n=maximum))
        return default
    return value


# Querying ----------------------------------------------------------------------------------


class _IndexedTable(TableClause):
    """`organisations` read through a named index: `FROM organisations INDEXED BY <index>` on
    SQLite, plain `FROM organisations` elsewhere."""

    inherit_cache = True

    def __init__(self, table: sa.Table, index: str):
        super().__init__(table.name, *(sa.column(c.name, c.type) for c in table.c))
        self.index = index


@compiles(_IndexedTable, "sqlite")
def _compile_indexed_table(element, compiler, **kw):
    text = compiler.visit_table(element, **kw)
    if kw.get("asfrom"):
        text += f" INDEXED BY {element.index}"
    return text


_DIRECTORY = _IndexedTable(Organisation.__table__, DIRECTORY_INDEX)
_PUBLIC_STATUS_VALUES = [s.value for s in PUBLIC_STATUSES]


def listed_condition(t=Organisation):
    """Members the public may see: they have joined, and are not an application."""
    c = t if t is Organisation else t.c
    return and_(c.status.in_(_PUBLIC_STATUS_VALUES), c.joined_on.is_not(None))


def like_pattern(q: str) -> str:
    """The LIKE pattern of a name search: a literal substring of the normalised name."""
    return "%" + _escape_like(normalise_query(q)) + "%"


def _conditions(filters: Filters, sectors, skip: str | None = None, t=Organisation) -> list:
    c = t if t is Organisation else t.c
    conds = [listed_condition(t)]
    if _searching(filters):
        conds.append(c.name_key.like(like_pattern(filters.q), escape="\\"))
    if filters.country and skip != "country":
        conds.append(c.country == filters.country)
    if filters.sector and skip != "sector":
        sector_id = next((s.id for s in sectors if s.slug == filters.sector), None)
        conds.append(c.sector_id == sector_id)
    if filters.category and skip != "category":
        conds.append(c.category == filters.category)
    if filters.status and skip != "status":
        conds.append(c.status == filters.status)
    if filters.year and skip != "year":
        conds.append(c.joined_on >= dt.date(filters.year, 1, 1))
        conds.append(c.joined_on < dt.date(filters.year + 1, 1, 1))
    return conds


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _counts_statement(filters: Filters, sectors):
    t = _DIRECTORY
    columns = {
        "country": t.c.country,
        "sector": t.c.sector_id,
        "category": t.c.category,
        "status": t.c.status,
        "year": cast(func.extract("year", t.c.joined_on), Integer),
    }
    return union_all(
        *(
            select(
                literal(name, String(20)).label("facet"),
                cast(col, String(20)).label("value"),
                func.count().label("n"),
            )
            .select_from(t)
            .where(*_conditions(filters, sectors, skip=name, t=t))
            .group_by(col)
            for name, col in columns.items()
        )
    )


def _read_counts(filters: Filters, sectors) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for row in db.session.execute(_counts_statement(filters, sectors)):
        if row.value is not None:
            counts[row.facet][str(row.value)] = row.n
    return counts


def facet_counts(filters: Filters, sectors) -> dict[str, dict[str, int]]:
    """For each filter, the count of members per value with the other filters applied.
    One SQL statement on a miss, cached per set of filters."""
    return memoize_fragment(
        "directory-facets", filters.count_key(), lambda: _read_counts(filters, sectors)
    )


def _order(filters: Filters, t=Organisation) -> list:
    c = t if t is Organisation else t.c
    if filters.sort == "newest":
        return [c.joined_on.desc(), c.id.desc()]
    if filters.sort == "oldest":
        return [c.joined_on.asc(), c.id.asc()]
    # name_key is unique: a total order on its own. (A tie-breaker would not be in the order
    # of the directory index, and SQLite would then sort, reading every skipped row.)
    return [c.name_key.asc()]


_PAGE_COLUMNS = (
    "id",
    "slug",
    "name",
    "name_key",
    "country",
    "category",
    "status",
    "joined_on",
    "logo_sha256",
    "sector_id",
    "endorsed_version_id",
)
_API_COLUMNS = ("legal_name", "size_band", "website", "status_since")


def _page_statement(
    filters: Filters, sectors, offset: int, limit: int, full: bool, total: int | None = None
):
    # In name order the page walks the covering index; the join-free select keeps it so (a
    # join would read each skipped row's table record). Other orders use the join date index.
    t = _DIRECTORY if filters.sort == "name" else Organisation.__table__
    names = _PAGE_COLUMNS + (_API_COLUMNS if full else ())
    if (
        _searching(filters)
        and total is not None
        and total <= _FEW_MATCHES
        and db.engine.dialect.name == "postgresql"
    ):
        # PostgreSQL would walk the name index and test every name on the way; when the
        # counts say the matches are few, finding them with the trigram index first, then
        # ordering those few, is far cheaper. (Many matches: the walk finds a page quickly.)
        o = Organisation.__table__
        matches = (
            select(o.c.id)
            .where(*_conditions(filters, sectors, t=o))
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )
        return (
            select(*(o.c[name] for name in names))
            .join(matches, matches.c.id == o.c.id)
            .order_by(*_order(filters, o))
            .limit(limit)
            .offset(offset)
        )
    return (
        select(*(t.c[name] for name in names))
        .select_from(t)
        .where(*_conditions(filters, sectors, t=t))
        .order_by(*_order(filters, t))
        .limit(limit)
        .offset(offset)
    )


def _searching(filters: Filters) -> bool:
    return bool(filters.q and normalise_query(filters.q))


def _read_page(
    filters: Filters, sectors, offset: int, limit: int, full: bool, total: int | None = None
) -> list[tuple]:
    statement = _page_statement(filters, sectors, offset, limit, full, total)
    return [tuple(row) for row in db.session.execute(statement)]


def _member_rows(raw: list[tuple], context: DirectoryContext) -> list[MemberRow]:
    sectors = {s.id: s for s in context.sectors}
    rows = []
    for values in raw:
        (
            id_,
            slug,
            name,
            name_key,
            country,
            category,
            status,
            joined_on,
            logo,
            sector_id,
            version_id,
            *extra,
        ) = values
        sector = sectors.get(sector_id)
        rows.append(
            MemberRow(
                id_,
                slug,
                name,
                name_key,
                country,
                category,
                status,
                joined_on,
                logo,
                _country_label(country),
                sector.slug if sector else None,
                sector.name if sector else None,
                context.versions.get(version_id),
                *extra,
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
    counts = facet_counts(filters, context.sectors)
    # The status counts ignore the status filter but apply all the others, so the total
    # for the current filters is their sum, or the selected status's count.
    if filters.status:
        total = counts["status"].get(filters.status, 0)
    else:
        total = sum(counts["status"].values())
    result = DirectoryPage(filters, context, total, page, per_page, counts, full)
    result.page = min(page, result.pages)
    return result


def _row_select():
    return (
        select(
            Organisation.id,
            Organisation.slug,
            Organisation.name,
            Organisation.legal_name,
            Organisation.country,
            Organisation.category,
            Organisation.size_band,
            Organisation.website,
            Organisation.status,
            Organisation.status_since,
            Organisation.joined_on,
            Organisation.logo_sha256,
            Organisation.name_key,
            Sector.slug.label("sector_slug"),
            Sector.name.label("sector_name"),
            CharterVersion.number.label("endorsed_version"),
        )
        .outerjoin(Sector, Sector.id == Organisation.sector_id)
        .outerjoin(CharterVersion, CharterVersion.id == Organisation.endorsed_version_id)
    )


def rows_after(filters: Filters, sectors: list[SectorRef], last=None, limit: int = 1000) -> list:
    """The next `limit` members matching the filters, in order, after the row `last`
    (keyset pagination: every batch costs the same, wherever it is in the list)."""
    statement = _row_select().where(*_conditions(filters, sectors))
    if last is not None:
        if filters.sort == "name":
            after = tuple_(Organisation.name_key, Organisation.id) > tuple_(last.name_key, last.id)
        elif filters.sort == "newest":
            after = tuple_(Organisation.joined_on, Organisation.id) < tuple_(
                last.joined_on, last.id
            )
        else:
            after = tuple_(Organisation.joined_on, Organisation.id) > tuple_(
                last.joined_on, last.id
            )
        statement = statement.where(after)
    return list(db.session.execute(statement.order_by(*_order(filters)).limit(limit)))


@functools.lru_cache(maxsize=1024)
def _country_label(code: str) -> str:
    """The English ISO name (`MemberRow.country_name`, which the API and exports carry)."""
    return country_name(code)


@functools.lru_cache(maxsize=4096)
def _local_country_label(code: str, language: str) -> str:  # language: the cache key only
    """The country's name in the visitor's language, for the filter form."""
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
            (code, _local_country_label(code, language))
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
        "category": values(
            "category", [(k, str(v)) for k, v in CATEGORY.items()], filters.category
        ),
        "status": values(
            "status", [(s.value, str(STATUS[s.value])) for s in PUBLIC_STATUSES], filters.status
        ),
        "year": values("year", [(y, y) for y in years], str(filters.year or "")),
    }
