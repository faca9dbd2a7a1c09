"""Entering and reading a charter version's translations. Services take the acting user,
flush and never commit; a published version's translations never change (`guard`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import User
from app.charter.drafts import draft_for_change
from app.charter.models import CharterVersion
from app.charter.publication import PublishedVersionChanged, _was_published
from app.charter.queries import load_version
from app.charter.translations import checks, languages
from app.charter.translations.entries import (
    LanguageStatus,
    SourceEntry,
    language_status,
    source_entries,
    source_hash,
)
from app.charter.translations.models import CharterTranslation
from app.charter.translations.reading import LocalisedVersion, Text, localise
from app.core.services import record
from app.db import db
from app.errors import NotFound, ValidationFailed

Rows = dict[str, tuple[str, str]]  # key -> (text, source hash)


def ensure_language(language: str) -> str:
    """A target language of the alliance (not the source), or 404."""
    if language not in languages.target_languages():
        raise NotFound(_("The charter is not translated into this language."))
    return language


def rows_for(version_ids, language: str) -> dict[int, Rows]:
    """The stored translations of these versions into one language, in one query."""
    ids = list({i for i in version_ids if i is not None})
    found: dict[int, Rows] = {i: {} for i in ids}
    if not ids or language == languages.source_language():
        return found
    for version_id, key, text, digest in db.session.execute(
        select(
            CharterTranslation.version_id,
            CharterTranslation.key,
            CharterTranslation.text,
            CharterTranslation.source_hash,
        ).where(CharterTranslation.version_id.in_(ids), CharterTranslation.language == language)
    ):
        found[version_id][key] = (text, digest)
    return found


def _rows_by_language(version: CharterVersion) -> dict[str, Rows]:
    by_language: dict[str, Rows] = {code: {} for code in languages.target_languages()}
    for language, key, text, digest in db.session.execute(
        select(
            CharterTranslation.language,
            CharterTranslation.key,
            CharterTranslation.text,
            CharterTranslation.source_hash,
        ).where(CharterTranslation.version_id == version.id)
    ):
        if language in by_language:
            by_language[language][key] = (text, digest)
    return by_language


def statuses(version: CharterVersion) -> list[LanguageStatus]:
    """How far each target language is translated (missing, outdated, translated), in one
    query."""
    return [
        language_status(version, code, rows) for code, rows in _rows_by_language(version).items()
    ]


def reader_view(version: CharterVersion, language: str) -> tuple[LocalisedVersion, list[str]]:
    """The version as read in `language`, and the languages it can be read in entirely
    (the source language first), in one query."""
    by_language = _rows_by_language(version)
    source = languages.source_language()
    complete = [source] + [
        code for code, rows in by_language.items() if language_status(version, code, rows).complete
    ]
    return localise(version, language, source, by_language.get(language, {})), complete


def headings_in(versions: list[CharterVersion], language: str) -> dict[int, tuple[Text, Text]]:
    """Each version's title and change summary in `language` where translated (else the
    source's), in one query: for the list of versions."""
    source = languages.source_language()
    rows = rows_for([v.id for v in versions], language)

    def pick(version: CharterVersion, key: str, text: str) -> Text:
        translated, digest = rows[version.id].get(key, ("", None))
        if language != source and translated.strip() and digest == source_hash(text):
            return Text(translated, language)
        return Text(text, source)

    return {
        v.id: (
            pick(v, "title", v.title or ""),
            pick(v, "change_summary", v.change_summary or ""),
        )
        for v in versions
    }


def comparison_in(
    old: CharterVersion, new: CharterVersion, language: str
) -> tuple[LocalisedVersion, LocalisedVersion]:
    """Two versions read in `language` for comparing them: translated when both are fully
    translated, else both in the source language (a comparison never mixes languages)."""
    source = languages.source_language()
    rows = rows_for([old.id, new.id], language)
    a = localise(old, language, source, rows[old.id])
    b = localise(new, language, source, rows[new.id])
    if language != source and not (a.fully_translated and b.fully_translated):
        a, b = localise(old, language, source, {}), localise(new, language, source, {})
    return a, b


def status_for(version: CharterVersion, language: str) -> LanguageStatus:
    ensure_language(language)
    return language_status(version, language, rows_for([version.id], language)[version.id])


@dataclass
class Saved:
    translated: list[str] = field(default_factory=list)  # keys newly translated or changed
    confirmed: list[str] = field(default_factory=list)  # outdated keys confirmed as still right
    cleared: list[str] = field(default_factory=list)  # keys whose translation was emptied

    @property
    def changed(self) -> bool:
        return bool(self.translated or self.confirmed or self.cleared)


def _clean(text: str | None, markdown: bool) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    return text if markdown else " ".join(text.split()) if "\n" not in text else text


