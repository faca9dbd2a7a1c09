"""The secretariat's texts of an annual report (executive summary, methodology) in the
alliance's other languages, entered beside the source text like the charter's
(`app.charter.translations`): the same `SourceEntry` values, checks, save loop and
source hashes, so a translation whose source text changed is outdated and the report
falls back to the source text, and says so.

Services take the acting user, flush and never commit."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.charter.translations import checks
from app.charter.translations.entries import (
    EntryState,
    LanguageStatus,
    SourceEntry,
    source_hash,
)
from app.charter.translations.reading import Text
from app.charter.translations.services import Saved, store_translations
from app.core import languages
from app.db import db
from app.errors import NotFound, ValidationFailed
from app.transparency.models import AnnualReport, AnnualReportTranslation

MAX_TEXT = 20_000
# key -> (the report's column, its label)
TEXTS = {
    "executive_summary": ("executive_summary_md", _l("Executive summary")),
    "methodology": ("methodology_md", _l("Methodology")),
}
Rows = dict[str, tuple[str, str]]  # key -> (text, source hash)


def ensure_language(language: str) -> str:
    """A language the report is translated into (not the source), or 404."""
    if language not in languages.translations():
        raise NotFound(_("The annual report is not translated into this language."))
    return language


def label(source: SourceEntry) -> str:
    return str(TEXTS[source.key][1])


def source_entries(report: AnnualReport) -> list[SourceEntry]:
    """The texts a translator translates (an empty source text has nothing to translate)."""
    entries = [
        SourceEntry(key, key, getattr(report, column) or "", True, MAX_TEXT)
        for key, (column, _label) in TEXTS.items()
    ]
    return [e for e in entries if e.text.strip()]


def rows_for(report_id: int | None, language: str) -> Rows:
    """The stored translations of a report's texts into one language, in one query (none
    for the source language)."""
    if report_id is None or language == languages.source_language():
        return {}
    return {
        key: (text, digest)
        for key, text, digest in db.session.execute(
            select(
                AnnualReportTranslation.key,
                AnnualReportTranslation.text,
                AnnualReportTranslation.source_hash,
            ).where(
                AnnualReportTranslation.annual_report_id == report_id,
                AnnualReportTranslation.language == language,
            )
        )
    }


def language_status(report: AnnualReport, language: str, rows: Rows) -> LanguageStatus:
    return LanguageStatus(
        language,
        [EntryState(s, *rows.get(s.key, ("", None))) for s in source_entries(report)],
    )


def statuses(report: AnnualReport) -> list[LanguageStatus]:
    """How far each language is (missing, outdated, translated), in one query."""
    by_language: dict[str, Rows] = {code: {} for code in languages.translations()}
    for language, key, text, digest in db.session.execute(
        select(
            AnnualReportTranslation.language,
            AnnualReportTranslation.key,
            AnnualReportTranslation.text,
            AnnualReportTranslation.source_hash,
        ).where(AnnualReportTranslation.annual_report_id == report.id)
    ):
        if language in by_language:
            by_language[language][key] = (text, digest)
    return [language_status(report, code, rows) for code, rows in by_language.items()]


def status_for(report: AnnualReport, language: str) -> LanguageStatus:
    ensure_language(language)
    return language_status(report, language, rows_for(report.id, language))


@dataclass(frozen=True)
class ReportTexts:
    """The report's texts as a reader in `language` reads them: each in that language
    when its translation is current, else in the source language."""

    language: str
    source_language: str
    executive_summary: Text
    methodology: Text

    @property
    def untranslated(self) -> list[str]:
        """The keys of the texts shown in the source language instead."""
        if self.language == self.source_language:
            return []
        return [
            key
            for key, text in (
                ("executive_summary", self.executive_summary),
                ("methodology", self.methodology),
            )
            if text.text and text.lang != self.language
        ]


def texts_in(report: AnnualReport, language: str) -> ReportTexts:
    """The summary and the methodology in `language` (one query; none in the source)."""
    source = languages.source_language()
    rows = rows_for(report.id, language)

    def pick(key: str) -> Text:
        original = getattr(report, TEXTS[key][0]) or ""
        text, digest = rows.get(key, ("", None))
        if language != source and text.strip() and digest == source_hash(original):
            return Text(text, language)
        return Text(original, source)

    return ReportTexts(language, source, pick("executive_summary"), pick("methodology"))


def save(
    actor: User,
    report: AnnualReport,
    language: str,
    texts: dict[str, str],
    *,
    seen: dict[str, str] | None = None,
    confirmed: set[str] | frozenset = frozenset(),
) -> Saved:
    """Store the translations of the report's texts into `language`, all or nothing: every
    problem is refused at once, by field, before anything changes (`texts`: key -> text,
    "" clears it; `seen`/`confirmed` as for the charter's translations)."""
    ensure_language(language)
    sources = {s.key: s for s in source_entries(report)}
    unknown = sorted(set(texts) - set(sources))
    if unknown:
        raise ValidationFailed(
            _("These texts are not part of this report: %(keys)s.", keys=", ".join(unknown))
        )
    cleaned = {key: (value or "").replace("\r\n", "\n").strip() for key, value in texts.items()}
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
    return store_translations(
        actor,
        AnnualReportTranslation,
        {"annual_report_id": report.id},
        language,
        cleaned,
        sources,
        seen=seen,
        confirmed=confirmed,
        action="annual_report.translated",
        subject=report,
        described=f"The {report.cycle.year} annual report's texts",
    )
