"""The questions of a draft cycle's questionnaire: their rules (type, choices, bounds, the
condition that shows them), add, edit, move and delete.

Every function takes the acting user, checks it, flushes and never commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TypedDict, Unpack

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.services import record
from app.db import db
from app.errors import ValidationFailed
from app.reporting import answers
from app.reporting.cycles.questionnaire import (
    ensure_editable,
    next_position,
    refuse_broken_conditions,
    remove_and_renumber,
    short_text,
    swap,
)
from app.reporting.models import Question, QuestionType, ReportingCycle, Section
from app.reporting.translations import copying as translation_copying
from app.security import ensure_secretariat

TEXT_MAX = 2000
HELP_MAX = 5000
CHOICE_MAX = 200
CHOICES_MAX = 50
UNIT_MAX = 40


class QuestionOptions(TypedDict, total=False):
    """What a question may say besides its text and type (all optional)."""

    required: bool
    help_text: str
    choices: list[str] | str | None  # a list, or one choice per line
    unit: str
    min_value: float | None
    max_value: float | None
    condition_question: Question | int | None  # shown only when that question's answer...
    condition_value: str  # ...is this value
    is_indicator: bool
    is_public: bool


@dataclass(frozen=True)
class _Proposed:
    """A question as the secretariat wrote it, before it is checked."""

    text: str
    type: str
    required: bool = False
    help_text: str = ""
    choices: list[str] | str | None = None
    unit: str = ""
    min_value: float | None = None
    max_value: float | None = None
    condition_question: Question | int | None = None
    condition_value: str = ""
    is_indicator: bool = False
    is_public: bool = False


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


def condition_options(
    cycle: ReportingCycle, section: Section, question: Question | None = None
) -> list[tuple[Question, list[tuple[str, str]]]]:
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


def _clean_length(value: str, limit: int, field: str) -> str:
    if len(value) > limit:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=limit), field=field)
    return value


def _question_fields(
    cycle: ReportingCycle, section: Section, question: Question | None, proposed: _Proposed
) -> dict:
    """The checked column values of a new question (`question` None) or an edited one."""
    kind = proposed.type
    if kind not in {t.value for t in QuestionType}:
        raise ValidationFailed(_("Choose a type of answer."), field="type")
    text = (proposed.text or "").strip()
    if not text:
        raise ValidationFailed(_("Enter the question."), field="text")
    _clean_length(text, TEXT_MAX, "text")
    help_text = _clean_length((proposed.help_text or "").strip(), HELP_MAX, "help_text")
    unit = " ".join((proposed.unit or "").split()) if kind == QuestionType.NUMBER else ""
    _clean_length(unit, UNIT_MAX, "unit")
    low, high = _clean_bounds(kind, proposed.min_value, proposed.max_value)
    controller_id, value = _clean_condition(
        cycle, section, question, proposed.condition_question, proposed.condition_value
    )
    return {
        "text": text,
        "type": kind,
        "required": bool(proposed.required),
        "help_text": help_text,
        "choices": _clean_choices(kind, proposed.choices),
        "unit": unit,
        "min_value": low,
        "max_value": high,
        "condition_question_id": controller_id,
        "condition_value": value,
        "is_indicator": bool(proposed.is_indicator),
        "is_public": bool(proposed.is_public),
    }


def add_question(
    actor,
    section: Section,
    text: str,
    type: str,
    lineage: str | None = None,
    **options: Unpack[QuestionOptions],
) -> Question:
    """A new question at the end of `section`. `lineage` links it to earlier cycles' copies
    (a new one unless given)."""
    ensure_secretariat(actor)
    cycle = section.cycle
    ensure_editable(cycle)
    fields = _question_fields(cycle, section, None, _Proposed(text, type, **options))
    question = Question(
        section=section,
        position=next_position(section.questions),
        lineage=lineage or uuid.uuid4().hex,
        **fields,
    )
    db.session.add(question)
    db.session.flush()
    record(actor, "cycle.question_added", cycle, summary=short_text(question.text))
    return question


def _refuse_broken_dependents(question: Question, fields: dict) -> None:
    """Refuse a change of type or choices that a dependent question's condition reads."""
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
                    q=short_text(dependent.text),
                    v=dependent.condition_value,
                ),
                field="type",
            )


def update_question(
    actor, question: Question, text: str, type: str, **options: Unpack[QuestionOptions]
) -> Question:
    """Rewrite a question (every option not given goes back to its default)."""
    ensure_secretariat(actor)
    section = question.section
    cycle = section.cycle
    ensure_editable(cycle)
    fields = _question_fields(cycle, section, question, _Proposed(text, type, **options))
    _refuse_broken_dependents(question, fields)
    for key, value in fields.items():
        setattr(question, key, value)
    db.session.flush()
    record(actor, "cycle.question_updated", cycle, summary=short_text(question.text))
    return question


def move_question(actor, question: Question, direction: str) -> None:
    ensure_secretariat(actor)
    cycle = question.section.cycle
    ensure_editable(cycle)
    if swap(question.section.questions, question, direction):
        refuse_broken_conditions(cycle)
        record(
            actor, "cycle.question_moved", cycle, summary=f"{short_text(question.text)} {direction}"
        )


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
                q=short_text(dependent.text),
            )
        )
    text = question.text
    translation_copying.forget(cycle.id, question_ids=[question.id])
    remove_and_renumber(section.questions, question)
    db.session.flush()
    record(actor, "cycle.question_deleted", cycle, summary=short_text(text))
