"""The directory's filter counts, kept as data (`DirectoryFacet`) with the writes that change
them, so a page reads them instead of counting every listed member (issue 20: the count was
most of a cold directory request, and grew with the alliance).

For each set T of filters applied (country, sector, category, status, year joined; 32 sets)
and each filter F not in T, a row (key of T with its values, F, value of F) holds how many
listed members have those values. A page with filters S needs, for each F, the counts of F
with the *other* filters applied: the rows of key(S - {F}) and facet F: at most six keys, one
indexed statement, whatever the number of members. A member adds one to 80 rows (Σ over T of
the filters not in T); a change of status, country, sector, category or date joined moves it
(minus one from its old rows, plus one to its new ones).

The rows are adjusted by a session listener after every flush that inserts, changes or
deletes an `Organisation` (whichever code wrote it: service, CLI, demo, test builder), in the
same transaction, with one upsert (`n = n + delta`; keys in order, so two writers never wait
on each other in opposite orders). `rebuild(connection)` recomputes the whole table (the
benchmark's generator, after a bulk load that bypasses the ORM; `flask pactum
rebuild-directory-counts`). A name search is not counted here (any substring could be
asked): its counts come from the matching members, found through the name index
(`statements.counts_statement`).
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import (
    Connection,
    String,
    bindparam,
    cast,
    delete,
    event,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, attributes

from app.members.directory.filters import Filters
from app.members.models import PUBLIC_STATUSES, DirectoryFacet, Organisation

DIMENSIONS = ("country", "sector", "category", "status", "year")
_PUBLIC = frozenset(s.value for s in PUBLIC_STATUSES)
_COLUMNS = ("country", "sector_id", "category", "status", "joined_on")
_SUBSETS = [
    frozenset(c) for r in range(len(DIMENSIONS) + 1) for c in itertools.combinations(DIMENSIONS, r)
]
_TABLE = DirectoryFacet.__table__


def filter_key(values: dict[str, str | None], applied: Iterable[str]) -> str:
    """ "country=KE&sector=3": the filters `applied`, in the order of DIMENSIONS."""
    applied = set(applied)
    return "&".join(f"{d}={values[d]}" for d in DIMENSIONS if d in applied)


def member_values(country, sector_id, category, status, joined_on) -> dict | None:
    """A member's value of each filter, as strings; None when it is not listed."""
    if status not in _PUBLIC or joined_on is None:
        return None
    return {
        "country": country or None,
        "sector": str(sector_id) if sector_id is not None else None,
        "category": category or None,
        "status": str(status),
        "year": str(joined_on.year),
    }


def contributions(values: dict | None) -> list[tuple[str, str, str]]:
    """The (key, facet, value) rows one listed member counts in."""
    if values is None:
        return []
    rows = []
    for applied in _SUBSETS:
        if any(values[d] is None for d in applied):
            continue  # a member without a sector never matches a sector filter
        key = filter_key(values, applied)
        rows.extend(
            (key, facet, values[facet])
            for facet in DIMENSIONS
            if facet not in applied and values[facet] is not None
        )
    return rows


# Reading --------------------------------------------------------------------------------


def _filter_values(filters: Filters, sectors) -> dict[str, str | None]:
    sector_id = next((s.id for s in sectors if s.slug == filters.sector), None)
    return {
        "country": filters.country or None,
        # An unknown sector slug matches nobody: a key no row has.
        "sector": (str(sector_id) if sector_id is not None else "none") if filters.sector else None,
        "category": filters.category or None,
        "status": filters.status or None,
        "year": str(filters.year) if filters.year else None,
    }


_PAIR, _NEXT = "\x1f", "\x1e"  # never in a value (codes, ids, years)


@functools.cache
def _read_joined(dialect: str):
    """The rows (key, facet, value, n > 0) of the keys asked for, the values and counts of
    each (key, facet) joined into one string ("value<US>n<RS>value<US>n..."): a few rows,
    not one per value (a page with no filter has ~300; making each a result row cost more
    than reading them; issue 20)."""
    pair = _TABLE.c.value + literal(_PAIR) + cast(_TABLE.c.n, String)
    joined = (
        func.string_agg(pair, literal(_NEXT))
        if dialect == "postgresql"
        else func.group_concat(pair, literal(_NEXT))
    )
    return (
        select(_TABLE.c.filter_key, _TABLE.c.facet, joined)
        .where(_TABLE.c.filter_key.in_(bindparam("b_keys", expanding=True)), _TABLE.c.n > 0)
        .group_by(_TABLE.c.filter_key, _TABLE.c.facet)
    )


