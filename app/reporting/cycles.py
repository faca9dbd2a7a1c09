"""Reporting cycles and their questionnaires (the secretariat's side of issue 5).

A cycle goes draft -> open -> closed. Its questionnaire (sections and questions) can be
edited only while the cycle is a draft; opening it freezes the questionnaire for good.
Every function takes the acting user, checks it, flushes and never commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.core.services import record
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.members.models import Category, Organisation, Status
from app.reporting import answers
from app.reporting.models import (
    CycleStatus,
    Extension,
    ExtensionState,
    Question,
    QuestionType,
    Report,
    ReportingCycle,
    ReportState,
    Section,
)
from app.security import ensure_secretariat

REPORTING_STATUSES = (Status.ACTIVE, Status.NON_COMMUNICATING)
YEAR_MIN, YEAR_MAX = 2000, 2100
TITLE_MAX = 200
TEXT_MAX = 2000
HELP_MAX = 5000
CHOICE_MAX = 200
CHOICES_MAX = 50
UNIT_MAX = 40


# Reading ----------------------------------------------------------------------------------


def list_cycles() -> list[ReportingCycle]:
    return list(db.session.scalars(select(ReportingCycle).order_by(ReportingCycle.year.desc())))


def get_cycle(year: int) -> ReportingCycle:
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year))
    if cycle is None:
        raise NotFound(_("There is no reporting cycle for %(year)s.", year=year))
    return cycle


def open_cycle_now() -> ReportingCycle | None:
    return db.session.scalar(
        select(ReportingCycle)
        .where(ReportingCycle.status == CycleStatus.OPEN)
        .order_by(ReportingCycle.year.desc())
        .limit(1)
    )


def load_questionnaire(cycle: ReportingCycle) -> list[Section]:
    """Sections in order with their questions and principles loaded, in three queries
    whatever the size; each question's `condition_question` is linked in memory."""
    sections = list(
        db.session.scalars(
            select(Section)
            .where(Section.cycle_id == cycle.id)
            .options(
                selectinload(Section.questions),
                selectinload(Section.principle),
            )
            .order_by(Section.position, Section.id)
            .execution_options(populate_existing=True)
        )
    )
    by_id = {q.id: q for s in sections for q in s.questions}
    for question in by_id.values():
        set_committed_value(
            question, "condition_question", by_id.get(question.condition_question_id)
        )
    return sections


def ordered_questions(sections: list[Section]) -> list[Question]:
    return [q for s in sections for q in s.questions]


def numbering(sections: list[Section]) -> dict[int, str]:
    """ "2.3" for the third question of the second section."""
    return {
        q.id: f"{si}.{qi}"
        for si, s in enumerate(sections, start=1)
        for qi, q in enumerate(s.questions, start=1)
    }


def previous_cycle(cycle: ReportingCycle) -> ReportingCycle | None:
    return db.session.scalar(
        select(ReportingCycle)
        .where(ReportingCycle.year < cycle.year)
        .order_by(ReportingCycle.year.desc())
        .limit(1)
    )


def question_count(cycle: ReportingCycle) -> int:
    return (
        db.session.scalar(
            select(func.count(Question.id)).join(Section).where(Section.cycle_id == cycle.id)
        )
        or 0
    )


def question_counts() -> dict[int, int]:
    rows = db.session.execute(
        select(Section.cycle_id, func.count(Question.id)).join(Question).group_by(Section.cycle_id)
    ).all()
    return {row[0]: row[1] for row in rows}


def questionnaire_structure(sections: list[Section]) -> list[dict]:
    return [
        {
            "id": s.id,
            "title": s.title,
            "description_md": s.description_md,
            "principle_id": s.principle_id,
            "questions": [
                {
                    "id": q.id,
                    "lineage": q.lineage,
                    "text": q.text,
                    "help_text": q.help_text,
                    "type": q.type,
                    "required": q.required,
                    "choices": list(q.choices or []),
                    "unit": q.unit,
                    "min": q.min_value,
                    "max": q.max_value,
                    "condition": [q.condition_question_id, q.condition_value]
                    if q.condition_question_id
                    else None,
                    "is_indicator": q.is_indicator,
                    "is_public": q.is_public,
                }
                for q in s.questions
            ],
        }
        for s in sections
    ]


