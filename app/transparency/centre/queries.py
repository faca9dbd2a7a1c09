"""What the transparency centre reads, as plain rows, with a fixed number of statements
whatever the number of members, reports or answers.

The one rule of everything here: an answer is public when its question is marked public,
is not an evidence upload, and belongs to the accepted version of its report (the report
is accepted and its current version is the accepted one: never a draft, a returned or a
superseded version), and its organisation is one the public may see.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, literal, select

from app import clock
from app.charter.models import CharterVersion, Principle, PrincipleText, VersionStatus
from app.db import db, read
from app.errors import NotFound
from app.members.directory.filters import SectorRef
from app.members.directory.statements import listed_condition
from app.members.models import DirectoryFacet, Organisation, Pledge, Sector
from app.members.models import pledge_principles as pledge_principles_table
from app.reporting.models import Question, ReportingCycle, Section
from app.transparency import answer_counts as filter_counts
from app.transparency import figures as F
from app.transparency.centre.filters import AnswerFilters
from app.transparency.models import AnswerTally, PublicAnswerRow

MAX_NUMBER = 2**31 - 1
IN_ALLIANCE = list(F.IN_ALLIANCE)

# Every statement here is built once per shape (which filters, which sort), its values bound
# as parameters: building a statement and its cache key cost several times running it
# (0.56 ms against 0.11 ms for a principle, issue 15), as for the directory
# (app/members/directory/statements.py).
_shape = functools.cache


@dataclass(frozen=True)
class PrincipleRow:
    id: int
    key: str
    number: int
    title: str
    theme: str
    body_md: str
    version_id: int | None = None  # the charter version these texts are of


@dataclass(frozen=True)
class WordingRow:
    version: int
    effective_date: dt.date | None
    number: int
    title: str
    body_md: str
    version_id: int | None = None


@dataclass(frozen=True)
class QuestionRow:
    id: int
    lineage: str
    text: str
    type: str
    choices: tuple[str, ...]
    unit: str
    is_indicator: bool
    year: int
    principle_id: int
    closed: bool  # the cycle is closed (its figures are final)

    @property
    def info(self) -> F.QuestionInfo:
        return F.QuestionInfo(self.id, self.lineage, self.text, self.type, self.choices, self.unit)


@dataclass(frozen=True)
class AnswerRow:
    name: str
    slug: str
    country: str
    category: str
    sector: str
    status: str
    year: int
    lineage: str
    question: str
    type: str
    unit: str
    value: object
    question_id: int = 0
    choices: tuple[str, ...] = ()


# The charter --------------------------------------------------------------------------------


def _in_force():
    """The id of the charter version in force on the day bound as `today`
    (`charter.queries.current_version`), as a subquery: the page reads its principles in the
    same statement."""
    return (
        select(CharterVersion.id)
        .where(
            CharterVersion.status == VersionStatus.PUBLISHED,
            CharterVersion.effective_date <= bindparam("today"),
        )
        .order_by(CharterVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )


def principles_in_force() -> list[PrincipleRow]:
    """The principles of the charter version in force, in their order (none before one)."""
    return _principles(False, {"today": clock.today()})


def principle_in_force(number: int) -> PrincipleRow:
    """Principle `number` of the charter in force (404 when there is no such principle)."""
    found = (
        _principles(True, {"today": clock.today(), "number": number})
        if 0 < number <= MAX_NUMBER
        else []
    )
    if not found:
        raise NotFound(_("The charter in force has no principle %(number)s.", number=number))
    return found[0]


@_shape
def _principles_statement(one: bool):
    where = [PrincipleText.version_id == _in_force()]
    if one:
        where.append(PrincipleText.number == bindparam("number"))
    return (
        select(
            PrincipleText.principle_id,
            Principle.key,
            PrincipleText.number,
            PrincipleText.title,
            PrincipleText.theme,
            PrincipleText.body_md,
            PrincipleText.version_id,
        )
        .join(Principle, Principle.id == PrincipleText.principle_id)
        .where(*where)
        .order_by(PrincipleText.position, PrincipleText.number)
    )


def _principles(one: bool, params: dict) -> list[PrincipleRow]:
    return [PrincipleRow(*r) for r in read(_principles_statement(one), params)]


@_shape
def _wordings_statement():
    return (
        select(
            CharterVersion.number.label("version"),
            CharterVersion.effective_date,
            PrincipleText.number,
            PrincipleText.title,
            PrincipleText.body_md,
            PrincipleText.version_id,
        )
        .join(CharterVersion, CharterVersion.id == PrincipleText.version_id)
        .where(
            PrincipleText.principle_id == bindparam("principle_id"),
            CharterVersion.status == VersionStatus.PUBLISHED,
        )
        .order_by(CharterVersion.number)
    )


def wordings(principle_id: int) -> list[WordingRow]:
    """The principle's wording in every published charter version, oldest first."""
    rows = read(_wordings_statement(), {"principle_id": principle_id})
    return [WordingRow(*r) for r in rows]


