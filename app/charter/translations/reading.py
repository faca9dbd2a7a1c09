"""A charter version as a reader in one language reads it: each text in that language when
its translation is current, else in the source language (and said so). Plain values; the
rows come from `services.rows_for`."""

from __future__ import annotations

from dataclasses import dataclass

from app.charter.diff import Comparison, PrincipleRecord, compare
from app.charter.models import CharterVersion
from app.charter.translations.entries import source_hash


@dataclass(frozen=True)
class Text:
    text: str
    lang: str  # the language it is written in

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


@dataclass(frozen=True)
class LocalisedPrinciple:
    key: str
    number: int
    title: Text
    body: Text
    theme: str


@dataclass(frozen=True)
class LocalisedVersion:
    language: str  # the language asked for
    source_language: str
    title: Text
    preamble: Text
    change_summary: Text
    principles: list[LocalisedPrinciple]

    @property
    def texts(self) -> list[Text]:
        texts = [self.title, self.preamble, self.change_summary]
        for p in self.principles:
            texts += [p.title, p.body]
        return [t for t in texts if t.text]

    @property
    def untranslated(self) -> int:
        """How many of its texts are shown in the source language instead."""
        if self.language == self.source_language:
            return 0
        return sum(1 for t in self.texts if t.lang != self.language)

    @property
    def fully_translated(self) -> bool:
        return self.untranslated == 0

    @property
    def nothing_translated(self) -> bool:
        return self.language != self.source_language and all(
            t.lang != self.language for t in self.texts
        )


def localise(
    version: CharterVersion,
    language: str,
    source_language: str,
    rows: dict[str, tuple[str, str]],
) -> LocalisedVersion:
    """`rows`: key -> (text, source hash) of the version's translations into `language`.
    A translation made from another source text (outdated) is not shown."""

    def pick(key: str, source: str) -> Text:
        text, digest = rows.get(key, ("", None))
        if language != source_language and text.strip() and digest == source_hash(source):
            return Text(text, language)
        return Text(source, source_language)

    return LocalisedVersion(
        language=language,
        source_language=source_language,
        title=pick("title", version.title or ""),
        preamble=pick("preamble", version.preamble_md or ""),
        change_summary=pick("change_summary", version.change_summary or ""),
        principles=[
            LocalisedPrinciple(
                key=t.principle.key,
                number=t.number,
                title=pick(f"{t.principle.key}.title", t.title),
                body=pick(f"{t.principle.key}.body", t.body_md or ""),
                theme=t.theme or "",
            )
            for t in version.texts
        ],
    )


def compare_localised(old: LocalisedVersion, new: LocalisedVersion) -> Comparison:
    """The comparison of two versions, read in one language (`diff.compare`)."""

    def records(v: LocalisedVersion) -> list[PrincipleRecord]:
        return [
            PrincipleRecord(p.key, p.number, p.title.text, p.body.text, p.theme)
            for p in v.principles
        ]

    return compare(
        records(old),
        records(new),
        old_title=old.title.text,
        new_title=new.title.text,
        old_preamble=old.preamble.text,
        new_preamble=new.preamble.text,
    )
