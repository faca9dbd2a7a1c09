"""The directory's SQL: the conditions a set of filters means, the one statement that
counts every filter value, the statement of one page, and the keyset batches the CSV export
reads. On SQLite the page and counts name the covering index (`INDEXED BY`; see
`app.members.directory`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

import sqlalchemy as sa
from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import TableClause

from app.charter.models import CharterVersion
from app.db import db
from app.members.directory.filters import Filters, SectorRef, normalise_query
from app.members.models import NAME_FTS_TABLE, PUBLIC_STATUSES, Organisation, Sector

FACETS = ("country", "sector", "category", "status", "year")
_FACET_COLUMNS = ("country", "sector_id", "category", "status", "joined_on")
DIRECTORY_INDEX = "ix_organisations_directory"
_FEW_MATCHES = 2000  # a name search with at most this many matches sorts them (PostgreSQL)


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
        text += f" INDEXED BY {element.index}" if element.index else " NOT INDEXED"
    return text


_DIRECTORY = _IndexedTable(Organisation.__table__, DIRECTORY_INDEX)
# A name search through the trigram index: the matches by rowid, no other index (SQLite would
# otherwise walk the status index over every listed member and test each id).
_BY_ID = _IndexedTable(Organisation.__table__, "")
_PUBLIC_STATUS_VALUES = [s.value for s in PUBLIC_STATUSES]


def listed_condition(t=Organisation):
    """Members the public may see: they have joined, and are not an application."""
    c = t if t is Organisation else t.c
    return and_(c.status.in_(_PUBLIC_STATUS_VALUES), c.joined_on.is_not(None))


def like_pattern(q: str) -> str:
    """The LIKE pattern of a name search: a literal substring of the normalised name."""
    return "%" + escape_like(normalise_query(q)) + "%"


def _conditions(
    filters: Filters, sectors, skip: str | None = None, t=Organisation, only_search: bool = False
) -> list:
    c = t if t is Organisation else t.c
    conds = [listed_condition(t)]
    if searching(filters):
        conds.append(c.name_key.like(like_pattern(filters.q), escape="\\"))
        if _name_index_usable(filters):
            conds.append(c.id.in_(_name_matches(filters.q)))
    if only_search:
        return conds
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


def _name_index_usable(filters: Filters) -> bool:
    """SQLite finds the names through its trigram FTS5 index (`NAME_FTS_TABLE`) when the
    search has three characters or more (a trigram's length); PostgreSQL's pg_trgm index
    answers the LIKE itself."""
    return (
        searching(filters)
        and len(normalise_query(filters.q)) >= 3
        and db.engine.dialect.name == "sqlite"
    )


def _name_matches(q: str):
    """The ids of the members whose name holds `q`, from the trigram index: `q` as one FTS5
    string (a literal: double quotes doubled), which the trigram tokenizer matches as a
    substring. The LIKE beside it keeps the results exactly those of a LIKE."""
    return select(_FTS.c.rowid).where(_FTS.c[NAME_FTS_TABLE].op("MATCH")(_phrase(q)))


def _phrase(q: str) -> str:
    """`q` as one FTS5 string (a literal: double quotes doubled)."""
    return '"' + normalise_query(q).replace('"', '""') + '"'


_FTS = sa.table(NAME_FTS_TABLE, sa.column("rowid"), sa.column(NAME_FTS_TABLE))


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def counts_statement(filters: Filters, sectors):
    t = _DIRECTORY
    if _name_index_usable(filters):
        # Through the name index: the matches read once, by id (naming the covering index
        # would make SQLite walk all of it), then each filter counted over those few rows.
        t = (
            select(*(_BY_ID.c[name] for name in _FACET_COLUMNS))
            .where(*_conditions(filters, sectors, t=_BY_ID, only_search=True))
            .cte("name_matches")
            .prefix_with("MATERIALIZED")
        )
        filters = dataclasses.replace(filters, q="")
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


def search_matches(filters: Filters) -> tuple:
    """(statement, parameters): the filter columns (the year of the date joined) and the id
    of every listed member whose name holds the search, in the page's order (`_order`),
    found through the name index: one read of the matches, which `pages.search_counts`
    counts and whose ids in that order give every page (read by id, `page_by_ids`). Through
    SQLite's trigram table when the search is long enough, else through the covering index;
    on PostgreSQL the LIKE uses the pg_trgm index. The statement is built once per shape,
    the search a parameter (building it cost more than running it at a few hundred
    matches; issue 20)."""
    through_fts = _name_index_usable(filters)
    q = normalise_query(filters.q)
    params = {"q_like": "%" + escape_like(q) + "%"}
    if through_fts:
        params["q_phrase"] = _phrase(q)
    return _matches_statement(through_fts, filters.sort), params


@functools.cache
def _matches_statement(through_fts: bool, sort: str):
    t = _BY_ID if through_fts else _DIRECTORY
    columns = [t.c[name] for name in _FACET_COLUMNS[:-1]]
    # The year as a number from the database (as the counts' GROUP BY reads it), not a date
    # made in Python per match.
    columns.append(cast(func.extract("year", t.c.joined_on), Integer))
    columns.append(t.c.id)
    conds = [listed_condition(t), t.c.name_key.like(bindparam("q_like"), escape="\\")]
    if through_fts:
        conds.append(
            t.c.id.in_(
                select(_FTS.c.rowid).where(
                    _FTS.c[NAME_FTS_TABLE].op("MATCH")(bindparam("q_phrase"))
                )
            )
        )
    return select(*columns).where(*conds).order_by(*_order(Filters(sort=sort), t))


@functools.cache
def _page_by_ids(full: bool):
    names = _PAGE_COLUMNS + (_API_COLUMNS if full else ())
    return select(*(_BY_ID.c[name] for name in names)).where(
        _BY_ID.c.id.in_(bindparam("ids", expanding=True))
    )


def page_by_ids(ids: list[int], full: bool):
    """The page's members by id (any order: `pages` puts them in the order of `ids`)."""
    return _page_by_ids(full)


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


def page_statement(
    filters: Filters, sectors, offset: int, limit: int, full: bool, total: int | None = None
):
    # In name order the page walks the covering index; the join-free select keeps it so (a
    # join would read each skipped row's table record). Other orders use the join date index.
    if _name_index_usable(filters):
        t = _BY_ID
    elif filters.sort == "name":
        t = _DIRECTORY
    else:
        t = Organisation.__table__
    names = _PAGE_COLUMNS + (_API_COLUMNS if full else ())
    if (
        searching(filters)
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


def page_query(filters: Filters, sectors, offset: int, limit: int, full: bool) -> tuple | None:
    """(statement, parameters) of a page without a name search: `page_statement`'s
    statement, built once per shape (which filters apply, the order, the columns) with the
    values as parameters (building it and its cache key cost five times running it; issue
    20). None for a name search or an unknown sector (`page_statement` then)."""
    if searching(filters):
        return None
    params = {"p_limit": limit, "p_offset": offset}
    if filters.sector:
        sector_id = next((s.id for s in sectors if s.slug == filters.sector), None)
        if sector_id is None:
            return None  # IS NULL, which a parameter cannot say
        params["p_sector"] = sector_id
    if filters.country:
        params["p_country"] = filters.country
    if filters.category:
        params["p_category"] = filters.category
    if filters.status:
        params["p_status"] = filters.status
    if filters.year:
        params["p_from"] = dt.date(filters.year, 1, 1)
        params["p_until"] = dt.date(filters.year + 1, 1, 1)
    shape = (
        bool(filters.country),
        bool(filters.sector),
        bool(filters.category),
        bool(filters.status),
        bool(filters.year),
        filters.sort,
        full,
    )
    return _page_shape(*shape), params


@functools.cache
def _page_shape(country, sector, category, status, year, sort: str, full: bool):
    t = _DIRECTORY if sort == "name" else Organisation.__table__
    c = t.c
    conds = [listed_condition(t)]
    if country:
        conds.append(c.country == bindparam("p_country", type_=String))
    if sector:
        conds.append(c.sector_id == bindparam("p_sector", type_=Integer))
    if category:
        conds.append(c.category == bindparam("p_category", type_=String))
    if status:
        conds.append(c.status == bindparam("p_status", type_=String))
    if year:
        conds.append(c.joined_on >= bindparam("p_from", type_=sa.Date))
        conds.append(c.joined_on < bindparam("p_until", type_=sa.Date))
    names = _PAGE_COLUMNS + (_API_COLUMNS if full else ())
    return (
        select(*(c[name] for name in names))
        .select_from(t)
        .where(*conds)
        .order_by(*_order(Filters(sort=sort), t))
        .limit(bindparam("p_limit", type_=Integer))
        .offset(bindparam("p_offset", type_=Integer))
    )


def searching(filters: Filters) -> bool:
    return bool(filters.q and normalise_query(filters.q))


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
