"""The open-data API's lists, read with a fixed number of statements per page (a count and
a page, plus one for the pledges' principles). Public data only: accepted versions (the
latest accepted version of a report that is accepted), questions marked public, public
pledges, listed members. Plain rows out; `schemas` turns them into the API's JSON."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, column, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import TableClause

from app.charter.models import CharterVersion, Principle, PrincipleText
from app.db import db
from app.errors import NotFound
from app.members.directory.statements import listed_condition
from app.members.models import PUBLIC_STATUSES, Organisation, Pledge, Sector
from app.members.models import pledge_principles as pledge_principles_table
from app.reporting.models import (
    Question,
    Report,
    ReportingCycle,
    ReportVersion,
)
from app.transparency import answer_counts
from app.transparency.models import PublicAnswerRow
from app.transparency.opendata.api_query import ListQuery


@dataclass
class Page:
    rows: list
    total: int
    page: int
    pages: int


_MEMBER_COLUMNS = (
    Organisation.slug.label("member_slug"),
    Organisation.name.label("member_name"),
    Organisation.country,
    Organisation.category,
    Sector.slug.label("sector_slug"),
)


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


def _member_filters(statement, filters: dict):
    if "member" in filters:
        statement = statement.where(Organisation.slug == filters["member"])
    if "category" in filters:
        statement = statement.where(Organisation.category == filters["category"])
    if "country" in filters:
        statement = statement.where(Organisation.country == filters["country"])
    return statement


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


class _Through(TableClause):
    """A table read through a named index: `FROM <table> INDEXED BY <index>` on SQLite
    (whose planner, without statistics for an index, prefers the primary key or a sort),
    the plain table elsewhere. As `app.members.directory.statements` does."""

    inherit_cache = True

    def __init__(self, table, index: str):
        super().__init__(table.name, *(column(c.name, c.type) for c in table.c))
        self.index = index


@compiles(_Through, "sqlite")
def _compile_through(element, compiler, **kw):
    text = compiler.visit_table(element, **kw)
    return text + f" INDEXED BY {element.index}" if kw.get("asfrom") else text


# The version's review state from `ix_report_versions_review` (looked up by id).
_VERSION_STATE = _Through(ReportVersion.__table__, "ix_report_versions_review")


def _report_keys(filters: dict):
    """(report id, year, member's name key) of the accepted reports the filters keep, read
    from indexes only: reports through `ix_reports_public_list` (cycle, state, member,
    current version), the version's state through `ix_report_versions_review`, the member
    by id."""
    v = _VERSION_STATE
    o = Organisation.__table__
    statement = (
        select(Report.id, ReportingCycle.year, o.c.name_key)
        .select_from(ReportingCycle)
        .join(Report, Report.cycle_id == ReportingCycle.id)
        .join(o, o.c.id == Report.organisation_id)
        .join(v, v.c.id == Report.current_version_id)
        .where(
            Report.state == "accepted",
            v.c.review_state == "accepted",
            o.c.status.in_([s.value for s in PUBLIC_STATUSES]),
            o.c.joined_on.is_not(None),
        )
    )
    for name, value in filters.items():
        if name == "year":
            statement = statement.where(ReportingCycle.year == value)
        elif name in ("category", "country", "status"):
            statement = statement.where(o.c[name] == value)
        elif name == "member":
            statement = statement.where(o.c.slug == value)
    return statement, (ReportingCycle.year.desc(), o.c.name_key, Report.id)


def list_reports(query: ListQuery) -> Page:
    """A page of accepted reports, newest year first, then by member name, in two
    statements that read indexes only (issue 15: counting and sorting every accepted
    report joined to its version row took 1.5 s at 25,000 members): the count, and the ids
    of the page's reports (`_report_keys`); the page then reads the rows of the reports it
    shows, and no version's row otherwise (its snapshot, stored before `review_state`,
    spans overflow pages on SQLite)."""
    keys, ordered = _report_keys(query.filters)
    total = db.session.scalar(select(func.count()).select_from(keys.subquery())) or 0
    pages = max(1, math.ceil(total / query.per_page))
    rows = []
    if query.page <= pages:
        shown = (
            keys.order_by(*ordered)
            .limit(query.per_page)
            .offset((query.page - 1) * query.per_page)
            .subquery()
        )
        rows = db.session.execute(
            _reports()
            .join(shown, shown.c.id == Report.id)
            .order_by(ReportingCycle.year.desc(), Organisation.name_key, Report.id)
        ).all()
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
    versions' answers to public questions, answer_rows.py keeps it), counted there alone."""
    filters = query.filters
    a = PublicAnswerRow
    conds = [listed_condition(a.__table__)]
    if "member" in filters:
        conds.append(a.slug == filters["member"])
    if "category" in filters:
        conds.append(a.category == filters["category"])
    if "country" in filters:
        conds.append(a.country == filters["country"])
    if "year" in filters:
        conds.append(a.year == filters["year"])
    if "principle" in filters:
        conds.append(a.principle_number == filters["principle"])
    if "lineage" in filters:
        conds.append(a.lineage == filters["lineage"])
    statement = (
        select(
            a.slug.label("member_slug"),
            a.name.label("member_name"),
            a.country,
            a.category,
            Sector.slug.label("sector_slug"),
            a.year,
            a.principle_number.label("principle"),
            a.lineage,
            Question.text.label("question"),
            Question.type,
            Question.unit,
            a.value,
            a.language,
        )
        .join(Question, Question.id == a.question_id)
        .outerjoin(Sector, Sector.id == a.sector_id)
        .where(*conds)
    )
    return _paged(
        statement,
        query,
        a.year.desc(),
        a.name_key,
        a.section_position,
        a.question_position,
        a.answer_id,
        count=_answers_count(filters, conds),
    )


def _answers_count(filters: dict, conds: list):
    """The count of an answers list: with up to two filters, none of them a member, one row
    of `answer_filter_counts` (answer_counts.py); else counted from the indexes."""
    key = None
    if "member" not in filters:
        key = answer_counts.filter_key(filters, answer_counts.API_FILTERS)
    if key is not None:
        return answer_counts.counted(answer_counts.API_SCOPE, key)
    return select(func.count()).select_from(PublicAnswerRow).where(*conds)


def list_pledges(query: ListQuery) -> tuple[Page, dict[int, list[str]]]:
    """A page of public pledges, and the principle keys of each (by pledge id)."""
    statement = (
        select(
            *_MEMBER_COLUMNS,
            Pledge.id,
            Pledge.title,
            Pledge.description_md,
            Pledge.indicator,
            Pledge.status,
            Pledge.status_since,
            Pledge.target_date,
        )
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .outerjoin(Sector, Sector.id == Organisation.sector_id)
        .where(Pledge.is_public.is_(True), listed())
    )
    statement = _member_filters(statement, query.filters)
    if "status" in query.filters:
        statement = statement.where(Pledge.status == query.filters["status"])
    page = _paged(statement, query, Organisation.name_key, Pledge.id)
    keys: dict[int, list[str]] = {row.id: [] for row in page.rows}
    if keys:
        for pledge_id, key in db.session.execute(
            select(pledge_principles_table.c.pledge_id, Principle.key)
            .join(Principle, Principle.id == pledge_principles_table.c.principle_id)
            .where(pledge_principles_table.c.pledge_id.in_(list(keys)))
            .order_by(Principle.id)
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
