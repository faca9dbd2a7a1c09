"""Turning charter versions into what readers get: JSON for citation, the words of the
comparison summary, and the PDF. Plain values in, plain values out; no queries."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _

from app.charter.caching import BytesCache
from app.charter.diff import ADDED, REMOVED, RENUMBERED, REWORDED, UNCHANGED, Comparison
from app.charter.models import CharterVersion
from app.charter.services import Timeline
from app.charter.translations import languages
from app.charter.translations.reading import LocalisedVersion, localise
from app.core.links import external_url  # stable links, whatever Host asked
from app.core.pdf import render_pdf  # imports WeasyPrint itself only when first used
from app.markdown import render

JSON_SCHEMA_VERSION = 1


def source_text(version: CharterVersion) -> LocalisedVersion:
    """The version in its source language."""
    source = languages.source_language()
    return localise(version, source, source, {})


def version_payload(
    version: CharterVersion,
    timeline: Timeline,
    text: LocalisedVersion | None = None,
    complete: list[str] | None = None,
) -> dict:
    """The charter version as structured data, for those who cite it, in the language of
    `text` (default: the source language); each text says which language it is in (a
    missing translation gives the source text)."""
    text = text or source_text(version)
    previous = timeline.previous(version)
    following = timeline.next(version)
    page = external_url("charter.version", number=version.number)
    by_key = {p.key: p for p in text.principles}
    return {
        "schema": JSON_SCHEMA_VERSION,
        "alliance": current_app.config["ALLIANCE_NAME"],
        "language": text.language,
        "source_language": text.source_language,
        "translated_into": [c for c in (complete or []) if c != text.source_language],
        "version": version.number,
        "title": text.title.text,
        "title_language": text.title.lang,
        "status": timeline.status(version),
        "effective_date": version.effective_date.isoformat(),
        "superseded_on": (d.isoformat() if (d := timeline.superseded_on(version)) else None),
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "change_summary": text.change_summary.text,
        "change_summary_language": text.change_summary.lang,
        "previous_version": previous.number if previous else None,
        "next_version": following.number if following else None,
        "preamble": {
            "markdown": text.preamble.text,
            "html": str(render(text.preamble.text)),
            "language": text.preamble.lang,
        },
        "principles": [
            {
                "key": p.key,
                "number": p.number,
                "title": p.title.text,
                "title_language": p.title.lang,
                "theme": p.theme or None,
                "body": {
                    "markdown": p.body.text,
                    "html": str(render(p.body.text)),
                    "language": p.body.lang,
                },
                "url": f"{page}#principle-{p.number}",
            }
            for p in (by_key[t.principle.key] for t in version.texts)
        ],
        "links": {
            "html": page,
            "pdf": external_url("charter.version_pdf", number=version.number),
            "json": external_url("charter.version_json", number=version.number),
            "versions": external_url("charter.versions"),
            "compare_with_previous": (
                external_url("charter.compare", a=previous.number, b=version.number)
                if previous
                else None
            ),
        },
    }


def comparison_summary(
    comparison: Comparison, old: CharterVersion, new: CharterVersion
) -> list[str]:
    """The comparison in a few plain sentences."""
    counts = comparison.counts
    total = sum(counts[s] for s in (ADDED, REWORDED, RENUMBERED, UNCHANGED))
    sentences = []
    if not comparison.has_changes:
        sentences.append(
            _("Versions %(a)d and %(b)d have the same text.", a=old.number, b=new.number)
        )
        return sentences
    parts = []
    if counts[ADDED]:
        parts.append(ngettext("%(num)d principle added", "%(num)d principles added", counts[ADDED]))
    if counts[REWORDED]:
        parts.append(ngettext("%(num)d reworded", "%(num)d reworded", counts[REWORDED]))
    if counts[RENUMBERED]:
        parts.append(ngettext("%(num)d renumbered", "%(num)d renumbered", counts[RENUMBERED]))
    if counts[REMOVED]:
        parts.append(ngettext("%(num)d removed", "%(num)d removed", counts[REMOVED]))
    if parts:
        sentences.append(
            _(
                "From version %(a)d to version %(b)d: %(changes)s.",
                a=old.number,
                b=new.number,
                changes=", ".join(parts),
            )
        )
    sentences.append(
        ngettext(
            "Version %(b)d has %(num)d principle; %(same)d of them unchanged.",
            "Version %(b)d has %(num)d principles; %(same)d of them unchanged.",
            total,
            b=new.number,
            same=counts[UNCHANGED],
        )
    )
    if comparison.title_changed:
        sentences.append(_("The title changed."))
    if comparison.preamble_changed:
        sentences.append(_("The preamble was reworded."))
    return sentences


# PDF -----------------------------------------------------------------------------------------

_pdf_cache = BytesCache(size=16)


def pdf_context(
    version: CharterVersion,
    timeline: Timeline | None,
    preview: bool = False,
    text: LocalisedVersion | None = None,
) -> dict:
    text = text or source_text(version)
    return {
        "version": version,
        "text": text,
        "lang": text.language,
        "language_names": languages.NAMES,
        "timeline": timeline,
        "preview": preview,
        "page_url": None
        if preview
        else external_url(
            "charter.version",
            number=version.number,
            **({} if text.language == text.source_language else {"lang": text.language}),
        ),
        "effective": format_date(version.effective_date, "long") if version.effective_date else "",
    }


def version_pdf(
    version: CharterVersion,
    timeline: Timeline | None,
    cache_key: str | None,
    preview: bool = False,
    *,
    text: LocalisedVersion | None = None,
) -> bytes:
    """The version as a tagged PDF (PDF/UA-1), from the same Markdown as the page, in the
    language of `text` (default: the source language; `<html lang>` gives its /Lang)."""

    def build() -> bytes:
        lang = text.language if text is not None else languages.source_language()
        with force_locale(lang):  # the PDF's own words in its language too
            html = render_template(
                "charter/pdf.html", **pdf_context(version, timeline, preview, text)
            )
        return render_pdf(html)

    if cache_key is None:
        return build()
    return _pdf_cache.get_or_build(cache_key, build)


def clear_pdf_cache() -> None:
    _pdf_cache.clear()
