"""What the public pages read of the alliance's translations (issues 15 and 18): the
wording, unit and choice labels of *public* questions (never a non-public or an evidence
question, never a help text), the written titles of the sections they show, and the
principles of *published* charter versions. In one query, as plain values.

`PublicTexts` picks each text in the reader's language when its translation is current (made
from the source text shown), else the source text, and remembers how many it had to show in
the source language (the page's notice). Answers are never translated: they stay as written.
The questionnaire's other translations stay private (`services.page_rows` serves the
representatives' pages only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import String, literal, select, union_all

from app.charter.models import CharterVersion, VersionStatus
from app.charter.translations.entries import source_hash
from app.charter.translations.models import CharterTranslation
from app.charter.translations.reading import Text
from app.core import languages
from app.db import db
from app.reporting import titles
from app.reporting.models import Question, QuestionnaireTranslation, Section
from app.reporting.translations.entries import CHOICE_TYPES, question_key, section_keys
from app.reporting.translations.services import rows_for

Rows = dict[str, tuple[str, str]]  # key -> (text, source hash)


@dataclass(frozen=True)
class Asked:
    """A question a public page may show: only a public one that is no evidence upload
    has its texts read (`public_texts`)."""

    id: int
    is_public: bool
    type: str
    choices: int = 0  # how many choices it has

    @property
    def shown(self) -> bool:
        return bool(self.is_public) and self.type != "evidence"

    def text_keys(self) -> list[str]:
        keys = [question_key(self.id, "text")]
        if self.type == "number":
            keys.append(question_key(self.id, "unit"))
        if self.type in CHOICE_TYPES:
            keys += [question_key(self.id, f"c{i}") for i in range(1, self.choices + 1)]
        return keys


def asked(entry: dict) -> Asked | None:
    """A question entry of a report snapshot as `Asked` (None without an id)."""
    qid = entry.get("id")
    if not isinstance(qid, int) or isinstance(qid, bool):
        return None
    choices = entry.get("choices")
    return Asked(
        qid,
        entry.get("is_public") is True,
        str(entry.get("type") or ""),
        len(choices) if isinstance(choices, list) else 0,
    )


def cycle_public_rows(cycle_id: int, language: str) -> Rows:
    """A cycle's questionnaire translations into `language` that a public document may read
    (for `reading.Reading`, as the annual report reads them): the section titles and, of each
    question `Asked` shows (public, no evidence upload), its wording, unit and choice labels;
    never a non-public question's, a help text or a section description. Two queries (one
    when nothing is translated into `language`), none in the source language."""
    rows = rows_for(cycle_id, language)
    if not rows:
        return rows
    found = db.session.execute(
        select(Question.id, Question.type, Question.choices)
        .join(Section, Section.id == Question.section_id)
        .where(Section.cycle_id == cycle_id, Question.is_public.is_(True))
    )
    asked = [Asked(qid, True, kind, len(choices or ())) for qid, kind, choices in found]
    keys = {key for question in asked if question.shown for key in question.text_keys()}
    return {
        key: row
        for key, row in rows.items()
        if key in keys or (key.startswith("s") and key.endswith(".title"))
    }


def charter_key(version_id: int | None, key: str) -> str:
    return f"charter:{version_id}:{key}"


def public_texts(
    language: str | None = None,
    questions: Iterable[Asked] = (),
    sections: Iterable[int] = (),
    charter_versions: Iterable[int | None] = (),
) -> PublicTexts:
    """The texts of these public questions, sections (their written titles) and published
    charter versions (their principles' titles and bodies) in `language` (default: the
    reader's), in one query; none in the source language or when nothing is asked."""
    language = language or languages.current_language()
    source = languages.source_language()
    texts = PublicTexts(language, source)
    if language == source:
        return texts
    keys = sorted(
        {k for q in questions if q.shown for k in q.text_keys()}
        | {section_keys(s)[0] for s in sections if isinstance(s, int)}
    )
    versions = sorted({v for v in charter_versions if isinstance(v, int)})
    parts = []
    if keys:
        parts.append(
            select(
                QuestionnaireTranslation.key,
                QuestionnaireTranslation.text,
                QuestionnaireTranslation.source_hash,
            ).where(
                QuestionnaireTranslation.language == language,
                QuestionnaireTranslation.key.in_(keys),
            )
        )
    if versions:
        parts.append(
            select(
                literal("charter:")
                + CharterTranslation.version_id.cast(String)
                + literal(":")
                + CharterTranslation.key,
                CharterTranslation.text,
                CharterTranslation.source_hash,
            )
            .join(CharterVersion, CharterVersion.id == CharterTranslation.version_id)
            .where(
                CharterTranslation.version_id.in_(versions),
                CharterVersion.status == VersionStatus.PUBLISHED,
                CharterTranslation.language == language,
                CharterTranslation.key.like("%.title") | CharterTranslation.key.like("%.body"),
            )
        )
    if parts:
        query = parts[0] if len(parts) == 1 else union_all(*parts)
        texts.rows = {key: (text, digest) for key, text, digest in db.session.execute(query)}
    return texts


@dataclass
class PublicTexts:
    language: str  # the reader's language
    source_language: str
    rows: Rows = field(default_factory=dict)
    fallbacks: set[str] = field(default_factory=set)  # keys shown in the source language
    charter_version_id: int | None = None  # for snapshots that do not name theirs

    @property
    def translating(self) -> bool:
        return self.language != self.source_language

    @property
    def untranslated(self) -> int:
        """How many texts picked so far are shown in the source language instead."""
        return len(self.fallbacks)

    def source(self, text: str) -> Text:
        """A text in the source language: marked so on a page in another language, not on
        one in the source language (whose `<html lang>` says it)."""
        return Text(text or "", self.source_language if self.translating else "")

    def pick(self, key: str, source: str) -> Text:
        source = source or ""
        if self.translating and source.strip():
            text, digest = self.rows.get(key, ("", None))
            if text.strip() and digest == source_hash(source):
                return Text(text, self.language)
            self.fallbacks.add(key)
        return self.source(source)

    def question(self, question_id: int, source: str) -> Text:
        return self.pick(question_key(question_id, "text"), source)

    def unit(self, question_id: int, source: str) -> Text:
        return self.pick(question_key(question_id, "unit"), source)

    def choice(self, question_id: int, choices: Iterable[str], value: str) -> Text:
        """The label of a stored choice value (the value itself when it is no choice)."""
        listed = [str(c) for c in choices or ()]
        if str(value) not in listed:
            return self.source(str(value))
        return self.pick(question_key(question_id, f"c{listed.index(str(value)) + 1}"), value)

    def principle_title(self, version_id: int | None, key: str, source: str) -> Text:
        return self.pick(charter_key(version_id, f"{key}.title"), source)

    def principle_body(self, version_id: int | None, key: str, source: str) -> Text:
        return self.pick(charter_key(version_id, f"{key}.body"), source)

    def section(self, entry: dict, charter_version_id: int | None) -> Text:
        """A section entry of a report snapshot: a title Pactum made ("Principle 1: …",
        kept in English) in the reader's language with the principle's translated title;
        a written one from its translation."""
        title = str(entry.get("title") or "").strip()
        match = titles.generated_match(title)
        principle = entry.get("principle") or {}
        charter_version_id = charter_version_id or self.charter_version_id
        if match is not None or not title:
            number = principle.get("number") or (int(match["n"]) if match else None)
            source = match["title"] if match else ""
            if number is None:
                return Text(title, "")
            shown = (
                self.principle_title(charter_version_id, str(principle.get("key") or ""), source)
                if principle.get("key") and source
                else self.source(source)
            )
            whole = titles.section_title("", int(number), shown.text)
            return Text(whole, shown.lang if shown.lang == self.language else "")
        if not isinstance(entry.get("id"), int):
            return self.source(title)
        return self.pick(section_keys(entry["id"])[0], title)


def snapshot_texts(
    snapshots: Iterable[dict | None],
    language: str | None = None,
    charter_version_id: int | None = None,
) -> PublicTexts:
    """The public texts of the questions and sections of these report snapshots (and the
    principle titles of their charter versions, else of `charter_version_id`: the
    cycle's), in one query."""
    questions, sections, versions = [], [], [charter_version_id]
    for snapshot in snapshots:
        if not snapshot:
            continue
        versions.append((snapshot.get("charter_version") or {}).get("id"))
        for section in snapshot.get("sections") or []:
            found = [a for q in section.get("questions") or [] if (a := asked(q)) is not None]
            questions += found
            if any(a.shown for a in found):
                sections.append(section.get("id"))
    texts = public_texts(language, questions, sections, versions)
    texts.charter_version_id = charter_version_id
    return texts
