"""The translatable texts of a charter version, and how a translation relates to its
source. Plain values; no queries."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.charter.models import CharterVersion

VERSION_FIELDS = ("title", "preamble", "change_summary")
TITLE_LIMIT = 200
SUMMARY_LIMIT = 300


@dataclass(frozen=True)
class SourceEntry:
    key: str  # "title", "preamble", "change_summary", "P3.title", "P3.body"
    kind: str  # "title", "preamble", "change_summary", "principle_title", "principle_body"
    text: str
    markdown: bool
    limit: int | None  # the column's limit in characters, if any
    number: int | None = None  # the principle's number

    @property
    def hash(self) -> str:
        return source_hash(self.text)

    @property
    def field_name(self) -> str:
        """The form field's name ("P3_body")."""
        return self.key.replace(".", "_")


def source_hash(text: str) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()[:32]


def source_entries(version: CharterVersion) -> list[SourceEntry]:
    """Every text of the version a translator translates, in reading order. Empty source
    texts (no preamble, no change summary) have nothing to translate."""
    entries = [
        SourceEntry("title", "title", version.title or "", False, TITLE_LIMIT),
        SourceEntry("preamble", "preamble", version.preamble_md or "", True, None),
        SourceEntry(
            "change_summary", "change_summary", version.change_summary or "", False, SUMMARY_LIMIT
        ),
    ]
    for t in version.texts:
        key = t.principle.key
        entries.append(
            SourceEntry(f"{key}.title", "principle_title", t.title, False, TITLE_LIMIT, t.number)
        )
        entries.append(
            SourceEntry(f"{key}.body", "principle_body", t.body_md or "", True, None, t.number)
        )
    return [e for e in entries if e.text.strip()]


@dataclass(frozen=True)
class EntryState:
    """One source text and its translation into one language."""

    source: SourceEntry
    text: str  # "" when missing
    translated_hash: str | None  # the source hash the translation was made from

    @property
    def missing(self) -> bool:
        return not self.text.strip()

    @property
    def outdated(self) -> bool:
        return not self.missing and self.translated_hash != self.source.hash

    @property
    def current(self) -> bool:
        return not self.missing and not self.outdated


@dataclass(frozen=True)
class LanguageStatus:
    language: str
    entries: list[EntryState]

    @property
    def missing(self) -> list[EntryState]:
        return [e for e in self.entries if e.missing]

    @property
    def outdated(self) -> list[EntryState]:
        return [e for e in self.entries if e.outdated]

    @property
    def translated(self) -> list[EntryState]:
        return [e for e in self.entries if e.current]

    @property
    def complete(self) -> bool:
        return len(self.translated) == len(self.entries)


def language_status(
    version: CharterVersion, language: str, rows: dict[str, tuple[str, str]]
) -> LanguageStatus:
    """`rows`: key -> (text, source hash) of the stored translations in that language."""
    return LanguageStatus(
        language,
        [
            EntryState(source, *rows.get(source.key, ("", None)))
            for source in source_entries(version)
        ],
    )