def questionnaire_hash(sections: list[Section]) -> str:
    canonical = json.dumps(
        questionnaire_structure(sections), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# Who reports --------------------------------------------------------------------------------


def must_report(cycle: ReportingCycle, organisation) -> bool:
    return (
        organisation.category in (cycle.categories or [])
        and organisation.status in REPORTING_STATUSES
    )


def may_report(cycle: ReportingCycle, organisation) -> bool:
    """Obligated members, and delisted ones, who come back by reporting again."""
    return organisation.category in (cycle.categories or []) and organisation.status in (
        *REPORTING_STATUSES,
        Status.DELISTED,
    )


def obligated_organisations(cycle: ReportingCycle) -> Select:
    return (
        select(Organisation)
        .where(
            Organisation.category.in_(list(cycle.categories or [])),
            Organisation.status.in_(list(REPORTING_STATUSES)),
        )
        .order_by(Organisation.name_key)
    )


def effective_due_date(cycle: ReportingCycle, organisation_id: int) -> dt.date:
    granted = db.session.scalar(
        select(Extension.new_due_on)
        .where(
            Extension.cycle_id == cycle.id,
            Extension.organisation_id == organisation_id,
            Extension.state == ExtensionState.GRANTED,
            Extension.new_due_on.is_not(None),
        )
        .order_by(Extension.decided_at.desc(), Extension.id.desc())
        .limit(1)
    )
    return granted or cycle.due_on


def progress(cycle: ReportingCycle) -> dict:
    """How many organisations must report, have started, submitted, been accepted."""
    obligated = obligated_organisations(cycle).with_only_columns(Organisation.id).order_by(None)
    obligated_count = db.session.scalar(select(func.count()).select_from(obligated.subquery()))
    row = db.session.execute(
        select(
            func.count(Report.id),
            func.count(case((Report.first_submitted_at.is_not(None), 1))),
            func.count(case((Report.state == ReportState.ACCEPTED, 1))),
            func.count(case((Report.state == ReportState.RETURNED, 1))),
        ).where(
            Report.cycle_id == cycle.id,
            Report.organisation_id.in_(obligated),
            (Report.revision > 0) | Report.first_submitted_at.is_not(None),
        )
    ).one()
    return {
        "obligated": obligated_count or 0,
        "started": row[0],
        "submitted": row[1],
        "accepted": row[2],
        "returned": row[3],
    }


# Cycles ------------------------------------------------------------------------------------


def _clean_categories(categories) -> list[str]:
    known = [c.value for c in Category]
    picked = [c for c in (categories or []) if c]
    unknown = [c for c in picked if c not in known]
    if unknown:
        raise ValidationFailed(_("Unknown member category."), field="categories")
    if not picked:
        raise ValidationFailed(
            _("Choose at least one member category that must report."), field="categories"
        )
    return [c for c in known if c in picked]


def default_reminder_offsets() -> list[int]:
    """The site's default reminder days (`PACTUM_REMINDER_OFFSETS`, "30,7,1" unless set)."""
    configured = current_app.config.get("REMINDER_OFFSETS") or [30, 7, 1]
    return sorted({int(n) for n in configured if 0 <= int(n) <= 365}, reverse=True)


def _clean_offsets(offsets) -> list[int]:
    if offsets is None:
        return default_reminder_offsets()
    values = []
    for value in offsets:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
            if not (value.isascii() and value.isdigit()):
                raise ValidationFailed(
                    _("Reminder days must be whole numbers, separated by commas."),
                    field="reminder_offsets",
                )
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 365:
            raise ValidationFailed(
                _("Reminder days must be between 0 and 365."), field="reminder_offsets"
            )
        values.append(value)
    return sorted(set(values), reverse=True)


def _check_dates(opens_on: dt.date, due_on: dt.date, grace_days: int) -> None:
    if not isinstance(opens_on, dt.date) or not isinstance(due_on, dt.date):
        raise ValidationFailed(_("Enter the opening date and the due date."), field="due_on")
    if due_on <= opens_on:
        raise ValidationFailed(_("The due date must come after the opening date."), field="due_on")
    if not isinstance(grace_days, int) or not 0 <= grace_days <= 365:
        raise ValidationFailed(
            _("The grace period must be between 0 and 365 days."), field="grace_days"
        )


def _check_charter_version(charter_version) -> None:
    if charter_version is not None and getattr(charter_version, "status", None) != "published":
        raise ValidationFailed(_("Choose a published charter version."), field="charter_version_id")


def create_cycle(
    actor,
    year,
    title,
    opens_on,
    due_on,
    grace_days=14,
    categories=None,
    charter_version=None,
    reminder_offsets=None,
) -> ReportingCycle:
    ensure_secretariat(actor)
    if not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationFailed(
            _("Enter a year between %(a)d and %(b)d.", a=YEAR_MIN, b=YEAR_MAX), field="year"
        )
    if db.session.scalar(select(ReportingCycle.id).where(ReportingCycle.year == year)):
        raise ValidationFailed(_("There is already a cycle for %(year)d.", year=year), field="year")
    _check_dates(opens_on, due_on, grace_days)
    _check_charter_version(charter_version)
    title = (title or "").strip() or _("%(year)d reporting cycle", year=year)
    if len(title) > TITLE_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=TITLE_MAX), field="title")
    cycle = ReportingCycle(
        year=year,
        title=title,
        charter_version_id=getattr(charter_version, "id", None),
        status=CycleStatus.DRAFT,
        opens_on=opens_on,
        due_on=due_on,
        grace_days=grace_days,
        categories=_clean_categories(categories if categories is not None else ["company"]),
        reminder_offsets=_clean_offsets(reminder_offsets),
    )
    db.session.add(cycle)
    db.session.flush()
    record(actor, "cycle.created", cycle, summary=f"{year}: {title}")
    return cycle


