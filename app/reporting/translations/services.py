"""Entering and reading a cycle's questionnaire translations. Services take the acting
user, flush and never commit; an opened cycle's translations are frozen with its
questionnaire (`cycles.ensure_editable`)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import literal, select, union_all

from app.accounts.models import User
from app.charter.translations import checks, exchange
from app.charter.translations.entries import LanguageStatus, SourceEntry
from app.charter.translations.models import CharterTranslation
from app.charter.translations.services import Saved, store_translations
from app.core import languages
from app.db import db
from app.errors import NotFound, ValidationFailed
from app.reporting.cycles.questionnaire import ensure_editable, load_questionnaire
from app.reporting.models import QuestionnaireTranslation, ReportingCycle
from app.reporting.translations.entries import language_status, source_entries
from app.reporting.translations.reading import CHARTER_PREFIX, Reading
from app.security import ensure_secretariat

Rows = dict[str, tuple[str, str]]  # key -> (text, source hash)
FILE_PROJECT = "Pactum questionnaire"


def ensure_language(language: str) -> str:
    """A language the questionnaire may be translated into (not the source), or 404."""
    if language not in languages.translations():
        raise NotFound(_("The questionnaire is not translated into this language."))
    return language


def _questionnaire_rows(cycle_id: int, language: str):
    return select(
        QuestionnaireTranslation.key,
        QuestionnaireTranslation.text,
        QuestionnaireTranslation.source_hash,
    ).where(
        QuestionnaireTranslation.cycle_id == cycle_id,
        QuestionnaireTranslation.language == language,
    )


def rows_for(cycle_id: int, language: str) -> Rows:
    """The stored translations of the cycle's questionnaire into one language, in one query
    (none for the source language)."""
    if language == languages.source_language():
        return {}
    return {
        key: (text, digest)
        for key, text, digest in db.session.execute(_questionnaire_rows(cycle_id, language))
    }


def page_rows(cycle: ReportingCycle, language: str, session=None) -> Rows:
    """What a report page reads: the questionnaire's translations and the principle titles
    of the cycle's charter version (for generated section titles, keyed "charter:P3.title"),
    in one query (none for the source language). `session`: another session than the
    request's (the mail deliverer's, laying out a receipt after the commit)."""
    if language == languages.source_language():
        return {}
    query = _questionnaire_rows(cycle.id, language)
    if cycle.charter_version_id is not None:
        query = union_all(
            query,
            select(
                literal(CHARTER_PREFIX) + CharterTranslation.key,
                CharterTranslation.text,
                CharterTranslation.source_hash,
            ).where(
                CharterTranslation.version_id == cycle.charter_version_id,
                CharterTranslation.language == language,
                CharterTranslation.key.like("%.title"),
            ),
        )
    rows = (session or db.session).execute(query)
    return {key: (text, digest) for key, text, digest in rows}


def status_for(cycle: ReportingCycle, language: str, sections=None) -> LanguageStatus:
    """Each text of the questionnaire and its translation (missing, outdated, translated)."""
    ensure_language(language)
    sections = load_questionnaire(cycle) if sections is None else sections
    return language_status(sections, language, rows_for(cycle.id, language))


def statuses(cycle: ReportingCycle, sections) -> list[LanguageStatus]:
    """How far each language is, for the questionnaire page (one query a language)."""
    return [
        language_status(sections, code, rows_for(cycle.id, code))
        for code in languages.translations()
    ]


def reading_for(cycle: ReportingCycle, language: str | None = None, session=None) -> Reading:
    """The questionnaire's texts as a reader in `language` (default: the reader's) reads
    them, in one query (none in the source language). A submitted version's snapshot reads
    the same way (`Reading.entry_title`, `entry_text`): the cycle's translations froze with
    its questionnaire when it opened, so they match the snapshot's texts."""
    language = language if languages.is_language(language) else languages.current_language()
    return Reading(language, languages.source_language(), page_rows(cycle, language, session))


def _cleaned(texts: dict[str, str], sources: dict[str, SourceEntry]) -> dict[str, str]:
    """The texts tidied, or every problem at once, by field name."""
    unknown = sorted(set(texts) - set(sources))
    if unknown:
        raise ValidationFailed(
            _("These texts are not part of this questionnaire: %(keys)s.", keys=", ".join(unknown))
        )
    cleaned = {k: (v or "").replace("\r\n", "\n").strip() for k, v in texts.items()}
    errors = {}
    for key, value in cleaned.items():
        found = checks.problems(sources[key], value) if value else []
        if found:
            errors[sources[key].field_name] = found
    if errors:
        raise ValidationFailed(
            _("Some translations need a correction: see the messages next to them."),
            errors=errors,
        )
    return cleaned


def save(
    actor: User,
    cycle: ReportingCycle,
    language: str,
    texts: dict[str, str],
    *,
    seen: dict[str, str] | None = None,
    confirmed: set[str] | frozenset = frozenset(),
) -> Saved:
    """Store translations of a draft cycle's questionnaire into `language`, all or nothing.

    `texts`: key -> translated text ("" clears it); keys not given are left alone. `seen`:
    key -> the source hash the translator was shown (default: today's). `confirmed`: keys
    whose unchanged translation still holds for a changed source."""
    ensure_secretariat(actor)
    ensure_editable(cycle)
    ensure_language(language)
    sources = {s.key: s for s in source_entries(load_questionnaire(cycle))}
    cleaned = _cleaned(texts, sources)
    return store_translations(
        actor,
        QuestionnaireTranslation,
        {"cycle_id": cycle.id},
        language,
        cleaned,
        sources,
        seen=seen,
        confirmed=confirmed,
        action="cycle.questionnaire_translated",
        subject=cycle,
        described=str(cycle.year),
    )


# Files for translators (PO or XLIFF) --------------------------------------------------------


def file_target(cycle: ReportingCycle) -> exchange.Target:
    """A cycle's questionnaire file says which cycle (year and row) it is for."""
    return exchange.Target(
        FILE_PROJECT,
        f"{cycle.year}-{cycle.id}",
        lambda found: _(
            "This file is not for the questionnaire of the %(year)d cycle (it says "
            "“%(found)s”). Export the file of this questionnaire and translate that one.",
            year=cycle.year,
            found=found,
        ),
        _("This text is not part of this questionnaire."),
    )


def export_file(cycle: ReportingCycle, language: str, label, fmt: str = "po") -> bytes:
    """The questionnaire's texts for a translator, as a PO or an XLIFF file (`fmt`)."""
    return exchange.export_texts(file_target(cycle), status_for(cycle, language), label, fmt)


def preview_file(cycle: ReportingCycle, language: str, data: bytes) -> exchange.Preview:
    """What importing the file (PO or XLIFF) would change, entry by entry (nothing is saved
    here)."""
    return exchange.preview_texts(file_target(cycle), status_for(cycle, language), data)
