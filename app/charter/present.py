"""Turning charter versions into what readers get: JSON for citation, the words of the
comparison summary, and the PDF. Plain values in, plain values out; no queries."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from app.charter.caching import BytesCache
from app.charter.diff import ADDED, REMOVED, RENUMBERED, REWORDED, UNCHANGED, Comparison
from app.charter.models import CharterVersion
from app.charter.services import Timeline
from app.core.links import external_url  # stable links, whatever Host asked
from app.core.pdf import render_pdf  # imports WeasyPrint itself only when first used
from app.core.print_css import page_number_css
from app.markdown import render

JSON_SCHEMA_VERSION = 1


def version_payload(version: CharterVersion, timeline: Timeline) -> dict:
    """The charter version as structured data, for those who cite it."""
    previous = timeline.previous(version)
    following = timeline.next(version)
    page = external_url("charter.version", number=version.number)
    return {
        "schema": JSON_SCHEMA_VERSION,
        "alliance": current_app.config["ALLIANCE_NAME"],
        "version": version.number,
        "title": version.title,
        "status": timeline.status(version),
        "effective_date": version.effective_date.isoformat(),
        "superseded_on": (d.isoformat() if (d := timeline.superseded_on(version)) else None),
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "change_summary": version.change_summary or "",
        "previous_version": previous.number if previous else None,
        "next_version": following.number if following else None,
        "preamble": {
            "markdown": version.preamble_md or "",
            "html": str(render(version.preamble_md)),
        },
        "principles": [
            {
                "key": text.principle.key,
                "number": text.number,
                "title": text.title,
                "theme": text.theme or None,
                "body": {"markdown": text.body_md or "", "html": str(render(text.body_md))},
                "url": f"{page}#principle-{text.number}",
            }
            for text in version.texts
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


def pdf_context(version: CharterVersion, timeline: Timeline | None, preview: bool = False) -> dict:
    return {
        "version": version,
        "timeline": timeline,
        "preview": preview,
        "page_url": None if preview else external_url("charter.version", number=version.number),
        "effective": format_date(version.effective_date, "long") if version.effective_date else "",
    }


def version_pdf(
    version: CharterVersion, timeline: Timeline | None, cache_key: str | None, preview: bool = False
) -> bytes:
    """The version as a tagged PDF (PDF/UA-1), from the same Markdown as the page."""

    def build() -> bytes:
        html = render_template("charter/pdf.html", **pdf_context(version, timeline, preview))
        return render_pdf(html, [page_number_css(number_first_page=False)])

    if cache_key is None:
        return build()
    return _pdf_cache.get_or_build(cache_key, build)


def clear_pdf_cache() -> None:
    _pdf_cache.clear()
