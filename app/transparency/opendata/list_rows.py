"""Keeping the open-data lists' read model (`public_reports`, `public_pledges` and their
counts, `public_list_counts`) equal to what it copies, with the writes that change it
(docs/performance.md, "The open-data lists").

`public_reports` holds the accepted reports (accepted current version) of listed members,
`public_pledges` the public pledges of listed members, each with the columns the API's list
filters, orders and pages by. `public_list_counts` holds, for each list and each set of the
filters category, country and status (8 sets), how many rows have those values, per year
and for every year (year 0): a page reads its total instead of counting every match, and
the report list learns which years a page spans (so each year's part is a walk of one index
in order, on both databases).

After every flush that writes a report (state, current version, cycle, member, lateness), a
version (review state, number, dates), a pledge (public, status, member) or one of a member's copied columns, the
touched rows are written again from the source tables (a DELETE and an INSERT … SELECT) and
the counts moved by the difference (one SELECT before, one after, one upsert). `rebuild`
recomputes all three tables (`flask pactum reindex`, through `reindex_all`). Everything
runs on the flushing session's connection, inside its transaction: never a commit.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, delete, event, insert, select, true
from sqlalchemy.orm import Session, attributes

from app.db import add_to_counts
from app.members.directory.statements import listed_condition
from app.members.models import Organisation, Pledge
from app.reporting.models import Report, ReportingCycle, ReportVersion
from app.transparency.opendata.models import PublicListCount, PublicPledgeRow, PublicReportRow

FILTERS = ("category", "country", "status")
_SUBSETS = [c for r in range(len(FILTERS) + 1) for c in itertools.combinations(FILTERS, r)]
# The organisation's columns the rows copy or depend on.
MEMBER_COLUMNS = ("name_key", "country", "category", "status", "joined_on")
# The report's and the version's columns the rows depend on.
_REPORT_COLUMNS = ("state", "current_version_id", "cycle_id", "organisation_id", "is_late")
_VERSION_COLUMNS = ("review_state", "number", "submitted_at", "reviewed_at")
_REPORTS = PublicReportRow.__table__
_PLEDGES = PublicPledgeRow.__table__
_COUNTS = PublicListCount.__table__
_ACCEPTED = "accepted"


def filter_key(filters: dict) -> str:
    """ "category=ngo&country=DE": the filters among FILTERS, in that order."""
    return "&".join(f"{name}={filters[name]}" for name in FILTERS if name in filters)


_READ = select(_COUNTS.c.year, _COUNTS.c.n).where(
    _COUNTS.c.kind == bindparam("kind"), _COUNTS.c.filter_key == bindparam("key")
)


def read_counts(connection, kind: str, filters: dict) -> dict[int, int]:
    """The number of rows of list `kind` matching `filters` (category, country, status), per
    year and for every year (0). One statement."""
    return dict(connection.execute(_READ, {"kind": kind, "key": filter_key(filters)}).all())


def _contributions(kind: str, rows: Iterable) -> Counter:
    """The count rows (kind, filter key, year) that rows of (year, category, country,
    status) add to; year 0 or None counts for every year only."""
    counts: Counter = Counter()
    for year, category, country, status in rows:
        values = {"category": category, "country": country, "status": status}
        for applied in _SUBSETS:
            key = filter_key({name: values[name] for name in applied})
            counts[(kind, key, 0)] += 1
            if year:
                counts[(kind, key, year)] += 1
    return counts


# The source of each table's rows -------------------------------------------------------------


def _report_source(where):
    o = Organisation
    return (
        select(
            Report.id.label("report_id"),
            Report.organisation_id,
            ReportingCycle.year,
            o.name_key,
            o.country,
            o.category,
            o.status,
            ReportVersion.number.label("version"),
            ReportVersion.submitted_at,
            ReportVersion.reviewed_at.label("accepted_at"),
            Report.is_late,
        )
        .select_from(Report)
        .join(ReportVersion, ReportVersion.id == Report.current_version_id)
        .join(ReportingCycle, ReportingCycle.id == Report.cycle_id)
        .join(o, o.id == Report.organisation_id)
        .where(Report.state == _ACCEPTED, ReportVersion.review_state == _ACCEPTED)
        .where(listed_condition(), *([] if where is None else [where]))
    )


def _pledge_source(where):
    o = Organisation
    return (
        select(
            Pledge.id.label("pledge_id"),
            Pledge.organisation_id,
            o.name_key,
            o.country,
            o.category,
            Pledge.status,
        )
        .join(o, o.id == Pledge.organisation_id)
        .where(Pledge.is_public.is_(True), listed_condition())
        .where(*([] if where is None else [where]))
    )


_LISTS = {
    # kind: (table, its rows' source, the row's id there and in the source, the year column)
    "reports": (_REPORTS, _report_source, _REPORTS.c.report_id, Report.id, _REPORTS.c.year),
    "pledges": (_PLEDGES, _pledge_source, _PLEDGES.c.pledge_id, Pledge.id, None),
}


def _counted(connection: Connection, kind: str, where) -> Counter:
    table, _source, _id, _source_id, year = _LISTS[kind]
    c = table.c
    columns = (c.category, c.country, c.status)
    if year is None:
        rows = ((0, *row) for row in connection.execute(select(*columns).where(where)))
    else:
        rows = connection.execute(select(year, *columns).where(where))
    return _contributions(kind, rows)


def apply(connection: Connection, deltas: Counter) -> None:
    """Add each delta to its count (created when missing), in key order, in one statement."""
    add_to_counts(connection, _COUNTS, ("kind", "filter_key", "year"), deltas, drop_empty=False)


def refresh(connection: Connection, kind: str, ids: Iterable[int] = (), members=()) -> None:
    """Write again the rows of list `kind` with these ids, and those of these members, and
    move the counts by the difference."""
    ids, members = sorted(set(ids)), sorted(set(members))
    if not (ids or members):
        return
    table, source, row_id, source_id, _year = _LISTS[kind]
    mine = row_id.in_(ids) | table.c.organisation_id.in_(members)
    wanted = source_id.in_(ids) | Organisation.id.in_(members)
    before = _counted(connection, kind, mine)
    connection.execute(delete(table).where(mine))
    statement = source(wanted)
    connection.execute(
        insert(table).from_select(list(statement.selected_columns.keys()), statement)
    )
    after = _counted(connection, kind, mine)
    after.subtract(before)
    apply(connection, after)


def rebuild(connection: Connection) -> int:
    """Recompute the three tables from the source tables; the number of report rows."""
    connection.execute(delete(_COUNTS))
    totals: Counter = Counter()
    for kind, (table, source, *_rest) in _LISTS.items():
        connection.execute(delete(table))
        statement = source(None)
        names = list(statement.selected_columns.keys())
        connection.execute(insert(table).from_select(names, statement))
        totals.update(_counted(connection, kind, true()))
    rows = [{"kind": k, "filter_key": f, "year": y, "n": n} for (k, f, y), n in totals.items()]
    for start in range(0, len(rows), 5000):
        connection.execute(insert(_COUNTS), rows[start : start + 5000])
    return totals.get(("reports", "", 0), 0)


# Kept with the writes -------------------------------------------------------------------------


def _changed(obj, names: Iterable[str]) -> bool:
    return any(attributes.get_history(obj, name).has_changes() for name in names)


def _may_be_accepted(obj, name: str) -> bool:
    """Whether `obj.<name>` is or was "accepted" (or its old value is not known)."""
    history = attributes.get_history(obj, name)
    if history.has_changes() and not history.deleted:
        return True  # set without loading the old value
    return _ACCEPTED in (getattr(obj, name), *history.deleted, *history.unchanged)


def _touched(session: Session) -> tuple[set, set, set]:
    reports: set[int] = set()
    pledges: set[int] = set()
    members: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        gone = obj in session.deleted
        if isinstance(obj, Report):
            if obj in session.new:
                listed = obj.state == _ACCEPTED  # a new draft is in no list
            else:
                listed = _changed(obj, _REPORT_COLUMNS) and _may_be_accepted(obj, "state")
            if gone or listed:
                reports.add(obj.id)
        elif isinstance(obj, ReportVersion):
            reviewed = obj not in session.new and _changed(obj, _VERSION_COLUMNS)
            if reviewed and _may_be_accepted(obj, "review_state"):
                reports.add(obj.report_id)
        elif isinstance(obj, Pledge):
            moved = _changed(obj, ("is_public", "status", "organisation_id"))
            if gone or obj in session.new or moved:
                pledges.add(obj.id)
        elif isinstance(obj, Organisation) and (
            gone or (obj not in session.new and _changed(obj, MEMBER_COLUMNS))
        ):
            members.add(obj.id)
    return reports, pledges, members


@event.listens_for(Session, "after_flush")
def _keep_rows(session: Session, flush_context) -> None:
    reports, pledges, members = _touched(session)
    if not (reports or pledges or members):
        return
    connection = session.connection()
    refresh(connection, "reports", reports, members)
    refresh(connection, "pledges", pledges, members)
