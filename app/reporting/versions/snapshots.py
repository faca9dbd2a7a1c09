"""Reading a stored snapshot (the frozen JSON of a submitted version): its questions with
their human numbers, and each answer as a reader sees it. Plain dicts in, plain values out."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.reporting import answers

TEXT_TYPES = ("short_text", "long_text")


@dataclass(frozen=True)
class NumberedQuestion:
    number: str  # "3.2": section 3, question 2
    section_title: str
    question: dict
    section: dict | None = field(default=None, compare=False, repr=False)  # its entry


def numbered_questions(snapshot: dict) -> list[NumberedQuestion]:
    """Every question of a snapshot with its human number, in questionnaire order."""
    out = []
    for s_index, section in enumerate(snapshot.get("sections") or [], start=1):
        for q_index, question in enumerate(section.get("questions") or [], start=1):
            out.append(
                NumberedQuestion(
                    f"{s_index}.{q_index}", section.get("title", ""), question, section
                )
            )
    return out


def display_value(question) -> str:
    """The answer as a reader sees it: what Pactum words itself ("Yes", a number, a date,
    "2 files") in the reader's language from the value; else the snapshot's `display` (the
    text as typed or chosen), else the formatted `value`. `question`: a snapshot entry, or
    anything with `type`, `value`, `display` and `unit` (`PublicAnswer`)."""
    if not isinstance(question, dict):
        question = {
            "type": getattr(question, "type", None),
            "value": getattr(question, "value", None),
            "display": getattr(question, "display", ""),
            "unit": getattr(question, "unit", ""),
            "evidence": getattr(question, "files", []),
        }
    worded = _worded_by_pactum(question)
    if worded is not None:
        return worded
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


def _worded_by_pactum(question: dict) -> str | None:
    kind, value = question.get("type"), question.get("value")
    evidence = question.get("evidence") or []
    fits = {
        "yes_no": isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "date": isinstance(value, str),
        "evidence": bool(evidence),
    }
    if kind not in answers.WORDED_BY_PACTUM or not fits.get(kind):
        return None
    return answers.display_of(kind, value, str(question.get("unit") or ""), len(evidence))


def is_answered(question: dict) -> bool:
    """A snapshot question has an answer: a value, or at least one evidence file."""
    value = question.get("value")
    return not (value is None or value == "" or value == []) or bool(question.get("evidence"))
