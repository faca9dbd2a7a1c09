"""A cycle's questionnaire as plain values, for the save path: one query, then a per-process
cache once the cycle is open (an open questionnaire is frozen: `cycles.ensure_editable`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, select

from app.db import db
from app.reporting.models import CycleStatus, Question, QuestionType, ReportingCycle, Section


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    """What saving needs to know of a question, as plain values. `answers.parse`,
    `answers.shown_map` and `answers.is_answered` read it like a `Question` row."""

    id: int
    section_id: int
    type: str
    required: bool
    choices: tuple
    min_value: float | None
    max_value: float | None
    unit: str
    condition_question_id: int | None
    condition_value: str


@dataclass(frozen=True)
class Questionnaire:
    """A cycle's questionnaire for saving: `sections[i]` holds the questions of section i + 1
    (empty sections included, so indexes match the section pages)."""

    questions: tuple[QuestionSpec, ...]
    sections: tuple[tuple[QuestionSpec, ...], ...]
    by_id: dict[int, QuestionSpec]
    # Progress counts required questions only: files matter when one of them asks for files.
    files_count: bool = False


_FROZEN: dict[tuple, Questionnaire] = {}
_FROZEN_MAX = 16


def _forget_questionnaires(*_args) -> None:
    """Any write to a cycle, section or question in this process empties the cache. Open
    questionnaires never change, so other processes' caches stay right; this covers a
    database emptied and filled again with the same ids (tests, demo data)."""
    _FROZEN.clear()


for _model in (ReportingCycle, Section, Question):
    for _event in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _event, _forget_questionnaires)


def questionnaire_for_saving(cycle: ReportingCycle) -> Questionnaire:
    """The cycle's questionnaire in one query; cached in the process once the cycle has been
    opened (keyed by the cycle and the moment it was opened)."""
    frozen = cycle.status != CycleStatus.DRAFT and cycle.opened_at is not None
    key = (cycle.id, cycle.opened_at)
    if frozen:
        found = _FROZEN.get(key)
        if found is not None:
            return found
    q = Question
    rows = db.session.execute(
        select(
            Section.id,
            q.id,
            q.type,
            q.required,
            q.choices,
            q.min_value,
            q.max_value,
            q.unit,
            q.condition_question_id,
            q.condition_value,
        )
        .select_from(Section)
        .outerjoin(q, q.section_id == Section.id)
        .where(Section.cycle_id == cycle.id)
        .order_by(Section.position, Section.id, q.position, q.id)
    ).all()
    sections: dict[int, list[QuestionSpec]] = {}
    for row in rows:
        questions = sections.setdefault(row[0], [])
        if row[1] is not None:
            questions.append(
                QuestionSpec(
                    id=row[1],
                    section_id=row[0],
                    type=row[2],
                    required=bool(row[3]),
                    choices=tuple(row[4] or ()),
                    min_value=row[5],
                    max_value=row[6],
                    unit=row[7] or "",
                    condition_question_id=row[8],
                    condition_value=row[9] or "",
                )
            )
    ordered = tuple(q for questions in sections.values() for q in questions)
    questionnaire = Questionnaire(
        questions=ordered,
        sections=tuple(tuple(questions) for questions in sections.values()),
        by_id={q.id: q for q in ordered},
        files_count=any(q.type == QuestionType.EVIDENCE and q.required for q in ordered),
    )
    if frozen:
        if len(_FROZEN) >= _FROZEN_MAX:
            _FROZEN.clear()
        _FROZEN[key] = questionnaire
    return questionnaire
