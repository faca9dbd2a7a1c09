"""Turning charter versions into what readers get: JSON for citation, the words of the
comparison summary, and the PDF (laid out and stored when a version is published). Plain
values in, plain values out; no queries."""

from __future__ import annotations

import hashlib

from flask import current_app, render_template
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _

from app.charter.caching import BytesCache
from app.charter.diff import ADDED, REMOVED, RENUMBERED, REWORDED, UNCHANGED, Comparison
from app.charter.models import CharterVersion
from app.charter.services import Timeline
from app.charter.translations import languages
from app.charter.translations.reading import LocalisedVersion, localise
from app.config import BASE_DIR
from app.core.cache import cache
from app.core.links import external_url  # stable links, whatever Host asked
from app.core.pdf import render_pdf  # imports WeasyPrint itself only when first used
from app.core.print_css import page_number_css
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
#
# A published version's PDF is laid out once per language when it is published
# (`app.charter.notifications`, after the commit) and kept in the shared cache with no expiry,
# so the first reader is served stored bytes instead of waiting seconds for the layout. The
# key names everything the bytes depend on: the version, the language, the alliance, the
# server URL printed in it and the files the layout reads (template, print CSS, fonts,
# translations), by content, so a deployment that changes none of them keeps the stored PDFs.
# Missing (a new language, an emptied cache), it is laid out on request and stored then.

_pdf_cache = BytesCache(size=16)  # this process's copies, in front of the shared cache
_LAYOUT_INPUTS = (
    "templates/charter/pdf.html",
    "static/css/print-base.css",
    "static/css/charter-print.css",
    "static/fonts/fonts.css",
)
_layout_digest: str | None = None


def _inputs_digest() -> str:
    """A digest of the files the charter's layout reads, by content (once per process)."""
    global _layout_digest
    if _layout_digest is None or current_app.debug:
        digest = hashlib.sha256()
        paths = [BASE_DIR / name for name in _LAYOUT_INPUTS]
        paths += sorted((BASE_DIR / "translations").rglob("*.mo"))
        for path in paths:
            if path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
        for path in sorted((BASE_DIR / "static" / "fonts").glob("*.ttf")):
            digest.update(f"{path.name}:{path.stat().st_size}".encode())
        _layout_digest = digest.hexdigest()[:16]
    return _layout_digest


def stored_pdf_key(version: CharterVersion, language: str) -> str:
    """Where the published version's PDF in `language` is kept."""
    config = current_app.config
    parts = [
        version.id,
        version.number,
        version.published_at.isoformat() if version.published_at else "",
        language,
        config["ALLIANCE_NAME"],
        config.get("SERVER_URL") or "",
        _inputs_digest(),
    ]
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"charter-pdf:{digest}"


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


def render_version_pdf(
    version: CharterVersion, preview: bool = False, *, text: LocalisedVersion | None = None
) -> bytes:
    """Lay the version out as a tagged PDF (PDF/UA-1), from the same Markdown as the page, in
    the language of `text` (default: the source language; `<html lang>` gives its /Lang),
    the PDF's own words in that language too."""
    text = text or source_text(version)
    with force_locale(text.language):
        html = render_template("charter/pdf.html", **pdf_context(version, None, preview, text))
        return render_pdf(html, [page_number_css(number_first_page=False)])


def stored_version_pdf(version: CharterVersion, language: str) -> bytes | None:
    """The stored PDF of a published version in `language`, if there is one."""
    key = stored_pdf_key(version, language)
    data = _pdf_cache.get(key)
    if data is None:
        data = cache.get(key)
        if isinstance(data, bytes):
            _pdf_cache.put(key, data)
    return data if isinstance(data, bytes) else None


def store_version_pdf(version: CharterVersion, text: LocalisedVersion | None = None) -> bytes:
    """Lay out the published version's PDF in the language of `text` and store it."""
    text = text or source_text(version)
    data = render_version_pdf(version, text=text)
    key = stored_pdf_key(version, text.language)
    cache.set(key, data, timeout=0)  # never expires: the key changes when the bytes would
    _pdf_cache.put(key, data)
    return data


def version_pdf(
    version: CharterVersion, preview: bool = False, *, text: LocalisedVersion | None = None
) -> bytes:
    """The PDF of a version: a draft's laid out each time; a published one's stored bytes,
    laid out (and stored) only when none are."""
    if preview or version.published_at is None:
        return render_version_pdf(version, preview=True, text=text)
    text = text or source_text(version)
    return stored_version_pdf(version, text.language) or store_version_pdf(version, text)


def clear_pdf_cache() -> None:
    _pdf_cache.clear()
