"""The answers a member made public: the questions marked public in its submitted
snapshot, as submitted (the annual report's appendix and the member's own report).

Evidence questions are left out: their answers are files, and files (even their names)
are never public."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app.core import formats


@dataclass
class PublicAnswer:
    question: str
    type: str
    value: object
    display: str
    unit: str
    lang: str | None = None  # the language a text answer was written in, when known
    question_id: int | None = None
    choices: tuple[str, ...] = ()

    @property
    def text_lang(self) -> str | None:
        """What a page marks with `lang`: only answers a person typed (not "Yes", a number
        or a choice, which are shown in the reader's language or the alliance's)."""
        return self.lang if self.type in TEXT_TYPES else None


TEXT_TYPES = ("short_text", "long_text")


@dataclass
class PublicSection:
    title: str
    answers: list[PublicAnswer]
    entry: dict | None = None  # the snapshot's section (its id, title and principle)


def public_answers(snapshot: dict) -> list[PublicSection]:
    """The answers of a submitted snapshot to questions marked public (as submitted), but
    for evidence questions."""
    sections = []
    for section in snapshot.get("sections") or []:
        answers = [
            _answer(q)
            for q in section.get("questions") or []
            if q.get("is_public") and q.get("shown") is not False and q.get("type") != "evidence"
        ]
        if answers:
            entry = {k: section.get(k) for k in ("id", "title", "principle")}
            sections.append(PublicSection(str(section.get("title") or ""), answers, entry))
    return sections


def _answer(q: dict) -> PublicAnswer:
    value = q.get("value")
    display = q.get("display")
    if not isinstance(display, str) or not display.strip():
        display = _display(q.get("type"), value, q.get("unit") or "")
    return PublicAnswer(
        question=str(q.get("text") or ""),
        type=str(q.get("type") or ""),
        value=value,
        display=display,
        unit=q.get("unit") or "",
        lang=q.get("lang") if isinstance(q.get("lang"), str) else None,
        question_id=q.get("id") if isinstance(q.get("id"), int) else None,
        choices=tuple(str(c) for c in q.get("choices") or ()),
    )


def _display(kind: str | None, value, unit: str) -> str:
    if value is None or value == "" or value == []:
        return _("Not answered")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int | float):
        return formats.number(value) + (f" {unit}" if unit else "")
    return str(value)
