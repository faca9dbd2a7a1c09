"""Load the annual report's records with a fixed number of aggregate queries.

Nothing here loops over members with a query each: the whole report costs about a dozen
statements, plus one per appendix chunk (the public answers of its members).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Text, cast, func, select

from app.charter.models import CharterVersion, Principle, PrincipleText
from app.db import db
from app.members.models import Endorsement, Organisation, Pledge, PledgeUpdate, Sector, StatusChange
from app.members.models import pledge_principles as pledge_principles_table
from app.reporting.models import (
    Question,
    Report,
    ReportingCycle,
    ReportVersion,
    Section,
    SubmittedAnswer,
)
from app.transparency import figures as F


@dataclass
class PrincipleInfo:
    id: int
    key: str
    number: int
    title: str


@dataclass
class AppendixPledge:
    title: str
    status: str
    principles: tuple[str, ...]
    target_date: dt.date | None


@dataclass
class Loaded:
    """Everything the report needs, as plain records."""

    cycle: F.CycleInfo
    period: F.Period
    history: F.History
    reports: dict[int, F.ReportInfo]
    principles: list[PrincipleInfo]
    # principle key ("" for sections without a principle) -> indicator summaries
    indicators: dict[str, list[F.Indicator]]
    pledge_records: list[F.PledgeRecord]
    appendix_pledges: dict[int, list[AppendixPledge]]
    endorsed: dict[int, int]  # org id -> charter version number endorsed by year end
    earlier_years: list[int] = field(default_factory=list)


def load(cycle: ReportingCycle) -> Loaded:
    period = F.Period.of_year(cycle.year)
    info = F.CycleInfo(
        id=cycle.id,
        year=cycle.year,
        categories=tuple(cycle.categories or ()),
        opens_on=cycle.opens_on,
        final_date=cycle.final_date,
    )
    history = load_history()
    reports = load_reports(cycle.id)
    principles = load_principles(cycle)
    indicators, earlier_years = load_indicators(cycle, principles)
    pledge_records, appendix_pledges = load_pledges(history, period)
    return Loaded(
        cycle=info,
        period=period,
        history=history,
        reports=reports,
        principles=principles,
        indicators=indicators,
        pledge_records=pledge_records,
        appendix_pledges=appendix_pledges,
        endorsed=load_endorsements(period),
        earlier_years=earlier_years,
    )


def load_history() -> F.History:
    orgs = [
        F.Org(
            id=row.id,
            name=row.name,
            slug=row.slug,
            country=row.country,
            category=row.category,
            sector=row.sector or "",
            status=row.status,
            joined_on=row.joined_on,
        )
        for row in db.session.execute(
            select(
                Organisation.id,
                Organisation.name,
                Organisation.slug,
                Organisation.country,
                Organisation.category,
                Sector.name.label("sector"),
                Organisation.status,
                Organisation.joined_on,
            ).outerjoin(Sector, Sector.id == Organisation.sector_id)
        )
    ]
    events = [
        F.StatusEvent(row.organisation_id, row.at, row.from_status, row.to_status)
        for row in db.session.execute(
            select(
                StatusChange.organisation_id,
                StatusChange.at,
                StatusChange.from_status,
                StatusChange.to_status,
            )
        )
    ]
    return F.History(orgs, events)


def load_reports(cycle_id: int) -> dict[int, F.ReportInfo]:
    versions = (
        select(ReportVersion.report_id, func.count(ReportVersion.id).label("n"))
        .group_by(ReportVersion.report_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Report.organisation_id, Report.is_late, versions.c.n)
        .outerjoin(versions, versions.c.report_id == Report.id)
        .where(Report.cycle_id == cycle_id)
    )
    return {
        row.organisation_id: F.ReportInfo(row.organisation_id, bool(row.n), bool(row.is_late))
        for row in rows
    }


def principles_version_id(cycle: ReportingCycle) -> int | None:
    """The charter version whose principles the report shows: the cycle's, or the latest
    published one."""
    return cycle.charter_version_id or db.session.scalar(
        select(CharterVersion.id)
        .where(CharterVersion.status == "published")
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )


def load_principles(cycle: ReportingCycle) -> list[PrincipleInfo]:
    """The principles of the cycle's charter version (or of the latest published one)."""
    version_id = principles_version_id(cycle)
    if version_id is None:
        return []
    rows = db.session.execute(
        select(Principle.id, Principle.key, PrincipleText.number, PrincipleText.title)
        .join(PrincipleText, PrincipleText.principle_id == Principle.id)
        .where(PrincipleText.version_id == version_id)
        .order_by(PrincipleText.position, PrincipleText.number)
    )
    return [PrincipleInfo(r.id, r.key, r.number, r.title) for r in rows]


