"""The public directory: filters from the URL, one page of members, and the count of every
filter value.

A page costs the same few SQL statements whatever the number of members:

1. the sectors (a short list the secretariat keeps), to validate and label the filter;
2. one UNION ALL statement that counts, for each filter (country, sector, category, status,
   year joined), how many members each value would give with the *other* filters applied;
   the total for the current filters falls out of the status counts;
3. the page of rows itself, with the sector name and the endorsed charter version joined in.

The HTML page, the JSON API and the CSV export all use these functions, so they agree on
what a filter means. Everything here filters on indexed columns of `organisations`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

import pycountry
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, and_, cast, func, literal, select, tuple_, union_all

from app.charter.models import CharterVersion
from app.core.labels import CATEGORY, STATUS
from app.core.templating import country_name
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
        return bool(self.q or self.country or self.sector or self.category or self.status
                    or self.year)


@dataclass(frozen=True)
class SectorRef:
    id: int
    slug: str
    name: str


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class DirectoryPage:
    filters: Filters
    rows: list
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


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


def load_sectors() -> list[SectorRef]:
    rows = db.session.execute(select(Sector.id, Sector.slug, Sector.name).order_by(Sector.name))
    return [SectorRef(r.id, r.slug, r.name) for r in rows]


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
            errors["country"] = str(_l("Unknown country code. Use a two-letter ISO 3166 code, "
                                       "such as DE or KE."))

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


def listed_condition():
    """Members the public may see: they have joined, and are not an application."""
    return and_(Organisation.status.in_([s.value for s in PUBLIC_STATUSES]),
                Organisation.joined_on.is_not(None))


def _conditions(filters: Filters, sectors: list[SectorRef], skip: str | None = None) -> list:
    conds = [listed_condition()]
    if filters.q:
        pattern = "%" + _escape_like(normalise_query(filters.q)) + "%"
        conds.append(Organisation.name_key.like(pattern, escape="\\"))
    if filters.country and skip != "country":
        conds.append(Organisation.country == filters.country)
    if filters.sector and skip != "sector":
        sector_id = next((s.id for s in sectors if s.slug == filters.sector), None)
        conds.append(Organisation.sector_id == sector_id)
    if filters.category and skip != "category":
        conds.append(Organisation.category == filters.category)
    if filters.status and skip != "status":
        conds.append(Organisation.status == filters.status)
    if filters.year and skip != "year":
        conds.append(Organisation.joined_on >= dt.date(filters.year, 1, 1))
        conds.append(Organisation.joined_on < dt.date(filters.year + 1, 1, 1))
    return conds


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _facet_select(name: str, column, filters: Filters, sectors: list[SectorRef]):
    value = cast(column, String(20)).label("value")
    return (
        select(literal(name, String(20)).label("facet"), value,
               func.count(Organisation.id).label("n"))
        .where(*_conditions(filters, sectors, skip=name))
        .group_by(column)
    )


def facet_counts(filters: Filters, sectors: list[SectorRef]) -> dict[str, dict[str, int]]:
    """For each filter, the count of members per value with the other filters applied.
    One SQL statement."""
    year = cast(func.extract("year", Organisation.joined_on), Integer)
    columns = {
        "country": Organisation.country,
        "sector": Organisation.sector_id,
        "category": Organisation.category,
        "status": Organisation.status,
        "year": year,
    }
    statement = union_all(*(_facet_select(name, col, filters, sectors)
                            for name, col in columns.items()))
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for row in db.session.execute(statement):
        if row.value is not None:
            counts[row.facet][str(row.value)] = row.n
    return counts


def _order(filters: Filters) -> list:
    if filters.sort == "newest":
        return [Organisation.joined_on.desc(), Organisation.id.desc()]
    if filters.sort == "oldest":
        return [Organisation.joined_on.asc(), Organisation.id.asc()]
    return [Organisation.name_key.asc(), Organisation.id.asc()]


def _row_select():
    return (
        select(
            Organisation.id, Organisation.slug, Organisation.name, Organisation.legal_name,
            Organisation.country, Organisation.category, Organisation.size_band,
            Organisation.website, Organisation.status, Organisation.status_since,
            Organisation.joined_on, Organisation.logo_sha256, Organisation.name_key,
            Sector.slug.label("sector_slug"), Sector.name.label("sector_name"),
            CharterVersion.number.label("endorsed_version"),
        )
        .outerjoin(Sector, Sector.id == Organisation.sector_id)
        .outerjoin(CharterVersion, CharterVersion.id == Organisation.endorsed_version_id)
    )


def search(filters: Filters, sectors: list[SectorRef], page: int = 1,
           per_page: int = 24) -> DirectoryPage:
    """One page of the directory, with the filter counts. Two SQL statements."""
    counts = facet_counts(filters, sectors)
    # The status counts ignore the status filter but apply all the others, so the total
    # for the current filters is their sum, or the selected status's count.
    if filters.status:
        total = counts["status"].get(filters.status, 0)
    else:
        total = sum(counts["status"].values())
    result = DirectoryPage(filters, [], total, page, per_page)
    result.page = min(page, result.pages)
    if total:
        statement = (_row_select().where(*_conditions(filters, sectors)).order_by(*_order(filters))
                     .limit(per_page).offset((result.page - 1) * per_page))
        result.rows = list(db.session.execute(statement))
    result.facets = _facet_values(filters, sectors, counts)
    return result


def rows_after(filters: Filters, sectors: list[SectorRef], last=None,
               limit: int = 1000) -> list:
    """The next `limit` members matching the filters, in order, after the row `last`
    (keyset pagination: every batch costs the same, wherever it is in the list)."""
    statement = _row_select().where(*_conditions(filters, sectors))
    if last is not None:
        if filters.sort == "name":
            after = tuple_(Organisation.name_key, Organisation.id) > tuple_(last.name_key, last.id)
        elif filters.sort == "newest":
            after = tuple_(Organisation.joined_on, Organisation.id) < tuple_(last.joined_on,
                                                                             last.id)
        else:
            after = tuple_(Organisation.joined_on, Organisation.id) > tuple_(last.joined_on,
                                                                             last.id)
        statement = statement.where(after)
    return list(db.session.execute(statement.order_by(*_order(filters)).limit(limit)))


def _facet_values(filters: Filters, sectors: list[SectorRef],
                  counts: dict[str, dict[str, int]]) -> dict[str, list[FacetValue]]:
    def values(name: str, options: list[tuple[str, str]], selected: str) -> list[FacetValue]:
        out = []
        for value, label in options:
            n = counts[name].get(value, 0)
            if n or value == selected:
                out.append(FacetValue(value, label, n, value == selected))
        return out

    countries = sorted(((code, country_name(code)) for code in
                        set(counts["country"]) | ({filters.country} - {""})),
                       key=lambda pair: pair[1].lower())
    sector_options = [(s.slug, s.name) for s in sectors]
    sector_counts = {s.slug: counts["sector"].get(str(s.id), 0) for s in sectors}
    counts = {**counts, "sector": sector_counts}
    years = sorted(set(counts["year"]) | ({str(filters.year)} if filters.year else set()),
                   reverse=True)
    return {
        "country": values("country", countries, filters.country),
        "sector": values("sector", sector_options, filters.sector),
        "category": values("category", [(k, str(v)) for k, v in CATEGORY.items()],
                           filters.category),
        "status": values("status", [(s.value, str(STATUS[s.value])) for s in PUBLIC_STATUSES],
                         filters.status),
        "year": values("year", [(y, y) for y in years], str(filters.year or "")),
    }