def update_cycle(
    actor,
    cycle: ReportingCycle,
    title,
    opens_on,
    due_on,
    grace_days,
    categories,
    charter_version=None,
    reminder_offsets=None,
) -> ReportingCycle:
    """Change a cycle's settings. Dates, grace period and reminders stay editable while the
    cycle is open (the secretariat may move a deadline); the rest only in a draft."""
    ensure_secretariat(actor)
    if cycle.status == CycleStatus.CLOSED:
        raise Conflict(_("The %(year)d cycle is closed and can no longer change.", year=cycle.year))
    _check_dates(opens_on, due_on, grace_days)
    title = (title or "").strip() or cycle.title
    if len(title) > TITLE_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=TITLE_MAX), field="title")
    categories = _clean_categories(categories)
    if cycle.status != CycleStatus.DRAFT:
        if categories != list(cycle.categories or []) or (
            getattr(charter_version, "id", None) != cycle.charter_version_id
        ):
            raise Conflict(
                _("Who must report and the charter version are fixed once the cycle is open.")
            )
    else:
        _check_charter_version(charter_version)
        cycle.charter_version_id = getattr(charter_version, "id", None)
        cycle.categories = categories
    cycle.title = title
    cycle.opens_on = opens_on
    cycle.due_on = due_on
    cycle.grace_days = grace_days
    cycle.reminder_offsets = _clean_offsets(
        reminder_offsets if reminder_offsets is not None else cycle.reminder_offsets
    )
    db.session.flush()
    record(actor, "cycle.updated", cycle, summary=f"{cycle.year}: {cycle.title}")
    return cycle