def _latest_versions():
    return (
        select(ReportVersion.report_id, func.max(ReportVersion.number).label("number"))
        .group_by(ReportVersion.report_id)
        .subquery()
    )


def load_indicators(cycle: ReportingCycle, principles: list[PrincipleInfo]):
    """Indicator summaries of this cycle by principle key, with their trends."""
    questions = _indicator_questions(cycle, {p.id: p.key for p in principles})
    earlier = _earlier_questions(cycle, {q.lineage for q, _ in questions})
    counts = _answer_counts([q.id for q, _ in questions] + [r.id for r in earlier])
    earlier_by_lineage: dict[str, list[tuple[int, F.Indicator]]] = defaultdict(list)
    for r in earlier:
        info = F.QuestionInfo(r.id, r.lineage, r.text, r.type, tuple(r.choices or ()), r.unit or "")
        earlier_by_lineage[r.lineage].append((r.year, F.indicator(info, counts.get(r.id, []))))
    by_key: dict[str, list[F.Indicator]] = defaultdict(list)
    for question, key in questions:
        summary = F.indicator(question, counts.get(question.id, []))
        same_type = [
            (y, i)
            for y, i in earlier_by_lineage.get(question.lineage, [])
            if i.question.type == question.type
        ]
        summary.trend = F.trend([*same_type, (cycle.year, summary)])
        by_key[key].append(summary)
    years = sorted({r.year for r in earlier})
    return dict(by_key), years


def _indicator_questions(
    cycle: ReportingCycle, key_of: dict[int, str]
) -> list[tuple[F.QuestionInfo, str]]:
    """The cycle's indicator questions, in questionnaire order, with their principle key."""
    rows = db.session.execute(
        select(
            Question.id,
            Question.lineage,
            Question.text,
            Question.type,
            Question.choices,
            Question.unit,
            Section.principle_id,
            Section.position,
            Question.position.label("qpos"),
        )
        .join(Section, Section.id == Question.section_id)
        .where(
            Section.cycle_id == cycle.id,
            Question.is_indicator.is_(True),
            Question.type.in_(("yes_no", "single_choice", "multiple_choice", "number")),
        )
        .order_by(Section.position, Question.position, Question.id)
    ).all()
    return [
        (
            F.QuestionInfo(r.id, r.lineage, r.text, r.type, tuple(r.choices or ()), r.unit or ""),
            key_of.get(r.principle_id, "") if r.principle_id else "",
        )
        for r in rows
    ]


def _earlier_questions(cycle: ReportingCycle, lineages: set[str]) -> list:
    """The same questions (by lineage) in earlier cycles, for the trends."""
    if not lineages:
        return []
    return db.session.execute(
        select(
            Question.id,
            Question.lineage,
            Question.type,
            Question.text,
            Question.choices,
            Question.unit,
            ReportingCycle.year,
        )
        .join(Section, Section.id == Question.section_id)
        .join(ReportingCycle, ReportingCycle.id == Section.cycle_id)
        .where(Question.lineage.in_(lineages), ReportingCycle.year < cycle.year)
    ).all()


