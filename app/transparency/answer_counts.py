"""How many answers the public answers lists count, kept as data (`answer_filter_counts`)
with the read model (`public_answers`, answer_rows.py) so that a list with up to two
filters reads one row instead of counting its answers (issue 15: counting a question's
answers from one country read 19,000 index entries, a principle's without filters
287,000, the API's year and principle 37,000, at 25,000 members).

A cell is (scope, filter key) -> n. The centre's scopes are a principle ("p3") and one of its
questions followed by its lineage ("p3:<lineage>"); they count the answers with a value
(`has_value`, no evidence) of listed members, by year, country, sector (id), category and
status. The API's scope ("api") counts every answer of a listed member by year, principle
(its number in the cycle's charter), lineage, country and category. Each answer counts in
the cell of every set of at most two of its scope's filters (the empty set too): a
report of some forty answers moves a few hundred cells. A list with more filters, or with
a filter that names no value of the read model (the API's member), counts from its
covering index as before: its range is short.

The cells move with the rows, by the difference: `grouped` reads the rows of some reports
or members grouped by what the cells read, before and after answer_rows.py rewrites them,
and `apply` adds what changed. `rebuild` recomputes the table from the rows.
"""

from __future__ import annotations

import itertools
from collections import Counter

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
)

from app.db import add_to_counts
from app.members.directory.statements import listed_condition
from app.transparency.models import AnswerFilterCount, PublicAnswerRow

CENTRE_FILTERS = ("year", "country", "sector", "category", "status")
API_FILTERS = ("year", "principle", "lineage", "country", "category")
MAX_FILTERS = 2
API_SCOPE = "api"
_CENTRE_SETS = [
    c for r in range(MAX_FILTERS + 1) for c in itertools.combinations(CENTRE_FILTERS, r)
]
_API_SETS = [c for r in range(MAX_FILTERS + 1) for c in itertools.combinations(API_FILTERS, r)]
_ROWS = PublicAnswerRow.__table__
_CELLS = AnswerFilterCount.__table__


def centre_scope(principle_id: int, lineage: str | None = None) -> str:
    return f"p{principle_id}" if lineage is None else f"p{principle_id}:{lineage}"


def filter_key(values: dict, order: tuple[str, ...]) -> str | None:
    """ "year=2025&country=US": the filters given (not None, not ""), in `order`; None when
    they are more than a cell holds (the caller counts its rows)."""
    applied = [(name, values[name]) for name in order if values.get(name) not in (None, "")]
    if len(applied) > MAX_FILTERS:
        return None
    return "&".join(f"{name}={value}" for name, value in applied)


def _key(values: dict, applied: tuple[str, ...]) -> str:
    return "&".join(f"{name}={values[name]}" for name in applied)


def cells(row) -> list[tuple[str, str]]:
    """The cells one group of rows (as `grouped` reads them) counts in."""
    api = {
        "year": row.year,
        "principle": row.principle_number,
        "lineage": row.lineage,
        "country": row.country,
        "category": row.category,
    }
    found = [
        (API_SCOPE, _key(api, applied))
        for applied in _API_SETS
        if all(api[name] not in (None, "") for name in applied)
    ]
    if row.valued and row.principle_id is not None:
        centre = {
            "year": row.year,
            "country": row.country,
            "sector": row.sector_id,
            "category": row.category,
            "status": row.status,
        }
        scopes = (centre_scope(row.principle_id), centre_scope(row.principle_id, row.lineage))
        for applied in _CENTRE_SETS:
            if all(centre[name] not in (None, "") for name in applied):
                key = _key(centre, applied)
                found.extend((scope, key) for scope in scopes)
    return found


def _grouped_statement(where=None):
    r = _ROWS.c
    valued = case(
        (and_(r.has_value.is_(True), r.question_type != "evidence"), literal(1)), else_=literal(0)
    )
    columns = (
        r.principle_id,
        r.lineage,
        r.principle_number,
        r.year,
        r.country,
        r.category,
        r.sector_id,
        r.status,
        valued.label("valued"),
    )
    statement = select(*columns, func.count().label("n")).where(listed_condition(_ROWS))
    if where is not None:
        statement = statement.where(where)
    return statement.group_by(*columns)


