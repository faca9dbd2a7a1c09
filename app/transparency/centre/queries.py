"""What the transparency centre reads, as plain rows, with a fixed number of statements
whatever the number of members, reports or answers.

The one rule of everything here: an answer is public when its question is marked public,
is not an evidence upload, and belongs to the accepted version of its report (the report
is accepted and its current version is the accepted one: never a draft, a returned or a
superseded version), and its organisation is one the public may see.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from app import clock
from app.charter.models import CharterVersion, Principle, PrincipleText, VersionStatus
from app.db import read
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
    """The id of the charter version in force today (`charter.queries.current_version`), as a
    subquery: the page reads its principles in the same statement."""
    return (
        select(CharterVersion.id)
        .where(
            CharterVersion.status == VersionStatus.PUBLISHED,
            CharterVersion.effective_date <= clock.today(),
        )
        .order_by(CharterVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )


def principles_in_force() -> list[PrincipleRow]:
    """The principles of the charter version in force, in their order (none before one)."""
    return _principles(PrincipleText.version_id == _in_force())


def principle_in_force(number: int) -> PrincipleRow:
    """Principle `number` of the charter in force (404 when there is no such principle)."""
    found = (
        _principles(PrincipleText.version_id == _in_force(), PrincipleText.number == number)
        if 0 < number <= MAX_NUMBER
        else []
    )
    if not found:
        raise NotFound(_("The charter in force has no principle %(number)s.", number=number))
    return found[0]


def _principles(*where) -> list[PrincipleRow]:
    rows = read(
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
    ).all()
    return [PrincipleRow(*r) for r in rows]


def wordings(principle_id: int) -> list[WordingRow]:
    """The principle's wording in every published charter version, oldest first."""
    rows = read(
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
            PrincipleText.principle_id == principle_id,
            CharterVersion.status == VersionStatus.PUBLISHED,
        )
        .order_by(CharterVersion.number)
    ).all()
    return [WordingRow(*r) for r in rows]


def pledging_members() -> dict[int, int]:
    """Principle id -> how many members in the alliance have a public pledge on it."""
    rows = read(
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
    ).all()
    return dict(rows)


def member_countries() -> list[str]:
    """The countries of the members the public may see (the country filter's choices): the
    directory's country counts without filters (`directory_facets`, kept with every write to
    an organisation), some 250 rows by their key instead of reading every listed member."""
    f = DirectoryFacet
    rows = read(
        select(f.value).where(f.filter_key == "", f.facet == "country", f.n > 0).order_by(f.value)
    ).scalars()
    return [c for c in rows if c]


# Questions and answers ------------------------------------------------------------------------


def _public_question(*where):
    return and_(
        Question.is_public.is_(True),
        Question.type != "evidence",
        Section.principle_id.is_not(None),
        ReportingCycle.status != "draft",
        *where,
    )


def public_questions(*where) -> list[QuestionRow]:
    """Public questions asked under a principle (in cycles that opened), by year and order."""
    rows = read(
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
        .where(_public_question(*where))
        .order_by(ReportingCycle.year, Section.position, Question.position, Question.id)
    ).all()
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
        for r in rows
    ]


def answer_counts(*where) -> dict[int, list[tuple[object, int]]]:
    """Question id -> (decoded value, count) of the accepted answers to public questions
    (`answer_tallies`: the summarised types value by value, the others as one total whose
    value is None)."""
    counts: dict[int, list[tuple[object, int]]] = defaultdict(list)
    statement = (
        select(AnswerTally.question_id, AnswerTally.value, AnswerTally.n)
        .join(Question, Question.id == AnswerTally.question_id)
        .join(Section, Section.id == Question.section_id)
        .join(ReportingCycle, ReportingCycle.id == Section.cycle_id)
        .where(_public_question(*where))
        .order_by(AnswerTally.question_id, AnswerTally.value)
    )
    for row in read(statement):
        counts[row.question_id].append((F.decode(row.value) if row.value else None, row.n))
    return counts


A = PublicAnswerRow


def _answer_conditions(
    filters: AnswerFilters, sectors: list[SectorRef], principle_id: int, lineage: str | None
) -> list:
    """The one public condition over the read model: a public, non-evidence answer with a
    value, of a member the public may see, in the principle (and lineage) asked for."""
    conds = [
        A.principle_id == principle_id,
        A.question_type != "evidence",
        A.has_value.is_(True),
        listed_condition(A.__table__),
    ]
    if lineage is not None:
        conds.append(A.lineage == lineage)
    if filters.year:
        conds.append(A.year == filters.year)
    if filters.country:
        conds.append(A.country == filters.country)
    if filters.sector:
        conds.append(A.sector_id == next((s.id for s in sectors if s.slug == filters.sector), None))
    if filters.category:
        conds.append(A.category == filters.category)
    if filters.status:
        conds.append(A.status == filters.status)
    return conds


_ORDER = {
    "newest": lambda: (A.year.desc(), A.name_key),
    "oldest": lambda: (A.year, A.name_key),
    "member": lambda: (A.name_key, A.year.desc()),
}


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
        return read(filter_counts.counted(scope, key)).scalar() or 0
    statement = select(func.count()).select_from(A)
    conds = _answer_conditions(filters, sectors, principle_id, lineage)
    return read(statement.where(*conds)).scalar() or 0


def answers(
    filters: AnswerFilters,
    sectors: list[SectorRef],
    principle_id: int,
    lineage: str | None = None,
    *,
    limit: int,
    offset: int = 0,
) -> list[AnswerRow]:
    """A page of the members' public answers (in the principle, the lineage, the filters):
    the page's answer ids picked and ordered from an index alone (the count's covering
    indexes hold the order's columns too), then their rows joined to their questions."""
    keys = (A.year, A.name_key, A.section_position, A.question_position, A.answer_id)
    page = (
        select(*keys)
        .where(*_answer_conditions(filters, sectors, principle_id, lineage))
        .order_by(*_ORDER[filters.sort](), A.section_position, A.question_position, A.answer_id)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    p = page.c
    outer_order = {
        "newest": (p.year.desc(), p.name_key),
        "oldest": (p.year, p.name_key),
        "member": (p.name_key, p.year.desc()),
    }[filters.sort]
    statement = (
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
        for r in read(statement)
    ]
