"""The alliance's texts as a public page's reader reads them, written as HTML: the small
helpers of templates/centre/_texts.html (`shown`, `question_text`, `choice_text`,
`row_value`), which that file exports under the same names.

They were Jinja macros, called some twenty times a row of the answers list and a year of a
question's table; a macro call costs several times a Python call (Jinja builds its frame,
its arguments and its output buffer each time: a tenth of a principle page, issue 15).
Each writes exactly what the macro wrote, escaped the same way (markupsafe)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from app.core.labels import label
from app.core.templating import local_country_name
from app.transparency.centre import values

CHOICE_TYPES = ("single_choice", "multiple_choice")
_SPAN = Markup('<span lang="%s" dir="auto">%s</span>')
_COMMA = Markup(", ")
_HEAD = Markup("%s · %s · %s")
_SECTOR = Markup(" · %s")


def shown(t, fallback="") -> Markup:
    """`t`: a Text (text, lang), marked with its language when it has one; or none for
    `fallback` as it is."""
    if t is not None and t.lang:
        return _SPAN % (t.lang, t.text)
    return escape(t.text if t is not None else fallback)


def question_text(t, id, text) -> Markup:
    """A question's wording (a `QuestionRow`, `QuestionInfo` or `AnswerRow`: `id` or
    `question_id`) in the reader's language through `t` (PublicTexts), else as stored."""
    return shown(t.question(id, text)) if t else escape(text)


def choice_text(t, id, choices, value) -> Markup:
    return shown(t.choice(id, choices, value)) if t else escape(value)


def answer_value(row, texts=None) -> str:
    """A row of the answers list as shown (`values.display`); with the page's `texts`, its
    unit in the reader's language."""
    unit = row.unit
    if texts is not None and unit and row.type == "number":
        unit = texts.unit(row.question_id, unit).text
    return values.display(row.type, row.value, unit)


def _is_sequence(value) -> bool:
    """Jinja's `sequence` test."""
    try:
        len(value)
        value.__getitem__  # noqa: B018
    except Exception:  # noqa: BLE001  (the test's own rule: anything else is no sequence)
        return False
    return True


def row_value(t, a) -> Markup:
    """One row of the answers list (`AnswerRow`): choices by their labels in the reader's
    language, the rest as Pactum shows it (`answer_value`)."""
    value = a.value
    if t and a.type in CHOICE_TYPES and value not in (None, "", []):
        chosen = value if _is_sequence(value) and not isinstance(value, str) else [value]
        return _COMMA.join(choice_text(t, a.question_id, a.choices, _string(v)) for v in chosen)
    return escape(answer_value(a, t))


def _string(value) -> str:
    """Jinja's `string` filter (markupsafe's `soft_str`)."""
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class ShownAnswer:
    """What a row of the answers list writes besides its link and badge: the member's line
    (year · category · country · sector), the question (when the list shows it), the
    answer."""

    head: Markup
    question: Markup
    value: Markup


def answer_items(rows, t, show_question: bool) -> list[tuple[object, ShownAnswer]]:
    """Each row of the answers list (`AnswerRow`) with what it shows, each piece written
    once per distinct value on the page (twenty rows share a few questions, answers and
    countries): the template wrote each through filters and macros, row by row."""
    heads: dict = {}
    questions: dict = {}
    answers: dict = {}
    found = []
    for a in rows:
        key = (a.year, a.category, a.country, a.sector)
        head = heads.get(key)
        if head is None:
            head = heads[key] = _head(*key)
        question = Markup("")
        if show_question:
            question = questions.get(a.question_id)
            if question is None:
                question = questions[a.question_id] = question_text(t, a.question_id, a.question)
        key = (a.question_id, a.type, a.unit, a.choices, repr(a.value))
        value = answers.get(key)
        if value is None:
            value = answers[key] = row_value(t, a)
        found.append((a, ShownAnswer(head, question, value)))
    return found


def _head(year, category, country, sector) -> Markup:
    head = _HEAD % (year, label("category", category), local_country_name(country))
    return head + _SECTOR % (sector,) if sector else head