def grouped(connection: Connection, where=None) -> Counter:
    """The cells of the listed members' rows matching `where` (all if None), counted."""
    counted: Counter = Counter()
    for row in connection.execute(_grouped_statement(where)):
        for cell in cells(row):
            counted[cell] += row.n
    return counted


def apply(connection: Connection, deltas: Counter) -> None:
    """Add these differences to the cells (one upsert), and drop the cells left at zero."""
    add_to_counts(connection, _CELLS, ("scope", "filter_key"), deltas)


def rebuild(connection: Connection) -> None:
    """Recompute every cell from the rows, in the database: the rows grouped once by what
    the cells read (a temporary table), then one grouped INSERT … SELECT per scope and set of
    filters, each writing the same keys `cells` makes. (Counting the groups in Python, as
    `grouped` does for the few rows of a write, took 9 of the 25 s of a reindex at 1,000
    members and grew with the answers: docs/performance.md.)"""
    connection.execute(delete(_CELLS))
    groups = _groups_table()
    groups.create(connection)
    try:
        connection.execute(insert(groups).from_select(_GROUP_COLUMNS, _grouped_statement()))
        g = groups.c
        api = {"year": g.year, "principle": g.principle_number, "lineage": g.lineage}
        api |= {"country": g.country, "category": g.category}
        centre = {"year": g.year, "country": g.country, "sector": g.sector_id}
        centre |= {"category": g.category, "status": g.status}
        principle = literal_column("'p'", Text) + cast(g.principle_id, Text)
        lineage = principle + literal_column("':'", Text) + g.lineage
        valued = (g.valued == 1, g.principle_id.is_not(None))
        for applied in _API_SETS:
            connection.execute(
                _cells_insert(groups, literal_column(f"'{API_SCOPE}'", Text), (), api, applied)
            )
        for scope, by in ((principle, (g.principle_id,)), (lineage, (g.principle_id, g.lineage))):
            for applied in _CENTRE_SETS:
                connection.execute(_cells_insert(groups, scope, by, centre, applied, valued))
    finally:
        groups.drop(connection)


_GROUP_COLUMNS = [
    "principle_id",
    "lineage",
    "principle_number",
    "year",
    "country",
    "category",
    "sector_id",
    "status",
    "valued",
    "n",
]


def _groups_table() -> Table:
    r = _ROWS.c
    columns = [Column(name, r[name].type) for name in _GROUP_COLUMNS[:-2]]
    return Table(
        "rebuilt_answer_groups",
        MetaData(),
        *columns,
        Column("valued", Integer),
        Column("n", Integer),
        prefixes=["TEMPORARY"],
    )


def _cells_insert(groups: Table, scope, scope_columns, columns: dict, applied, where=()):
    """INSERT the cells of one scope and set of filters: their keys as `_key` writes them
    ("year=2025&country=US"), counted over the groups with every applied value present."""
    key = literal_column("''", Text)
    for i, name in enumerate(applied):
        part = literal_column(f"'{'&' if i else ''}{name}='", Text) + cast(columns[name], Text)
        key = part if i == 0 else key + part
    present = []
    for name in applied:
        present.append(columns[name].is_not(None))
        if isinstance(columns[name].type, String):
            present.append(columns[name] != "")
    by = [*scope_columns, *(columns[name] for name in applied)]
    counted = (
        select(scope.label("scope"), key.label("filter_key"), func.sum(groups.c.n).label("n"))
        .where(*where, *present)
        .group_by(*by)
    )
    if not by:  # one total, NULL over no rows: no cell then, as `cells` makes none
        total = counted.subquery()
        counted = select(total).where(total.c.n.is_not(None))
    return insert(_CELLS).from_select(["scope", "filter_key", "n"], counted)


# The statement that reads one cell's count (no row: none), built once. Bound: `scope`, `key`.
CELL = select(_CELLS.c.n).where(
    _CELLS.c.scope == bindparam("scope"), _CELLS.c.filter_key == bindparam("key")
)
