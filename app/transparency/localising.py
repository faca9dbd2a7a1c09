"""The annual report's records read in one language: the principles' titles from the
charter translations of the cycle's charter version, the questions' texts, units and
choice labels from the cycle's questionnaire translations (each only when current: a
translation of another source text is not used), and the public answers of the appendix
with their questions in that language.

Only the translations of PUBLIC questions are ever read into the report: a non-public
question's translation never reaches it (an indicator question that is not public keeps
its source text; the rule is the public pages' one, `reporting.translations.public`). Two
queries, whatever the size of the report; none in the source language."""

from __future__ import annotations

import dataclasses

from flask_babel import gettext as _

from app.charter.translations import services as charter_translations
from app.charter.translations.entries import source_hash
from app.core import formats, languages
from app.reporting import titles
from app.reporting.models import ReportingCycle
from app.reporting.translations import public as public_texts
from app.reporting.translations.reading import Reading
from app.transparency import figures as F
from app.transparency.public_answers import PublicAnswer, PublicSection
from app.transparency.queries import Loaded, PrincipleInfo, principles_version_id


@dataclasses.dataclass
class Localised:
    """What the report reads in one language: the records, and the texts of the
    questionnaire (`reading`, public questions only) for the appendix."""

    language: str
    data: Loaded
    reading: Reading

    @property
    def translating(self) -> bool:
        return self.reading.translating


def _principles(cycle, language: str, principles: list[PrincipleInfo]) -> list[PrincipleInfo]:
    version_id = principles_version_id(cycle)
    rows = charter_translations.rows_for([version_id], language).get(version_id, {})
    out = []
    for p in principles:
        text, digest = rows.get(f"{p.key}.title", ("", None))
        if text.strip() and digest == source_hash(p.title):
            p = dataclasses.replace(p, title=text)
        out.append(p)
    return out


def _indicator(item: F.Indicator, reading: Reading, public: bool) -> F.Indicator:
    question = item.question
    if not public:
        return item
    labels = dict(reading.choices(question))
    shown = dataclasses.replace(
        question,
        text=reading.text(question).text,
        unit=reading.unit(question).text,
        choices=tuple(labels[c].text for c in question.choices),
    )
    return dataclasses.replace(
        item,
        question=shown,
        distribution=[
            (labels[c].text if c in labels else c, n, share) for c, n, share in item.distribution
        ],
    )


def localise(cycle: ReportingCycle, data: Loaded, language: str) -> Localised:
    source = languages.source_language()
    if language == source:
        return Localised(language, data, Reading(language, source, {}))
    rows = public_texts.cycle_public_rows(cycle.id, language)
    reading = Reading(language, source, rows)
    public = {key.partition(".")[0] for key in rows if key.startswith("q")}
    indicators = {
        key: [_indicator(i, reading, f"q{i.question.id}" in public) for i in items]
        for key, items in data.indicators.items()
    }
    shown = dataclasses.replace(
        data,
        principles=_principles(cycle, language, data.principles),
        indicators=indicators,
    )
    return Localised(language, shown, reading)


def answers_in(answers: list[PublicSection], localised: Localised) -> list[PublicSection]:
    """One member's public answers (`public_answers(snapshot)`) with their questions, the
    labels of the choices and the answers Pactum words itself in the report's language;
    what a member typed stays as typed."""
    if not localised.translating:
        return answers
    reading = localised.reading
    titles_of = {p.key: (p.number, p.title) for p in localised.data.principles}
    return [
        dataclasses.replace(
            section,
            title=_section_title(section, reading, titles_of),
            answers=[_answer_in(a, reading) for a in section.answers],
        )
        for section in answers
    ]


def _section_title(section: PublicSection, reading: Reading, titles_of: dict) -> str:
    entry = section.entry or {"title": section.title}
    principle = entry.get("principle") or {}
    if titles.is_generated_text(section.title) and principle.get("key") in titles_of:
        number, principle_title = titles_of[principle["key"]]
        return titles.section_title("", number, principle_title)
    return reading.entry_title(entry).text


@dataclasses.dataclass(frozen=True)
class _Asked:
    """A snapshot's question as `Reading` reads one (its id, type, text, unit, choices)."""

    id: int
    type: str
    text: str
    unit: str
    choices: tuple[str, ...]


def _answer_in(answer: PublicAnswer, reading: Reading) -> PublicAnswer:
    if answer.question_id is None:
        return answer
    value = answer.value
    asked = _Asked(answer.question_id, answer.type, answer.question, answer.unit, answer.choices)
    labels = {v: label.text for v, label in reading.choices(asked)}
    unit = reading.unit(asked).text if answer.unit else ""
    display = answer.display
    if value is None or value == "" or value == []:
        display = _("Not answered")
    elif answer.type == "yes_no" and isinstance(value, bool):
        display = _("Yes") if value else _("No")
    elif answer.type == "number" and isinstance(value, int | float):
        display = formats.number(value) + (f" {unit}" if unit else "")
    elif answer.type == "single_choice":
        display = labels.get(str(value), display)
    elif answer.type == "multiple_choice" and isinstance(value, list):
        display = ", ".join(labels.get(str(v), str(v)) for v in value)
    question = reading.text(asked).text
    return dataclasses.replace(answer, question=question, display=display, unit=unit)
