"""A questionnaire as a reader in one language reads it: each text in that language when
its translation is current, else in the source language (the page then says so once).
Plain values; the rows come from `services.rows_for`. Choice *values* never change: only
their labels are translated."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.charter.translations.entries import source_hash
from app.charter.translations.reading import Text
from app.reporting import titles
from app.reporting.translations.entries import (
    CHOICE_TYPES,
    question_key,
    section_keys,
    source_entries,
)

CHARTER_PREFIX = "charter:"  # rows of the charter's translations (principle titles)


@dataclass
class Reading:
    language: str  # the language asked for
    source_language: str
    rows: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def translating(self) -> bool:
        return self.language != self.source_language

    def _pick(self, key: str, source: str) -> Text:
        if self.translating:
            text, digest = self.rows.get(key, ("", None))
            if text.strip() and digest == source_hash(source):
                return Text(text, self.language)
        return Text(source or "", self.source_language)

    def section_title(self, section) -> Text:
        shown = titles.shown_section_title(section)
        if shown != section.title:  # generated ("Principle 1: …"), in the page's language
            text = section._principle_text()
            if text is not None and section.principle is not None:
                title = self._pick(f"{CHARTER_PREFIX}{section.principle.key}.title", text.title)
                shown = titles.section_title(section.title, text.number, title.text)
            return Text(shown, "")
        return self._pick(section_keys(section.id)[0], section.title)

    def entry_title(self, section: dict) -> Text:
        """A section entry of a report snapshot (a dict with its id and title as written).
        A generated title ("Principle 1: …") is made in the page's language, with the
        principle's title translated when the cycle's charter version has it."""
        title = str(section.get("title") or "")
        parts = titles.generated_parts(title)
        if parts is not None:
            principle = section.get("principle") or {}
            name = parts[1]
            if principle.get("key"):
                name = self._pick(f"{CHARTER_PREFIX}{principle['key']}.title", name).text
            return Text(titles.shown_section_text(title, principle_title=name), "")
        if not section.get("id"):
            return Text(title.strip(), "")
        return self._pick(section_keys(section["id"])[0], title)

    def entry_text(self, question: dict) -> Text:
        """A question entry of a report snapshot (a dict with its id and text)."""
        return self._pick(question_key(question.get("id"), "text"), question.get("text") or "")

    def entries_untranslated(self, sections=(), questions=()) -> int:
        """How many of these snapshot entries (section and question dicts) are shown in the
        source language instead (a page shows one notice when any is)."""
        if not self.translating:
            return 0
        shown = [self.entry_title(s) for s in sections if s]
        shown += [self.entry_text(q) for q in questions if q]
        return sum(1 for t in shown if t.lang == self.source_language and t.text.strip())

    def snapshot_untranslated(self, snapshot: dict) -> int:
        """`entries_untranslated` for every section title and question text of a snapshot."""
        sections = (snapshot or {}).get("sections") or []
        questions = [q for s in sections for q in s.get("questions") or []]
        return self.entries_untranslated(sections, questions)

    def description(self, section) -> Text:
        return self._pick(section_keys(section.id)[1], section.description_md)

    def text(self, question) -> Text:
        return self._pick(question_key(question.id, "text"), question.text)

    def help(self, question) -> Text:
        return self._pick(question_key(question.id, "help"), question.help_text)

    def choice_label(self, question, value: str) -> str:
        """The label of one of `question`'s choices (a condition's value, as stored)."""
        return next((label.text for v, label in self.choices(question) if v == value), value)

    def unit(self, question) -> Text:
        return self._pick(question_key(question.id, "unit"), question.unit)

    def choices(self, question) -> list[tuple[str, Text]]:
        """(the stored value, its label) for each choice."""
        if question.type not in CHOICE_TYPES:
            return [(c, Text(c, self.source_language)) for c in question.choices or []]
        return [
            (c, self._pick(question_key(question.id, f"c{i}"), c))
            for i, c in enumerate(question.choices or [], start=1)
        ]

    def untranslated(self, sections) -> int:
        """How many texts of these sections are shown in the source language instead."""
        if not self.translating:
            return 0
        return sum(
            1 for s in source_entries(sections) if self._pick(s.key, s.text).lang != self.language
        )
