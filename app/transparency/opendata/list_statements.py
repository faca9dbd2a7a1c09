"""The open-data report and pledge lists' statements on their read model (list_rows.py),
built once per shape (which filters are given, how many years a page spans) with bound
parameters, and run on the session's connection (Core rows, no ORM loading): building,
coercing and keying such a statement for the compiled cache on every request cost about
as much as running it (docs/performance.md, "The open-data lists").

Each page statement reads the read model's rows of the page, in the list's order, with the
member's names; `lists.list_reports` / `list_pledges` decide the bound values."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, func, select, union_all

from app.charter.models import Principle
from app.members.directory.statements import listed_condition
from app.members.models import Organisation, Pledge, Sector
from app.members.models import pledge_principles as pledge_principles_table
from app.reporting.models import Question
from app.transparency.models import PublicAnswerRow
from app.transparency.opendata.list_rows import FILTERS
from app.transparency.opendata.models import PublicPledgeRow, PublicReportRow

_REPORTS = PublicReportRow.__table__
_PLEDGES = PublicPledgeRow.__table__
MEMBER_COLUMNS = (
    Organisation.slug.label("member_slug"),
    Organisation.name.label("member_name"),
    Organisation.country,
    Organisation.category,
    Sector.slug.label("sector_slug"),
)


def values(filters: dict) -> dict:
    """The bound values of the filters."""
    return {f"f_{name}": value for name, value in filters.items()}


def _conditions(table, names: frozenset) -> list:
    conds = [table.c[name] == bindparam(f"f_{name}") for name in FILTERS if name in names]
    if "member" in names:
        member = select(Organisation.id).where(Organisation.slug == bindparam("f_member"))
        conds.append(table.c.organisation_id == member.scalar_subquery())
    return conds


def _with_members(shown, *columns):
    """The page's rows (`shown`, a subquery of the read model) with their member's names."""
    return (
        select(*MEMBER_COLUMNS, *columns)
        .select_from(shown)
        .join(Organisation, Organisation.id == shown.c.organisation_id)
        .outerjoin(Sector, Sector.id == Organisation.sector_id)
    )


def _report_page(shown):
    c = shown.c
    return _with_members(
        shown, c.year, c.version, c.submitted_at, c.accepted_at, c.is_late
    ).order_by(c.year.desc(), c.name_key, c.report_id)


@lru_cache(maxsize=64)
def member_reports(names: frozenset):
    """(count, page) of one member's reports (`f_member`; at most one a year): read and
    sorted directly. Bound: the filters, `limit`, `offset`."""
    r = _REPORTS
    conds = _conditions(r, names)
    if "year" in names:
        conds.append(r.c.year == bindparam("f_year"))
    count = select(func.count()).select_from(r).where(*conds)
    rows = (
        select(r)
        .where(*conds)
        .order_by(r.c.year.desc(), r.c.name_key, r.c.report_id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return count, _report_page(rows.subquery())


@lru_cache(maxsize=256)
def year_reports(names: frozenset, parts: int):
    """The page of a report list spanning `parts` years: for each, the year `y<i>`, the
    offset `o<i>` and number `l<i>` of its rows, a walk of `ix_public_reports_order` (year,
    name key, id) without a sort of the matches. Bound: those and the filters."""
    r = _REPORTS
    conds = _conditions(r, names - {"year"})
    parts_ = [
        select(r)
        .where(r.c.year == bindparam(f"y{i}"), *conds)
        .order_by(r.c.name_key, r.c.report_id)
        .limit(bindparam(f"l{i}"))
        .offset(bindparam(f"o{i}"))
        .subquery()
        for i in range(parts)
    ]
    selects = [select(*part.c) for part in parts_]
    rows = selects[0] if parts == 1 else union_all(*selects)
    return _report_page(rows.subquery())


@lru_cache(maxsize=64)
def pledges(names: frozenset):
    """(count, page) of the pledge list: a walk of `ix_public_pledges_order` (name key,
    id). The count is for a member's pledges only (the others are read from the counts).
    Bound: the filters, `limit`, `offset`."""
    p = _PLEDGES
    conds = _conditions(p, names)
    count = select(func.count()).select_from(p).where(*conds)
    shown = (
        select(p.c.pledge_id, p.c.organisation_id, p.c.name_key)
        .where(*conds)
        .order_by(p.c.name_key, p.c.pledge_id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery()
    )
    page = (
        _with_members(
            shown,
            Pledge.id,
            Pledge.title,
            Pledge.description_md,
            Pledge.indicator,
            Pledge.status,
            Pledge.status_since,
            Pledge.target_date,
        )
        .join(Pledge, Pledge.id == shown.c.pledge_id)
        .order_by(shown.c.name_key, shown.c.pledge_id)
    )
    return count, page


# The principle keys of the pledges `ids`.
PRINCIPLE_KEYS = (
    select(pledge_principles_table.c.pledge_id, Principle.key)
    .join(Principle, Principle.id == pledge_principles_table.c.principle_id)
    .where(pledge_principles_table.c.pledge_id.in_(bindparam("ids", expanding=True)))
    .order_by(Principle.id)
)


# Answers: the read model `public_answers` (app/transparency/answer_rows.py) -----------------

_ANSWERS = PublicAnswerRow.__table__
# The API's filter -> the read model's column (a member by its slug).
ANSWER_COLUMNS = {
    "member": "slug",
    "category": "category",
    "country": "country",
    "year": "year",
    "principle": "principle_number",
    "lineage": "lineage",
}


@lru_cache(maxsize=128)
def answers(names: frozenset):
    """(count, page) of the answers list with the filters `names`: the count of its rows
    (when no cell of `answer_filter_counts` holds it), and the page in the list's order
    (year newest first, member, section, question), with each answer's question. Bound:
    the filters (`values`), `limit`, `offset`."""
    a = _ANSWERS.c
    conds = [listed_condition(_ANSWERS)]
    conds += [
        a[column] == bindparam(f"f_{name}")
        for name, column in ANSWER_COLUMNS.items()
        if name in names
    ]
    count = select(func.count()).select_from(_ANSWERS).where(*conds)
    page = (
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
        .select_from(_ANSWERS)
        .join(Question, Question.id == a.question_id)
        .outerjoin(Sector, Sector.id == a.sector_id)
        .where(*conds)
        .order_by(a.year.desc(), a.name_key, a.section_position, a.question_position, a.answer_id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return count, page