@_shape
def _pledging_statement():
    return (
        select(
            pledge_principles_table.c.principle_id,
            func.count(func.distinct(Pledge.organisation_id)),
        )
        .join(Pledge, Pledge.id == pledge_principles_table.c.pledge_id)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(
            Pledge.is_public.is_(True),
            listed_condition(),
            Organisation.status.in_(IN_ALLIANCE),
        )
        .group_by(pledge_principles_table.c.principle_id)
    )


def pledging_members() -> dict[int, int]:
    """Principle id -> how many members in the alliance have a public pledge on it."""
    return dict(read(_pledging_statement()).all())


_NEXT = "\x1e"  # never in a country code


@_shape
def _countries_statement(dialect: str):
    f = DirectoryFacet
    joined = (
        func.string_agg(f.value, literal(_NEXT))
        if dialect == "postgresql"
        else func.group_concat(f.value, literal(_NEXT))
    )
    return select(joined).where(f.filter_key == "", f.facet == "country", f.n > 0)


def member_countries() -> list[str]:
    """The countries of the members the public may see (the country filter's choices), in
    order: the directory's country counts without filters (`directory_facets`, kept with
    every write to an organisation), some 250 rows by their key instead of reading every
    listed member, joined into one string (a result row each cost more than the read;
    as `directory.facets`). Codes, so Python's order is the database's."""
    statement = _countries_statement(db.session.get_bind().dialect.name)
    joined = read(statement).scalar()
    return sorted(c for c in (joined or "").split(_NEXT) if c)


# Questions and answers ------------------------------------------------------------------------


def _public_question(principle: bool, lineage: bool):
    """Public questions asked under a principle (with `principle`, the one bound as
    `principle_id`; with `lineage`, of the lineage bound as `lineage`)."""
    where = []
    if principle:
        where.append(Section.principle_id == bindparam("principle_id"))
    if lineage:
        where.append(Question.lineage == bindparam("lineage"))
    return and_(
        Question.is_public.is_(True),
        Question.type != "evidence",
        Section.principle_id.is_not(None),
        ReportingCycle.status != "draft",
        *where,
    )


def _question_params(principle_id: int | None, lineage: str | None) -> tuple[tuple, dict]:
    shape = (principle_id is not None, lineage is not None)
    return shape, {"principle_id": principle_id, "lineage": lineage}


@_shape
def _questions_statement(principle: bool, lineage: bool):
    return (
        select(
            Question.id,
            Question.lineage,
            Question.text,
            Question.type,
            Question.choices,
            Question.unit,
            Question.is_indicator,
            ReportingCycle.year,
            Section.principle_id,
            ReportingCycle.status,
        )
        .join(Section, Section.id == Question.section_id)
        .join(ReportingCycle, ReportingCycle.id == Section.cycle_id)
        .where(_public_question(principle, lineage))
        .order_by(ReportingCycle.year, Section.position, Question.position, Question.id)
    )


def public_questions(
    principle_id: int | None = None, lineage: str | None = None
) -> list[QuestionRow]:
    """Public questions asked under a principle (in cycles that opened), by year and order:
    all, or those of one principle, or of one lineage of it."""
    shape, params = _question_params(principle_id, lineage)
    return [
        QuestionRow(
            r.id,
            r.lineage,
            r.text,
            r.type,
            tuple(str(c) for c in r.choices or ()),
            r.unit or "",
            bool(r.is_indicator),
            r.year,
            r.principle_id,
            r.status == "closed",
        )
        for r in read(_questions_statement(*shape), params)
    ]


@_shape
def _tallies_statement(principle: bool, lineage: bool):
    return (
        select(AnswerTally.question_id, AnswerTally.value, AnswerTally.n)
        .join(Question, Question.id == AnswerTally.question_id)
        .join(Section, Section.id == Question.section_id)
        .join(ReportingCycle, ReportingCycle.id == Section.cycle_id)
        .where(_public_question(principle, lineage))
        .order_by(AnswerTally.question_id, AnswerTally.value)
    )


def answer_counts(
    principle_id: int | None = None, lineage: str | None = None
) -> dict[int, list[tuple[object, int]]]:
    """Question id -> (decoded value, count) of the accepted answers to public questions
    (`answer_tallies`: the summarised types value by value, the others as one total whose
    value is None), as `public_questions` chooses them."""
    counts: dict[int, list[tuple[object, int]]] = defaultdict(list)
    shape, params = _question_params(principle_id, lineage)
    for question_id, value, n in read(_tallies_statement(*shape), params):
        counts[question_id].append((F.decode(value) if value else None, n))
    return counts


A = PublicAnswerRow
_FILTERS = ("year", "country", "sector", "category", "status")


