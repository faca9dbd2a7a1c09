"""The answers a member made public: the questions marked public in its submitted
snapshot, as submitted (the annual report's appendix and the member's own report).

Evidence questions are left out: their answers are files, and files (even their names)
are never public."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import gettext as _

from app.charter.translations.reading import Text
from app.core import formats
from app.reporting.translations.public import PublicTexts


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
    # In the reader's language (`public_answers(..., texts)`); the fields above stay as
    # submitted (the content checksum reads them).
    wording: Text | None = None
    shown_unit: Text | None = None
    choice_labels: list[Text] | None = None  # a choice answer's labels, in order

    @property
    def for_reader(self) -> PublicAnswer:
        """The answer with its unit in the reader's language (for `answer_display`)."""
        return replace(self, unit=self.shown_unit.text) if self.shown_unit else self

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
    heading: Text | None = None  # the title in the reader's language
    principle: str = ""  # the key of its principle, if any
    entry: dict | None = None  # the snapshot's section (its id, title and principle)


def public_answers(snapshot: dict, texts: PublicTexts | None = None) -> list[PublicSection]:
    """The answers of a submitted snapshot to questions marked public (as submitted), but
    for evidence questions. With `texts` (`public.snapshot_texts`), each wording, unit,
    choice label and section title is also given in the reader's language."""
    charter = (snapshot.get("charter_version") or {}).get("id")
    sections = []
    for section in snapshot.get("sections") or []:
        answers = []
        for q in section.get("questions") or []:
            if not q.get("is_public") or q.get("shown") is False or q.get("type") == "evidence":
                continue
            answer = _answer(q)
            if texts is not None:
                _in_reader_language(answer, q, texts)
            answers.append(answer)
        if answers:
            entry = {k: section.get(k) for k in ("id", "title", "principle")}
            found = PublicSection(str(section.get("title") or ""), answers, entry=entry)
            found.principle = str((section.get("principle") or {}).get("key") or "")
            if texts is not None:
                found.heading = texts.section(section, charter)
            sections.append(found)
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


def _in_reader_language(answer: PublicAnswer, q: dict, texts: PublicTexts) -> None:
    qid = q.get("id") if isinstance(q.get("id"), int) else -1
    answer.wording = texts.question(qid, answer.question)
    if answer.type == "number" and answer.unit:
        answer.shown_unit = texts.unit(qid, answer.unit)
    value = answer.value
    if answer.type in ("single_choice", "multiple_choice") and value not in (None, "", []):
        chosen = value if isinstance(value, list) else [value]
        answer.choice_labels = [texts.choice(qid, q.get("choices") or [], str(c)) for c in chosen]


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