def open_cycle(actor, cycle: ReportingCycle) -> ReportingCycle:
    ensure_secretariat(actor)
    if cycle.status != CycleStatus.DRAFT:
        raise Conflict(_("Only a draft cycle can be opened."))
    other = open_cycle_now()
    if other is not None and other.id != cycle.id:
        raise Conflict(
            _("The %(year)d cycle is still open. Close it before opening another.", year=other.year)
        )
    if question_count(cycle) == 0:
        raise ValidationFailed(_("Add at least one question before opening the cycle."))
    if not cycle.categories:
        raise ValidationFailed(_("Choose which member categories must report."))
    cycle.status = CycleStatus.OPEN
    cycle.opened_at = clock.now()
    db.session.flush()
    record(actor, "cycle.opened", cycle, summary=str(cycle.year))
    return cycle


def close_cycle(actor, cycle: ReportingCycle) -> ReportingCycle:
    ensure_secretariat(actor)
    if cycle.status != CycleStatus.OPEN:
        raise Conflict(_("Only an open cycle can be closed."))
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at = clock.now()
    db.session.flush()
    record(actor, "cycle.closed", cycle, summary=str(cycle.year))
    return cycle


# The questionnaire ---------------------------------------------------------------------------


def ensure_editable(cycle: ReportingCycle) -> None:
    if cycle.status != CycleStatus.DRAFT:
        raise Conflict(
            _(
                "The questionnaire of the %(year)d cycle is frozen: the cycle has been opened.",
                year=cycle.year,
            )
        )


def _clean_title(title: str, field: str = "title") -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationFailed(_("Enter a title."), field=field)
    if len(title) > TITLE_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=TITLE_MAX), field=field)
    return title


def _next_position(items) -> int:
    return max((item.position for item in items), default=-1) + 1


def add_section(actor, cycle: ReportingCycle, title, description_md="", principle=None) -> Section:
    ensure_secretariat(actor)
    ensure_editable(cycle)
    principle_id = getattr(principle, "id", principle)
    section = Section(
        cycle=cycle,
        position=_next_position(cycle.sections),
        title=_clean_title(title),
        description_md=(description_md or "").strip(),
        principle_id=principle_id,
    )
    db.session.add(section)
    db.session.flush()
    record(actor, "cycle.section_added", cycle, summary=section.title)
    return section


def update_section(actor, section: Section, title, description_md="", principle=None) -> Section:
    ensure_secretariat(actor)
    ensure_editable(section.cycle)
    section.title = _clean_title(title)
    section.description_md = (description_md or "").strip()
    section.principle_id = getattr(principle, "id", principle)
    db.session.flush()
    record(actor, "cycle.section_updated", section.cycle, summary=section.title)
    return section


def principle_texts(cycle: ReportingCycle) -> list:
    if cycle.charter_version_id is None:
        return []
    from app.charter.models import PrincipleText

    return list(
        db.session.scalars(
            select(PrincipleText)
            .where(PrincipleText.version_id == cycle.charter_version_id)
            .options(selectinload(PrincipleText.principle))
            .order_by(PrincipleText.position, PrincipleText.number)
        )
    )


def add_principle_sections(actor, cycle: ReportingCycle) -> list[Section]:
    """One section per principle of the cycle's charter version (skipping those present)."""
    ensure_secretariat(actor)
    ensure_editable(cycle)
    texts = principle_texts(cycle)
    if not texts:
        raise ValidationFailed(
            _("Choose the cycle's charter version first: its principles become the sections.")
        )
    present = {s.principle_id for s in cycle.sections if s.principle_id}
    added = []
    for text in texts:
        if text.principle_id in present:
            continue
        added.append(
            add_section(
                actor,
                cycle,
                _("Principle %(n)d: %(title)s", n=text.number, title=text.title)[:TITLE_MAX],
                description_md=text.body_md,
                principle=text.principle_id,
            )
        )
    return added


