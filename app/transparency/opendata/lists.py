"""The open-data API's lists, read with a fixed number of statements per page (a count and
a page, plus one for the pledges' principles). Public data only: accepted versions (the
latest accepted version of a report that is accepted), questions marked public, public
pledges, listed members. Plain rows out; `schemas` turns them into the API's JSON."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from app.charter.models import CharterVersion, Principle, PrincipleText
from app.db import db
from app.errors import NotFound
from app.members.models import PUBLIC_STATUSES, Organisation, Sector
from app.reporting.models import (
    Report,
    ReportingCycle,
    ReportVersion,
)
from app.transparency import answer_counts
from app.transparency.opendata import list_rows, list_statements
from app.transparency.opendata.api_query import ListQuery


@dataclass
class Page:
    rows: list
    total: int
    page: int
    pages: int


_MEMBER_COLUMNS = list_statements.MEMBER_COLUMNS


def listed():
    return and_(
        Organisation.status.in_([s.value for s in PUBLIC_STATUSES]),
        Organisation.joined_on.is_not(None),
    )


def accepted_versions():
    """The id of each accepted report's latest accepted version."""
    return (
        select(func.max(ReportVersion.id))
        .join(Report, Report.id == ReportVersion.report_id)
        .where(Report.state == "accepted", ReportVersion.review_state == "accepted")
        .group_by(ReportVersion.report_id)
    )


def _paged(statement, query: ListQuery, *order, count=None) -> Page:
    if count is None:
        count = select(func.count()).select_from(statement.subquery())
    total = db.session.scalar(count) or 0
    pages = max(1, math.ceil(total / query.per_page))
    rows = []
    if query.page <= pages:
        rows = db.session.execute(
            statement.order_by(*order)
            .limit(query.per_page)
            .offset((query.page - 1) * query.per_page)
        ).all()
    return Page(rows, total, query.page, pages)


def _reports():
    """The accepted reports of listed members, with their accepted version: a report is
    accepted together with its current version (`review.decisions.accept`), and a newer
    submission makes the report `submitted` again, so the current version of an accepted
    report is its latest accepted one (as `accepted_versions()` finds it, without grouping
    every version). Both states are checked."""
    return (
        select(
            *_MEMBER_COLUMNS,
            ReportingCycle.year,
            ReportVersion.number.label("version"),
            ReportVersion.submitted_at,
            ReportVersion.reviewed_at.label("accepted_at"),
            Report.is_late,
        )
        .select_from(Report)
        .join(ReportVersion, ReportVersion.id == Report.current_version_id)
        .join(ReportingCycle, ReportingCycle.id == Report.cycle_id)
        .join(Organisation, Organisation.id == Report.organisation_id)
        .outerjoin(Sector, Sector.id == Organisation.sector_id)
        .where(Report.state == "accepted", ReportVersion.review_state == "accepted", listed())
    )


def _offset(query: ListQuery) -> int:
    return (query.page - 1) * query.per_page


def _year_parts(counts: dict[int, int], query: ListQuery) -> list[tuple[int, int, int]]:
    """(year, offset in that year, rows) of each year a page spans, newest first, from the
    rows each year has."""
    offset, wanted, parts = _offset(query), query.per_page, []
    for year in sorted((y for y in counts if y), reverse=True):
        n = counts[year]
        if offset >= n:
            offset -= n
            continue
        take = min(n - offset, wanted)
        parts.append((year, offset, take))
        wanted -= take
        offset = 0
        if not wanted:
            break
    return parts


def list_reports(query: ListQuery) -> Page:
    """A page of accepted reports, newest year first, then by member name, in two
    statements on the read model (list_rows.py; issue 15: counting and sorting every
    accepted report took 28 ms at 25,000 members): the total, and which years the page
    spans, from its counts (a member's reports counted directly); the page's rows, each
    year's part a walk of one index in order (`list_statements`), with their members."""
    filters, names = query.filters, frozenset(query.filters)
    bound = list_statements.values(filters)
    connection = db.session.connection()
    if "member" in filters:
        count, statement = list_statements.member_reports(names)
        total = connection.execute(count, bound).scalar() or 0
        bound.update(limit=query.per_page, offset=_offset(query))
    else:
        counts = list_rows.read_counts(connection, "reports", filters)
        if "year" in filters:
            counts = {filters["year"]: counts.get(filters["year"], 0)}
        total = counts.get(filters.get("year", 0), 0)
        parts = _year_parts(counts, query)
        statement = list_statements.year_reports(names, len(parts)) if parts else None
        for i, (year, offset, take) in enumerate(parts):
            bound.update({f"y{i}": year, f"o{i}": offset, f"l{i}": take})
    pages = max(1, math.ceil(total / query.per_page))
    rows = []
    if query.page <= pages and statement is not None:
        rows = connection.execute(statement, bound).all()
    return Page(rows, total, query.page, pages)


