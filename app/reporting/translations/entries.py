"""The translatable texts of a cycle's questionnaire, as the charter's `SourceEntry` values
(so its checks apply unchanged). Plain values; no queries."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.charter.translations.entries import EntryState, LanguageStatus, SourceEntry
from app.reporting import titles
from app.reporting.cycles.questionnaire import TITLE_MAX
from app.reporting.cycles.questions import CHOICE_MAX, HELP_MAX, TEXT_MAX, UNIT_MAX
from app.reporting.models import Section

CHOICE_TYPES = ("single_choice", "multiple_choice")


def section_keys(section_id: int) -> tuple[str, str]:
    return f"s{section_id}.title", f"s{section_id}.description"


def question_key(question_id: int, part: str) -> str:
    """`part`: "text", "help", "unit" or "c<n>" (the n-th choice, from 1)."""
    return f"q{question_id}.{part}"


def _written_title(section: Section) -> bool:
    """A title a person wrote (a generated one is translated at display time)."""
    title = (section.title or "").strip()
    if not title or section.principle_id is None or not titles.may_be_generated(title):
        return bool(title)
    text = section._principle_text()
    return text is None or not titles.is_generated_section_title(title, text.number, text.title)


def source_entries(sections: list[Section]) -> list[SourceEntry]:
    """Every text of the questionnaire a translator translates, in reading order; `number`
    is the section's number (1, 2 …)."""
    entries: list[SourceEntry] = []
    for n, section in enumerate(sections, start=1):
        title_key, description_key = section_keys(section.id)
        if _written_title(section):
            entries.append(
                SourceEntry(title_key, "section_title", section.title, False, TITLE_MAX, n)
            )
        entries.append(
            SourceEntry(
                description_key, "section_description", section.description_md, True, None, n
            )
        )
        for q in section.questions:
            entries.append(
                SourceEntry(question_key(q.id, "text"), "question_text", q.text, False, TEXT_MAX, n)
            )
            entries.append(
                SourceEntry(
                    question_key(q.id, "help"), "question_help", q.help_text, True, HELP_MAX, n
                )
            )
            if q.type == "number":
                entries.append(
                    SourceEntry(question_key(q.id, "unit"), "unit", q.unit, False, UNIT_MAX, n)
                )
            if q.type in CHOICE_TYPES:
                for i, choice in enumerate(q.choices or [], start=1):
                    entries.append(
                        SourceEntry(
                            question_key(q.id, f"c{i}"), "choice", choice, False, CHOICE_MAX, n
                        )
                    )
    return [e for e in entries if (e.text or "").strip()]


def language_status(
    sections: list[Section], language: str, rows: dict[str, tuple[str, str]]
) -> LanguageStatus:
    """`rows`: key -> (text, source hash) of the stored translations in that language."""
    return LanguageStatus(
        language,
        [EntryState(s, *rows.get(s.key, ("", None))) for s in source_entries(sections)],
    )


KIND_LABELS = {
    "section_title": _l("Section %(n)d: title"),
    "section_description": _l("Section %(n)d: introduction"),
}


def labeller(numbers: dict[str, str]):
    """The label of each entry on the translation page; `numbers`: question key prefix
    ("q12") -> its number ("2.3")."""

    def label(source: SourceEntry) -> str:
        if source.kind in KIND_LABELS:
            return KIND_LABELS[source.kind] % {"n": source.number}
        prefix, _dot, part = source.key.partition(".")
        number = numbers.get(prefix, "")
        if source.kind == "question_text":
            return _l("Question %(n)s: text", n=number)
        if source.kind == "question_help":
            return _l("Question %(n)s: help", n=number)
        if source.kind == "unit":
            return _l("Question %(n)s: unit", n=number)
        return _l("Question %(n)s: choice %(c)s", n=number, c=part[1:])

    return label