def _refuse_broken_conditions(cycle: ReportingCycle) -> None:
    """Refuse an order in which a question comes before the question its condition reads."""
    db.session.flush()
    seen: set[int] = set()
    for section in sorted(cycle.sections, key=lambda s: (s.position, s.id)):
        for question in sorted(section.questions, key=lambda q: (q.position, q.id)):
            if question.condition_question_id and question.condition_question_id not in seen:
                raise ValidationFailed(
                    _(
                        "“%(q)s” depends on an answer that would then come after it. Move or "
                        "change that condition first.",
                        q=_short(question.text),
                    )
                )
            seen.add(question.id)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _swap(items: list, item, direction: str) -> bool:
    items = sorted(items, key=lambda x: (x.position, x.id))
    for index, candidate in enumerate(items):
        candidate.position = index
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        return False
    items[index].position, items[other].position = items[other].position, items[index].position
    return True


def move_section(actor, section: Section, direction: str) -> None:
    ensure_secretariat(actor)
    cycle = section.cycle
    ensure_editable(cycle)
    if _swap(cycle.sections, section, direction):
        _refuse_broken_conditions(cycle)
        record(actor, "cycle.section_moved", cycle, summary=f"{section.title} {direction}")


def delete_section(actor, section: Section) -> None:
    ensure_secretariat(actor)
    cycle = section.cycle
    ensure_editable(cycle)
    inside = {q.id for q in section.questions}
    dependent = db.session.scalar(
        select(Question)
        .join(Section)
        .where(
            Section.cycle_id == cycle.id,
            Question.section_id != section.id,
            Question.condition_question_id.in_(inside or {0}),
        )
        .limit(1)
    )
    if dependent is not None:
        raise ValidationFailed(
            _(
                "“%(q)s” in another section depends on a question of this section. Change its "
                "condition first.",
                q=_short(dependent.text),
            )
        )
    title = section.title
    cycle.sections.remove(section)
    db.session.delete(section)
    for index, other in enumerate(sorted(cycle.sections, key=lambda s: (s.position, s.id))):
        other.position = index
    db.session.flush()
    record(actor, "cycle.section_deleted", cycle, summary=title)


def _clean_choices(kind: str, choices) -> list[str]:
    if kind not in answers.CHOICE_TYPES:
        return []
    if isinstance(choices, str):
        choices = choices.splitlines()
    cleaned: list[str] = []
    for choice in choices or []:
        choice = " ".join(str(choice).split())
        if not choice:
            continue
        if len(choice) > CHOICE_MAX:
            raise ValidationFailed(
                _("Each choice may have at most %(n)d characters.", n=CHOICE_MAX), field="choices"
            )
        if choice in cleaned:
            raise ValidationFailed(
                _("The choice “%(c)s” appears twice.", c=choice), field="choices"
            )
        cleaned.append(choice)
    if len(cleaned) < 2:
        raise ValidationFailed(_("Give at least two choices, one per line."), field="choices")
    if len(cleaned) > CHOICES_MAX:
        raise ValidationFailed(_("Give at most %(n)d choices.", n=CHOICES_MAX), field="choices")
    return cleaned


def _clean_bounds(kind: str, min_value, max_value):
    if kind != QuestionType.NUMBER:
        return None, None
    for value, field in ((min_value, "min_value"), (max_value, "max_value")):
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or abs(value) > answers.NUMBER_ABS_MAX
            or value != value
        ):
            raise ValidationFailed(_("Enter a number."), field=field)
    if min_value is not None and max_value is not None and min_value > max_value:
        raise ValidationFailed(
            _("The smallest value must not be larger than the largest."), field="max_value"
        )
    return min_value, max_value


def _earlier_questions(
    cycle: ReportingCycle, before: Question | None, section: Section
) -> list[Question]:
    """Questions that come before `before` (or before the end of `section` for a new one)."""
    sections = sorted(cycle.sections, key=lambda s: (s.position, s.id))
    earlier: list[Question] = []
    for s in sections:
        for q in sorted(s.questions, key=lambda q: (q.position, q.id)):
            if before is not None and q.id == before.id:
                return earlier
            earlier.append(q)
        if before is None and s.id == section.id:
            return earlier
    return earlier