@dataclass
class LoadedReport:
    row: object
    snapshot: dict


def report_detail(slug: str, year: int) -> LoadedReport:
    found = db.session.execute(
        _reports()
        .add_columns(ReportVersion.snapshot)
        .where(Organisation.slug == slug, ReportingCycle.year == year)
    ).first()
    if found is None:
        raise NotFound(_("No accepted report of this member for this year."))
    return LoadedReport(found, found.snapshot or {})


def list_answers(query: ListQuery) -> Page:
    """A page of public answers, read from the read model (`public_answers`: the accepted
    versions' answers to public questions, answer_rows.py keeps it), in two statements
    built once per set of filters (`list_statements.answers`): the total (with up to two
    filters, none of them a member, one cell of `answer_filter_counts`: answer_counts.py;
    else counted from the indexes), and the page's rows."""
    filters = query.filters
    bound = list_statements.values(filters)
    count, statement = list_statements.answers(frozenset(filters))
    connection = db.session.connection()
    key = None
    if "member" not in filters:
        key = answer_counts.filter_key(filters, answer_counts.API_FILTERS)
    if key is not None:
        cell = {"scope": answer_counts.API_SCOPE, "key": key}
        total = connection.execute(answer_counts.CELL, cell).scalar() or 0
    else:
        total = connection.execute(count, bound).scalar() or 0
    pages = max(1, math.ceil(total / query.per_page))
    rows = []
    if query.page <= pages:
        bound.update(limit=query.per_page, offset=_offset(query))
        rows = connection.execute(statement, bound).all()
    return Page(rows, total, query.page, pages)


def list_pledges(query: ListQuery) -> tuple[Page, dict[int, list[str]]]:
    """A page of public pledges by member name, and the principle keys of each (by pledge
    id), in three statements on the read model (list_rows.py): the total from its counts
    (a member's counted directly), the page's rows (a walk of one index in order, with
    their pledges and members: `list_statements`), the keys."""
    filters = query.filters
    bound = list_statements.values(filters)
    count, statement = list_statements.pledges(frozenset(filters))
    connection = db.session.connection()
    if "member" in filters:
        total = connection.execute(count, bound).scalar() or 0
    else:
        total = list_rows.read_counts(connection, "pledges", filters).get(0, 0)
    pages = max(1, math.ceil(total / query.per_page))
    rows = []
    if query.page <= pages:
        bound.update(limit=query.per_page, offset=_offset(query))
        rows = connection.execute(statement, bound).all()
    page = Page(rows, total, query.page, pages)
    keys: dict[int, list[str]] = {row.id: [] for row in page.rows}
    if keys:
        for pledge_id, key in connection.execute(
            list_statements.PRINCIPLE_KEYS, {"ids": list(keys)}
        ):
            keys[pledge_id].append(key)
    return page, keys


def list_principles(query: ListQuery) -> Page:
    """The principles of the charter in force."""
    in_force = (
        select(CharterVersion.id)
        .where(CharterVersion.status == "published")
        .order_by(CharterVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        select(
            Principle.key,
            PrincipleText.number,
            PrincipleText.title,
            PrincipleText.body_md,
            PrincipleText.theme,
            CharterVersion.number.label("charter_version"),
        )
        .join(Principle, Principle.id == PrincipleText.principle_id)
        .join(CharterVersion, CharterVersion.id == PrincipleText.version_id)
        .where(PrincipleText.version_id == in_force)
    )
    return _paged(statement, query, PrincipleText.position, PrincipleText.id)