def _checked(number: int, sources: dict[str, SourceEntry], texts: dict[str, str]) -> dict:
    """The texts cleaned up, or every problem at once, by field."""
    unknown = sorted(set(texts) - set(sources))
    if unknown:
        raise ValidationFailed(
            _(
                "These texts are not part of version %(n)d: %(keys)s.",
                n=number,
                keys=", ".join(unknown),
            )
        )
    cleaned = {key: _clean(value, sources[key].markdown) for key, value in texts.items()}
    errors = {
        sources[key].field_name: found
        for key, value in cleaned.items()
        if value and (found := checks.problems(sources[key], value))
    }
    if errors:
        raise ValidationFailed(
            _("Some translations need a correction: see the messages next to them."),
            errors=errors,
        )
    return cleaned


def store(
    cleaned: dict[str, str],
    sources: dict[str, SourceEntry],
    stored: dict,
    new_row,
    actor: User,
    *,
    seen: dict[str, str] | None = None,
    confirmed: set[str] | frozenset = frozenset(),
) -> Saved:
    """Apply checked texts to the stored rows (key -> row, with `text`, `source_hash`,
    `updated_at`, `updated_by_id`): "" deletes, a changed text records the source hash the
    translator was shown, an unchanged confirmed one takes today's. `new_row(key)` makes
    a row. Shared by the charter's and the questionnaires' translations."""
    saved = Saved()
    now = clock.now()
    seen = seen or {}
    for key, value in cleaned.items():
        row, source = stored.get(key), sources[key]
        if not value:
            if row is not None:
                db.session.delete(row)
                saved.cleared.append(key)
            continue
        if row is None:
            row = new_row(key)
            db.session.add(row)
        if row.text != value:
            row.text, row.source_hash = value, seen.get(key) or source.hash
            saved.translated.append(key)
        elif key in confirmed and row.source_hash != source.hash:
            row.source_hash = source.hash
            saved.confirmed.append(key)
        else:
            continue
        row.updated_at, row.updated_by_id = now, actor.id
    return saved


def store_translations(
    actor: User,
    model,
    owner: dict[str, int],
    language: str,
    cleaned: dict[str, str],
    sources: dict[str, SourceEntry],
    *,
    seen: dict[str, str] | None,
    confirmed: set[str] | frozenset,
    action: str,
    subject,
    described: str,
) -> Saved:
    """The tail of every translation save (the charter's, a questionnaire's, an annual
    report's): read the stored rows of `model` that belong to `owner` (its owning column ->
    id) in `language`, apply the checked texts (`store`), flush, and when anything changed
    record `action` on `subject`, summed up as "`described` in <language>: n translated,
    n confirmed, n cleared"."""
    stored = {
        row.key: row
        for row in db.session.scalars(
            select(model).where(
                *(getattr(model, column) == value for column, value in owner.items()),
                model.language == language,
            )
        )
    }
    saved = store(
        cleaned,
        sources,
        stored,
        lambda key: model(**owner, language=language, key=key, text=""),
        actor,
        seen=seen,
        confirmed=confirmed,
    )
    db.session.flush()
    if saved.changed:
        record(
            actor,
            action,
            subject,
            summary=f"{described} in {language}: {len(saved.translated)} translated, "
            f"{len(saved.confirmed)} confirmed, {len(saved.cleared)} cleared",
            language=language,
        )
    return saved


def save(
    actor: User,
    version_id: int,
    language: str,
    texts: dict[str, str],
    *,
    seen: dict[str, str] | None = None,
    confirmed: set[str] | frozenset = frozenset(),
) -> Saved:
    """Store the translations of a draft into `language`, all or nothing.

    `texts`: key -> translated text ("" clears it); keys not given are left alone.
    `seen`: key -> the source hash the translator was shown (a changed text records that
    one, so a source changed meanwhile leaves the translation outdated); default: today's.
    `confirmed`: keys whose unchanged translation still holds for a changed source.
    Refuses with every problem, by field, before changing anything."""
    version = draft_for_change(actor, version_id)
    ensure_language(language)
    version = load_version(version.id)
    sources = {s.key: s for s in source_entries(version)}
    cleaned = _checked(version.number, sources, texts)
    return store_translations(
        actor,
        CharterTranslation,
        {"version_id": version.id},
        language,
        cleaned,
        sources,
        seen=seen,
        confirmed=confirmed,
        action="charter.translated",
        subject=version,
        described=f"Version {version.number}",
    )


# Immutability guard -------------------------------------------------------------------------


def _version_of(session, row: CharterTranslation) -> CharterVersion | None:
    if row.version is not None:
        return row.version
    return session.get(CharterVersion, row.version_id) if row.version_id else None


@event.listens_for(Session, "before_flush")
def _guard_published(session, flush_context, instances):
    """No flush may add, change or delete a translation of a published version (a version
    published in the same flush, as the demo does, may come with its translations)."""
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if not isinstance(obj, CharterTranslation):
            continue
        if obj in session.dirty and not session.is_modified(obj):
            continue
        version = _version_of(session, obj)
        if version is not None and version not in session.new and _was_published(version):
            raise PublishedVersionChanged(
                _("The translations of a published charter version cannot be changed.")
            )