def condition_options(cycle: ReportingCycle, section: Section, question: Question | None = None):
    """(question, [(value, label)]) for every earlier question that can drive a condition."""
    options = []
    for candidate in _earlier_questions(cycle, question, section):
        if candidate.type not in answers.CONDITION_TYPES:
            continue
        if candidate.type == QuestionType.YES_NO:
            values = [("yes", _("Yes")), ("no", _("No"))]
        else:
            values = [(c, c) for c in candidate.choices or []]
        options.append((candidate, values))
    return options


def _clean_condition(cycle, section, question, condition_question, condition_value):
    if condition_question is None:
        return None, ""
    controller_id = getattr(condition_question, "id", condition_question)
    allowed = {q.id: values for q, values in condition_options(cycle, section, question)}
    if controller_id not in allowed:
        raise ValidationFailed(
            _("A question can only depend on a yes/no or choice question that comes before it."),
            field="condition",
        )
    value = (condition_value or "").strip()
    if value not in {v for v, _label in allowed[controller_id]}:
        raise ValidationFailed(_("Choose one of that question's answers."), field="condition")
    return controller_id, value


def _question_fields(
    cycle,
    section,
    question,
    text,
    type,
    required,
    help_text,
    choices,
    unit,
    min_value,
    max_value,
    condition_question,
    condition_value,
    is_indicator,
    is_public,
) -> dict:
    if type not in {t.value for t in QuestionType}:
        raise ValidationFailed(_("Choose a type of answer."), field="type")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Enter the question."), field="text")
    if len(text) > TEXT_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=TEXT_MAX), field="text")
    help_text = (help_text or "").strip()
    if len(help_text) > HELP_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=HELP_MAX), field="help_text")
    unit = " ".join((unit or "").split()) if type == QuestionType.NUMBER else ""
    if len(unit) > UNIT_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=UNIT_MAX), field="unit")
    low, high = _clean_bounds(type, min_value, max_value)
    controller_id, value = _clean_condition(
        cycle, section, question, condition_question, condition_value
    )
    return {
        "text": text,
        "type": type,
        "required": bool(required),
        "help_text": help_text,
        "choices": _clean_choices(type, choices),
        "unit": unit,
        "min_value": low,
        "max_value": high,
        "condition_question_id": controller_id,
        "condition_value": value,
        "is_indicator": bool(is_indicator),
        "is_public": bool(is_public),
    }


def add_question(
    actor,
    section: Section,
    text,
    type,
    required=False,
    help_text="",
    choices=None,
    unit="",
    min_value=None,
    max_value=None,
    condition_question=None,
    condition_value="",
    is_indicator=False,
    is_public=False,
    lineage: str | None = None,
) -> Question:
    ensure_secretariat(actor)
    cycle = section.cycle
    ensure_editable(cycle)
    fields = _question_fields(
        cycle,
        section,
        None,
        text,
        type,
        required,
        help_text,
        choices,
        unit,
        min_value,
        max_value,
        condition_question,
        condition_value,
        is_indicator,
        is_public,
    )
    question = Question(
        section=section,
        position=_next_position(section.questions),
        lineage=lineage or uuid.uuid4().hex,
        **fields,
    )
    db.session.add(question)
    db.session.flush()
    record(actor, "cycle.question_added", cycle, summary=_short(question.text))
    return question


