"""Builders for the transparency tests: charter principles, cycles with questionnaires,
members with a status history, submitted reports (versions with the snapshot described in
docs/architecture.md, plus SubmittedAnswer rows) and pledges with their history.

They write models directly (the reporting engineers' services are not needed to make
data that has the documented shape) and flush; call `db.session.commit()` before HTTP.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from app.charter.models import CharterVersion, Principle, PrincipleText
from app.db import db
from app.members.models import Endorsement, Pledge, PledgeUpdate, StatusChange
from app.reporting.models import (
    Question,
    Report,
    ReportingCycle,
    ReportVersion,
    Section,
    SubmittedAnswer,
)
from tests import factories

_n = itertools.count(1)


def at(year: int, month: int = 1, day: int = 1, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def make_charter(principles: int = 3, number: int = 1) -> tuple[CharterVersion, list[Principle]]:
    keys = [Principle(key=f"P{i}") for i in range(1, principles + 1)]
    db.session.add_all(keys)
    version = CharterVersion(
        number=number,
        title="The Test Accord",
        status="published",
        effective_date=dt.date(2023, 1, 1),
        published_at=at(2023),
    )
    for i, principle in enumerate(keys):
        version.texts.append(
            PrincipleText(
                principle=principle,
                number=i + 1,
                position=i,
                title=f"Principle title {i + 1}",
                body_md="Body.",
            )
        )
    db.session.add(version)
    db.session.flush()
    return version, keys


def make_member(
    name: str,
    *,
    joined: dt.datetime = at(2023, 3, 1),
    category: str = "company",
    country: str = "DE",
    sector: str | None = "Software",
    changes: list[tuple[dt.datetime, str]] = (),
    endorsed: CharterVersion | None = None,
):
    """An organisation that applied, was approved at `joined`, then went through `changes`
    ((moment, new status) pairs). Its current status is the last one."""
    status = changes[-1][1] if changes else "active"
    org = factories.make_org(
        name=name,
        status=status,
        country=country,
        category=category,
        sector=sector,
        joined_on=joined.date(),
    )
    org.status_changes.append(
        StatusChange(
            from_status=None,
            to_status="applicant",
            at=joined - dt.timedelta(days=10),
            is_public=False,
        )
    )
    org.status_changes.append(StatusChange(from_status="applicant", to_status="active", at=joined))
    previous = "active"
    for moment, to in changes:
        org.status_changes.append(StatusChange(from_status=previous, to_status=to, at=moment))
        previous = to
    if endorsed is not None:
        db.session.add(
            Endorsement(
                organisation_id=org.id,
                charter_version_id=endorsed.id,
                signatory_name="Signatory",
                signatory_title="CEO",
                endorsed_on=joined.date(),
            )
        )
        org.endorsed_version_id = endorsed.id
    db.session.flush()
    return org


def make_cycle(
    year: int,
    *,
    status: str = "closed",
    categories=("company", "civil_society"),
    charter: CharterVersion | None = None,
    opens_on: dt.date | None = None,
    due_on: dt.date | None = None,
    grace_days: int = 14,
) -> ReportingCycle:
    cycle = ReportingCycle(
        year=year,
        title=f"{year} reporting cycle",
        status=status,
        charter_version_id=charter.id if charter else None,
        opens_on=opens_on or dt.date(year, 1, 15),
        due_on=due_on or dt.date(year, 3, 31),
        grace_days=grace_days,
        categories=list(categories),
    )
    db.session.add(cycle)
    db.session.flush()
    return cycle


def make_section(
    cycle: ReportingCycle,
    title: str,
    principle: Principle | None = None,
    position: int | None = None,
) -> Section:
    section = Section(
        cycle_id=cycle.id,
        title=title,
        principle_id=principle.id if principle else None,
        position=next(_n) if position is None else position,
    )
    db.session.add(section)
    db.session.flush()
    return section


def make_question(
    section: Section,
    text: str,
    type: str = "yes_no",
    *,
    indicator: bool = True,
    public: bool = False,
    choices=(),
    unit: str = "",
    lineage: str | None = None,
    required: bool = False,
) -> Question:
    question = Question(
        section_id=section.id,
        lineage=lineage or uuid.uuid4().hex[:16],
        position=next(_n),
        text=text,
        type=type,
        required=required,
        choices=list(choices),
        unit=unit,
        is_indicator=indicator,
        is_public=public,
    )
    db.session.add(question)
    db.session.flush()
    return question


def _display(question: Question, value) -> str:
    if value is None:
        return ""
    if question.type == "yes_no":
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(value)
    if question.type == "number":
        return f"{value:g}" + (f" {question.unit}" if question.unit else "")
    return str(value)


def snapshot_for(
    cycle: ReportingCycle, org, answers: dict, pledges=(), submitted: dt.datetime | None = None
) -> dict:
    sections = []
    for section in sorted(cycle.sections, key=lambda s: s.position):
        principle = None
        if section.principle_id:
            key = section.principle.key
            principle = {
                "id": section.principle_id,
                "key": key,
                "number": int(key[1:]) if key[1:].isdigit() else None,
            }
        sections.append(
            {
                "id": section.id,
                "title": section.title,
                "principle": principle,
                "questions": [
                    {
                        "id": q.id,
                        "lineage": q.lineage,
                        "text": q.text,
                        "type": q.type,
                        "unit": q.unit,
                        "required": q.required,
                        "is_public": q.is_public,
                        "is_indicator": q.is_indicator,
                        "choices": list(q.choices or []),
                        "shown": True,
                        "value": answers.get(q.id),
                        "display": _display(q, answers.get(q.id)),
                        "evidence": [],
                    }
                    for q in sorted(section.questions, key=lambda q: q.position)
                ],
            }
        )
    return {
        "schema": 1,
        "cycle": {"id": cycle.id, "year": cycle.year, "title": cycle.title},
        "organisation": {
            "id": org.id,
            "name": org.name,
            "slug": org.slug,
            "country": org.country,
            "category": org.category,
        },
        "charter_version": None,
        "questionnaire_hash": "0" * 64,
        "sections": sections,
        "pledges": [
            {
                "id": p.id,
                "title": p.title,
                "status": p.status,
                "note": "",
                "principles": [k.key for k in p.principles],
                "is_public": p.is_public,
            }
            for p in pledges
        ],
        "attestation": {
            "officer_name": "Officer",
            "officer_title": "CEO",
            "support_statement": "We support the charter.",
            "submitted_by": None,
            "submitted_at": (submitted or at(cycle.year, 3, 1)).isoformat(),
        },
    }


def make_report(
    cycle: ReportingCycle,
    org,
    answers: dict[Question, object] | None = None,
    *,
    late: bool = False,
    state: str = "accepted",
    review_state: str | None = None,
    versions: int = 1,
    submitted: dt.datetime | None = None,
) -> Report:
    """A report with `versions` submitted versions; the last carries `answers` and
    `review_state` (default: accepted when the report is accepted), earlier ones are
    returned versions answering the same."""
    values = {q.id: v for q, v in (answers or {}).items()}
    submitted = submitted or at(cycle.year, 4 if late else 3, 1)
    report = Report(
        cycle_id=cycle.id,
        organisation_id=org.id,
        state=state,
        is_late=late,
        first_submitted_at=submitted if versions else None,
        last_submitted_at=submitted if versions else None,
        accepted_at=submitted if state == "accepted" else None,
    )
    db.session.add(report)
    db.session.flush()
    for number in range(1, versions + 1):
        last = number == versions
        status = (
            (review_state or ("accepted" if state == "accepted" else "submitted"))
            if last
            else "returned"
        )
        version = ReportVersion(
            report_id=report.id,
            number=number,
            submitted_at=submitted,
            is_late=late,
            officer_name="Officer",
            officer_title="CEO",
            support_statement="We support it.",
            snapshot=snapshot_for(cycle, org, values, submitted=submitted),
            questionnaire_hash="0" * 64,
            review_state=status,
            reviewed_at=submitted + dt.timedelta(days=5) if status == "accepted" else None,
        )
        db.session.add(version)
        db.session.flush()
        for question_id, value in values.items():
            db.session.add(
                SubmittedAnswer(version_id=version.id, question_id=question_id, value=value)
            )
        report.current_version_id = version.id
    db.session.flush()
    return report


def make_pledge(
    org,
    title: str,
    principles=(),
    *,
    status: str = "planned",
    public: bool = True,
    created: dt.datetime = at(2024, 2, 1),
    history: list[tuple[dt.datetime, str]] = (),
) -> Pledge:
    pledge = Pledge(
        organisation_id=org.id,
        title=title,
        is_public=public,
        status=status,
        created_at=created,
        status_since=created,
        principles=list(principles),
    )
    pledge.updates.append(PledgeUpdate(at=created, status="planned", note="Made."))
    for moment, value in history:
        pledge.updates.append(PledgeUpdate(at=moment, status=value, note=""))
    db.session.add(pledge)
    db.session.flush()
    return pledge