def read_counts(session, filters: Filters, sectors) -> dict[str, dict[str, int]]:
    """For each filter, the count of listed members per value with the other filters
    applied (not the name search: see the module's docstring). One statement."""
    values = _filter_values(filters, sectors)
    applied = {d for d in DIMENSIONS if values[d] is not None}
    wanted = {facet: filter_key(values, applied - {facet}) for facet in DIMENSIONS}
    counts: dict[str, dict[str, int]] = {facet: {} for facet in DIMENSIONS}
    # On the session's connection: the ORM's execute path cost more than this read (issue 20).
    session.flush()
    connection = session.connection()
    statement = _read_joined(connection.dialect.name)
    keys = {"b_keys": sorted(set(wanted.values()))}
    for key, facet, joined in connection.execute(statement, keys):
        if wanted.get(facet) == key:
            found = counts[facet]
            for pair in joined.split(_NEXT):
                value, n = pair.split(_PAIR)
                found[value] = int(n)
    return counts


# Keeping them with the writes ---------------------------------------------------------------


def _old_values(obj) -> dict | None:
    old = []
    for name in _COLUMNS:
        history = attributes.get_history(obj, name)
        if history.deleted:
            old.append(history.deleted[0])
        elif history.unchanged:
            old.append(history.unchanged[0])
        else:
            old.append(None)
    return member_values(*old)


def _new_values(obj) -> dict | None:
    return member_values(*(getattr(obj, name) for name in _COLUMNS))


def apply(connection: Connection, deltas: Counter) -> None:
    """Add each delta to its row (created when missing), in key order, in one statement."""
    rows = [
        {"filter_key": k, "facet": f, "value": v, "n": n}
        for (k, f, v), n in sorted(deltas.items())
        if n
    ]
    if not rows:
        return
    dialect = connection.dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = make(_TABLE)
    statement = statement.on_conflict_do_update(
        index_elements=["filter_key", "facet", "value"],
        set_={"n": _TABLE.c.n + statement.excluded.n},
    )
    connection.execute(statement, rows)


@event.listens_for(Session, "after_flush")
def _keep_counts(session: Session, flush_context) -> None:
    deltas: Counter = Counter()
    for obj in session.new:
        if isinstance(obj, Organisation):
            deltas.update(contributions(_new_values(obj)))
    for obj in session.deleted:
        if isinstance(obj, Organisation):
            deltas.subtract(contributions(_old_values(obj)))
    for obj in session.dirty:
        if isinstance(obj, Organisation) and session.is_modified(obj):
            old, new = _old_values(obj), _new_values(obj)
            if old != new:
                deltas.subtract(contributions(old))
                deltas.update(contributions(new))
    if any(deltas.values()):
        apply(session.connection(), deltas)


# Recomputing them ---------------------------------------------------------------------------


def computed(connection: Connection) -> Counter:
    """Every row, counted from the organisations (one GROUP BY, expanded here)."""
    o = Organisation.__table__
    columns = [o.c[name] for name in _COLUMNS]
    totals: Counter = Counter()
    grouped = connection.execute(
        select(*columns, func.count())
        .where(o.c.status.in_(sorted(_PUBLIC)), o.c.joined_on.is_not(None))
        .group_by(*columns)
    )
    for *values, n in grouped:
        for row in contributions(member_values(*values)):
            totals[row] += n
    return totals


def rebuild(connection: Connection) -> int:
    """Recompute the whole table from the organisations; returns the number of rows."""
    totals = computed(connection)
    connection.execute(delete(_TABLE))
    rows = [{"filter_key": k, "facet": f, "value": v, "n": n} for (k, f, v), n in totals.items()]
    for start in range(0, len(rows), 5000):
        connection.execute(insert(_TABLE), rows[start : start + 5000])
    return len(rows)
