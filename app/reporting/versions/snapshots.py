"""Reading a stored snapshot (the frozen JSON of a submitted version): its questions with
their human numbers, and each answer as a reader sees it. Plain dicts in, plain values out."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

TEXT_TYPES = ("short_text", "long_text")


@dataclass(frozen=True)
class NumberedQuestion:
    number: str  # "3.2": section 3, question 2
    section_title: str
    question: dict


def numbered_questions(snapshot: dict) -> list[NumberedQuestion]:
    """Every question of a snapshot with its human number, in questionnaire order."""
    out = []
    for s_index, section in enumerate(snapshot.get("sections") or [], start=1):
        for q_index, question in enumerate(section.get("questions") or [], start=1):
            out.append(NumberedQuestion(f"{s_index}.{q_index}", section.get("title", ""), question))
    return out


def display_value(question: dict) -> str:
    """The answer as a reader sees it (the snapshot's `display`, else formatted `value`)."""
    display = question.get("display")
    if display not in (None, ""):
        return str(display)
    value = question.get("value")
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if question.get("unit") and isinstance(value, int | float):
        return f"{value} {question['unit']}"
    return str(value)


def is_answered(question: dict) -> bool:
    """A snapshot question has an answer: a value, or at least one evidence file."""
    value = question.get("value")
    return not (value is None or value == "" or value == []) or bool(question.get("evidence"))