def update_question(
    actor,
    question: Question,
    text,
    type,
    required=False,
    help_text="",
    choices=None,
    unit="",
    min_value=None,
    max_value=None,
    condition_question=None,
    condition_value="",
    is_indicator=False,
    is_public=False,
) -> Question:
    ensure_secretariat(actor)
    section = question.section
    cycle = section.cycle
    ensure_editable(cycle)
    fields = _question_fields(
        cycle,
        section,
        question,
        text,
        type,
        required,
        help_text,
        choices,
        unit,
        min_value,
        max_value,
        condition_question,
        condition_value,
        is_indicator,
        is_public,
    )
    dependents = db.session.scalars(
        select(Question).where(Question.condition_question_id == question.id)
    ).all()
    for dependent in dependents:
        still_ok = fields["type"] in answers.CONDITION_TYPES and (
            (fields["type"] == QuestionType.YES_NO and dependent.condition_value in ("yes", "no"))
            or dependent.condition_value in fields["choices"]
        )
        if not still_ok:
            raise ValidationFailed(
                _(
                    "“%(q)s” depends on the answer “%(v)s” of this question. Change that condition "
                    "first.",
                    q=_short(dependent.text),
                    v=dependent.condition_value,
                ),
                field="type",
            )
    for key, value in fields.items():
        setattr(question, key, value)
    db.session.flush()
    record(actor, "cycle.question_updated", cycle, summary=_short(question.text))
    return question


def move_question(actor, question: Question, direction: str) -> None:
    ensure_secretariat(actor)
    cycle = question.section.cycle
    ensure_editable(cycle)
    if _swap(question.section.questions, question, direction):
        _refuse_broken_conditions(cycle)
        record(actor, "cycle.question_moved", cycle, summary=f"{_short(question.text)} {direction}")


def delete_question(actor, question: Question) -> None:
    ensure_secretariat(actor)
    section = question.section
    cycle = section.cycle
    ensure_editable(cycle)
    dependent = db.session.scalar(
        select(Question).where(Question.condition_question_id == question.id).limit(1)
    )
    if dependent is not None:
        raise ValidationFailed(
            _(
                "“%(q)s” depends on this question. Change its condition first.",
                q=_short(dependent.text),
            )
        )
    text = question.text
    section.questions.remove(question)
    db.session.delete(question)
    for index, other in enumerate(sorted(section.questions, key=lambda q: (q.position, q.id))):
        other.position = index
    db.session.flush()
    record(actor, "cycle.question_deleted", cycle, summary=_short(text))


def copy_questionnaire(actor, source_cycle: ReportingCycle, target_cycle: ReportingCycle) -> int:
    """Append a copy of `source_cycle`'s sections and questions to the draft `target_cycle`.
    Copies keep their `lineage`, so prefill and trends follow them. Returns questions copied."""
    ensure_secretariat(actor)
    ensure_editable(target_cycle)
    if source_cycle.id == target_cycle.id:
        raise ValidationFailed(_("Choose another cycle to copy from."), field="source")
    mapping: dict[int, Question] = {}
    position = _next_position(target_cycle.sections)
    copied = 0
    for source in load_questionnaire(source_cycle):
        section = Section(
            cycle=target_cycle,
            position=position,
            title=source.title,
            description_md=source.description_md,
            principle_id=source.principle_id,
        )
        position += 1
        db.session.add(section)
        for index, q in enumerate(source.questions):
            copy = Question(
                section=section,
                lineage=q.lineage,
                position=index,
                text=q.text,
                help_text=q.help_text,
                type=q.type,
                required=q.required,
                choices=list(q.choices or []),
                unit=q.unit,
                min_value=q.min_value,
                max_value=q.max_value,
                condition_value=q.condition_value,
                is_indicator=q.is_indicator,
                is_public=q.is_public,
            )
            if q.condition_question_id in mapping:
                copy.condition_question = mapping[q.condition_question_id]
            else:
                copy.condition_value = ""
            mapping[q.id] = copy
            db.session.add(copy)
            copied += 1
    target_cycle.copied_from_id = source_cycle.id
    db.session.flush()
    record(
        actor,
        "cycle.questionnaire_copied",
        target_cycle,
        summary=f"{source_cycle.year} -> {target_cycle.year}",
        questions=copied,
    )
    return copied