def _answer_shape(
    filters: AnswerFilters, sectors: list[SectorRef], principle_id: int, lineage: str | None
) -> tuple[tuple, dict]:
    """(the conditions' shape: lineage or not, the filters given, a sector filter naming no
    sector; the values to bind)."""
    sector_id = next((s.id for s in sectors if s.slug == filters.sector), None)
    params = {
        "principle_id": principle_id,
        "lineage": lineage,
        "year": filters.year,
        "country": filters.country,
        "sector": sector_id,
        "category": filters.category,
        "status": filters.status,
    }
    given = tuple(name for name in _FILTERS if getattr(filters, name))
    no_sector = bool(filters.sector) and sector_id is None
    return (lineage is not None, given, no_sector), params


@_shape
def _conditions(lineage: bool, given: tuple[str, ...], no_sector: bool) -> tuple:
    conds = [
        A.principle_id == bindparam("principle_id"),
        A.question_type != "evidence",
        A.has_value.is_(True),
        listed_condition(A.__table__),
    ]
    if lineage:
        conds.append(A.lineage == bindparam("lineage"))
    columns = {
        "year": A.year,
        "country": A.country,
        "sector": A.sector_id,
        "category": A.category,
        "status": A.status,
    }
    for name in given:
        if name == "sector" and no_sector:  # as `sector_id == None` compared before
            conds.append(A.sector_id.is_(None))
        else:
            conds.append(columns[name] == bindparam(name))
    return tuple(conds)


_ORDER = {
    "newest": lambda: (A.year.desc(), A.name_key),
    "oldest": lambda: (A.year, A.name_key),
    "member": lambda: (A.name_key, A.year.desc()),
}


@_shape
def _count_statement(shape: tuple):
    return select(func.count()).select_from(A).where(*_conditions(*shape))


def counted_rows(
    filters: AnswerFilters, sectors: list[SectorRef], principle_id: int, lineage: str | None
):
    """(the statement that counts the list's rows one by one, its parameters): the one
    public condition over the read model — a public, non-evidence answer with a value, of a
    member the public may see, in the principle (and lineage) and the filters asked for."""
    shape, params = _answer_shape(filters, sectors, principle_id, lineage)
    return _count_statement(shape), params


def count_answers(
    filters: AnswerFilters, sectors: list[SectorRef], principle_id: int, lineage: str | None = None
) -> int:
    """The answers the list counts: with up to two filters one row of `answer_filter_counts`
    (app/transparency/answer_counts.py), else counted from the covering indexes."""
    sector_id = next((s.id for s in sectors if s.slug == filters.sector), None)
    key = None
    if sector_id is not None or not filters.sector:
        values = {
            "year": filters.year,
            "country": filters.country,
            "sector": sector_id,
            "category": filters.category,
            "status": filters.status,
        }
        key = filter_counts.filter_key(values, filter_counts.CENTRE_FILTERS)
    if key is not None:
        scope = filter_counts.centre_scope(principle_id, lineage)
        return read(filter_counts.CELL, {"scope": scope, "key": key}).scalar() or 0
    return read(*counted_rows(filters, sectors, principle_id, lineage)).scalar() or 0


@_shape
def _page_statement(shape: tuple, sort: str):
    """A page of answers: its ids picked and ordered from an index alone (the count's
    covering indexes hold the order's columns too), then their rows joined to their
    questions; `limit` and `offset` bound."""
    keys = (A.year, A.name_key, A.section_position, A.question_position, A.answer_id)
    page = (
        select(*keys)
        .where(*_conditions(*shape))
        .order_by(*_ORDER[sort](), A.section_position, A.question_position, A.answer_id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery()
    )
    p = page.c
    outer_order = {
        "newest": (p.year.desc(), p.name_key),
        "oldest": (p.year, p.name_key),
        "member": (p.name_key, p.year.desc()),
    }[sort]
    return (
        select(
            A.name,
            A.slug,
            A.country,
            A.category,
            Sector.name.label("sector"),
            A.status,
            A.year,
            A.lineage,
            Question.text,
            Question.type,
            Question.unit,
            A.value,
            A.question_id,
            Question.choices,
        )
        .select_from(page)
        .join(A, A.answer_id == p.answer_id)
        .join(Question, Question.id == A.question_id)
        .outerjoin(Sector, Sector.id == A.sector_id)
        .order_by(*outer_order, p.section_position, p.question_position, p.answer_id)
    )


def answers(
    filters: AnswerFilters,
    sectors: list[SectorRef],
    principle_id: int,
    lineage: str | None = None,
    *,
    limit: int,
    offset: int = 0,
) -> list[AnswerRow]:
    """A page of the members' public answers (in the principle, the lineage, the filters),
    in the order of `filters.sort`."""
    shape, params = _answer_shape(filters, sectors, principle_id, lineage)
    params.update(limit=limit, offset=offset)
    return [
        AnswerRow(
            r.name,
            r.slug,
            r.country,
            r.category,
            r.sector or "",
            r.status,
            r.year,
            r.lineage,
            r.text,
            r.type,
            r.unit or "",
            r.value,
            r.question_id,
            tuple(str(c) for c in r.choices or ()),
        )
        for r in read(_page_statement(shape, filters.sort), params)
    ]