def _answer_counts(ids: list[int]) -> dict[int, list[tuple[object, int]]]:
    """(decoded value, count) of each question's answers in the latest submitted versions."""
    counts: dict[int, list[tuple[object, int]]] = defaultdict(list)
    if not ids:
        return counts
    latest = _latest_versions()
    value = cast(SubmittedAnswer.value, Text)
    for chunk in _chunks(ids, 500):
        for row in db.session.execute(
            select(SubmittedAnswer.question_id, value.label("value"), func.count().label("n"))
            .join(ReportVersion, ReportVersion.id == SubmittedAnswer.version_id)
            .join(
                latest,
                (latest.c.report_id == ReportVersion.report_id)
                & (latest.c.number == ReportVersion.number),
            )
            .where(SubmittedAnswer.question_id.in_(chunk))
            .group_by(SubmittedAnswer.question_id, value)
        ):
            counts[row.question_id].append((F.decode(row.value), row.n))
    return counts


def load_pledges(history: F.History, period: F.Period):
    """Public pledges of the members at year end, made by then, in their status then."""
    in_alliance = {org.id for org, _ in F.members_at(history, period.end)}
    rows = db.session.execute(
        select(
            Pledge.id,
            Pledge.organisation_id,
            Pledge.title,
            Pledge.status,
            Pledge.created_at,
            Pledge.target_date,
        )
        .where(Pledge.is_public.is_(True), Pledge.created_at <= period.end)
        .order_by(Pledge.organisation_id, Pledge.created_at, Pledge.id)
    ).all()
    rows = [r for r in rows if r.organisation_id in in_alliance]
    keys: dict[int, list[str]] = defaultdict(list)
    for pledge_id, key in db.session.execute(
        select(pledge_principles_table.c.pledge_id, Principle.key)
        .join(Principle, Principle.id == pledge_principles_table.c.principle_id)
        .order_by(pledge_principles_table.c.pledge_id, Principle.id)
    ):
        keys[pledge_id].append(key)
    updates: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for pledge_id, at, status in db.session.execute(
        select(PledgeUpdate.pledge_id, PledgeUpdate.at, PledgeUpdate.status)
        .where(PledgeUpdate.at <= period.end)
        .order_by(PledgeUpdate.pledge_id, PledgeUpdate.at, PledgeUpdate.id)
    ):
        updates[pledge_id].append((at, status))
    records, appendix = [], defaultdict(list)
    for r in rows:
        status = F.pledge_status_at(updates.get(r.id, []), period.end, r.status)
        principles = tuple(keys.get(r.id, ()))
        records.append(
            F.PledgeRecord(
                r.id, r.organisation_id, principles, status, r.created_at >= period.start
            )
        )
        appendix[r.organisation_id].append(
            AppendixPledge(r.title, status, principles, r.target_date)
        )
    return records, dict(appendix)


def load_endorsements(period: F.Period) -> dict[int, int]:
    endorsed: dict[int, tuple[dt.date, int]] = {}
    for org_id, on, number in db.session.execute(
        select(Endorsement.organisation_id, Endorsement.endorsed_on, CharterVersion.number)
        .join(CharterVersion, CharterVersion.id == Endorsement.charter_version_id)
        .where(Endorsement.endorsed_on <= period.end.date())
    ):
        if org_id not in endorsed or (on, number) > endorsed[org_id]:
            endorsed[org_id] = (on, number)
    return {org_id: number for org_id, (_, number) in endorsed.items()}


def accepted_snapshots(cycle_id: int, org_ids: list[int]) -> dict[int, dict]:
    """The latest accepted version's snapshot of each given organisation in a cycle."""
    found: dict[int, tuple[int, dict]] = {}
    for chunk in _chunks(org_ids, 500):
        for org_id, number, snapshot in db.session.execute(
            select(Report.organisation_id, ReportVersion.number, ReportVersion.snapshot)
            .join(ReportVersion, ReportVersion.report_id == Report.id)
            .where(
                Report.cycle_id == cycle_id,
                Report.state == "accepted",
                ReportVersion.review_state == "accepted",
                Report.organisation_id.in_(chunk),
            )
        ):
            if org_id not in found or number > found[org_id][0]:
                found[org_id] = (number, snapshot)
    return {org_id: snapshot for org_id, (_, snapshot) in found.items()}


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
