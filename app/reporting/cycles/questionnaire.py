"""A cycle's questionnaire as it is read (in order, numbered, hashed for snapshots), and the
rules every change to it shares: only a draft cycle's questionnaire changes, positions stay
dense, and no question comes before the question its condition reads."""

from __future__ import annotations

import hashlib
import json

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.charter.models import PrincipleText
from app.db import db
from app.errors import Conflict, ValidationFailed
from app.reporting import titles
from app.reporting.models import CycleStatus, Question, ReportingCycle, Section

TITLE_MAX = 200


# Reading ----------------------------------------------------------------------------------


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
    _link_principle_texts(cycle, sections)
    by_id = {q.id: q for s in sections for q in s.questions}
    for question in by_id.values():
        set_committed_value(
            question, "condition_question", by_id.get(question.condition_question_id)
        )
    return sections


def _link_principle_texts(cycle: ReportingCycle, sections: list[Section]) -> None:
    """Each section's principle text in the cycle's charter version (for its generated
    title), in one query, and only when a section may need it."""
    wanted = {
        s.principle_id for s in sections if s.principle_id and titles.may_be_generated(s.title)
    }
    if not wanted or cycle.charter_version_id is None:
        return
    texts = {
        t.principle_id: t
        for t in db.session.scalars(
            select(PrincipleText).where(
                PrincipleText.version_id == cycle.charter_version_id,
                PrincipleText.principle_id.in_(wanted),
            )
        )
    }
    for section in sections:
        section.principle_text = texts.get(section.principle_id)
        section.principle_text_loaded = True


def ordered_questions(sections: list[Section]) -> list[Question]:
    return [q for s in sections for q in s.questions]


def numbering(sections: list[Section]) -> dict[int, str]:
    """ "2.3" for the third question of the second section."""
    return {
        q.id: f"{si}.{qi}"
        for si, s in enumerate(sections, start=1)
        for qi, q in enumerate(s.questions, start=1)
    }


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


def _question_structure(q: Question) -> dict:
    return {
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


def questionnaire_structure(sections: list[Section]) -> list[dict]:
    return [
        {
            "id": s.id,
            "title": s.title,
            "description_md": s.description_md,
            "principle_id": s.principle_id,
            "questions": [_question_structure(q) for q in s.questions],
        }
        for s in sections
    ]


def questionnaire_hash(sections: list[Section]) -> str:
    canonical = json.dumps(
        questionnaire_structure(sections), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# What every change shares --------------------------------------------------------------------


def ensure_editable(cycle: ReportingCycle) -> None:
    if cycle.status != CycleStatus.DRAFT:
        raise Conflict(
            _(
                "The questionnaire of the %(year)d cycle is frozen: the cycle has been opened.",
                year=cycle.year,
            )
        )


def short_text(text: str, limit: int = 80) -> str:
    """A question's text on one line, cut at `limit` characters (for messages and labels)."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def next_position(items) -> int:
    return max((item.position for item in items), default=-1) + 1


def swap(items: list, item, direction: str) -> bool:
    """Move `item` one place "up" or "down" among `items` (renumbering them densely first);
    False when it cannot move that way."""
    items = sorted(items, key=lambda x: (x.position, x.id))
    for index, candidate in enumerate(items):
        candidate.position = index
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        return False
    items[index].position, items[other].position = items[other].position, items[index].position
    return True


def remove_and_renumber(items: list, item) -> None:
    """Delete `item` (a section or question) from its ordered list and close the gap."""
    items.remove(item)
    db.session.delete(item)
    for index, other in enumerate(sorted(items, key=lambda x: (x.position, x.id))):
        other.position = index


def refuse_broken_conditions(cycle: ReportingCycle) -> None:
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
                        q=short_text(question.text),
                    )
                )
            seen.add(question.id)
