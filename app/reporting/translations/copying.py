"""Carrying a questionnaire's translations over to its copy in another cycle (used by
`app.reporting.cycles.sections.copy_questionnaire`), and forgetting those of removed
sections and questions. Imports nothing of `cycles`."""

from __future__ import annotations

from sqlalchemy import delete, or_, select

from app.db import db
from app.reporting.models import QuestionnaireTranslation


def _mapped_key(key: str, sections: dict[int, int], questions: dict[int, int]) -> str | None:
    prefix, dot, part = key.partition(".")
    ids = sections if prefix[:1] == "s" else questions if prefix[:1] == "q" else {}
    old = int(prefix[1:]) if prefix[1:].isascii() and prefix[1:].isdigit() else None
    new = ids.get(old) if old is not None else None
    return f"{prefix[0]}{new}{dot}{part}" if new is not None else None


def copy_into(
    source_cycle_id: int, target_cycle_id: int, sections: dict[int, int], questions: dict[int, int]
) -> int:
    """Copy the source cycle's translations to the target's copies of its sections and
    questions (`sections`, `questions`: old id -> new id). Each keeps the source hash it was
    made from, so a text changed after the copy shows its translation as outdated."""
    rows = db.session.scalars(
        select(QuestionnaireTranslation).where(QuestionnaireTranslation.cycle_id == source_cycle_id)
    ).all()
    copied = 0
    for row in rows:
        key = _mapped_key(row.key, sections, questions)
        if key is None:
            continue
        db.session.add(
            QuestionnaireTranslation(
                cycle_id=target_cycle_id,
                language=row.language,
                key=key,
                text=row.text,
                source_hash=row.source_hash,
                updated_at=row.updated_at,
                updated_by_id=row.updated_by_id,
            )
        )
        copied += 1
    return copied


def forget(cycle_id: int, section_ids=(), question_ids=()) -> None:
    """Delete the translations of removed sections and questions (a later row could reuse
    an id and inherit them)."""
    prefixes = [f"s{i}." for i in section_ids] + [f"q{i}." for i in question_ids]
    if not prefixes:
        return
    db.session.execute(
        delete(QuestionnaireTranslation)
        .where(
            QuestionnaireTranslation.cycle_id == cycle_id,
            or_(*(QuestionnaireTranslation.key.startswith(p, autoescape=True) for p in prefixes)),
        )
        .execution_options(synchronize_session=False)
    )
