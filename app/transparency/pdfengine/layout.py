"""Laying out HTML with WeasyPrint, in whatever process runs it: the print stylesheets
parsed once per process, one lock around WeasyPrint (it is not thread-safe), the PDF
variants we write."""

from __future__ import annotations

import atexit
import threading

from app.core.pdf import (
    BASE_URL,
    VARIANT_A,
    VARIANT_UA,
    font_configuration,
    html_document,
    static_only_fetcher,
    write_pdf,
)

VARIANTS = (VARIANT_UA, VARIANT_A)

REPORT_STYLESHEETS = ("css/print-base.css", "css/report-print.css")
OVERLAY_STYLESHEETS = ("css/report-overlay.css",)

_RENDER_LOCK = threading.RLock()
_FONT_CONFIG = None
_STYLES: dict[tuple, list] = {}


class BuildError(RuntimeError):
    """The PDF could not be assembled (a chunk failed, or the join found an inconsistency)."""


def _release_fonts() -> None:
    """Free the cached font configuration while the interpreter is still whole (its
    destructor fails noisily when it runs during interpreter shutdown)."""
    global _FONT_CONFIG
    with _RENDER_LOCK:
        _STYLES.clear()
        _FONT_CONFIG = None


def _parsed(key: tuple, **source) -> list:
    """One stylesheet parsed once per process (`source`: url= or string= and base_url=)."""
    # WeasyPrint is imported on first use: importing it costs about 0.35 s.
    from weasyprint import CSS

    if key not in _STYLES:
        _STYLES[key] = [CSS(url_fetcher=static_only_fetcher, font_config=_FONT_CONFIG, **source)]
    return _STYLES[key]


def load_stylesheets(names: tuple[str, ...], extra_css: str = ""):
    """Parsed stylesheets and their font configuration, parsed once per process."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = font_configuration()
        atexit.register(_release_fonts)
    sheets = [sheet for name in names for sheet in _parsed((name,), url=f"{BASE_URL}static/{name}")]
    if extra_css:
        sheets += _parsed(
            (*names, "extra", extra_css), string=extra_css, base_url=f"{BASE_URL}static/css/"
        )
    return _FONT_CONFIG, sheets


def render(html: str, stylesheets: tuple[str, ...] = REPORT_STYLESHEETS, extra_css: str = ""):
    """Lay out one HTML document with the shared (cached) print stylesheets."""
    with _RENDER_LOCK:
        fonts, parsed = load_stylesheets(stylesheets, extra_css)
        return html_document(html).render(stylesheets=parsed, font_config=fonts)


def write(document, variant: str | None) -> bytes:
    """Write a laid-out document (`app.core.pdf.write_pdf`), one at a time."""
    with _RENDER_LOCK:
        return write_pdf(document, variant)


def render_pdf(
    html: str,
    variant: str | None = VARIANT_UA,
    stylesheets: tuple[str, ...] = REPORT_STYLESHEETS,
    extra_css: str = "",
) -> tuple[bytes, int]:
    """One document in one pass (member reports, the single-pass benchmark)."""
    document = render(html, stylesheets, extra_css)
    return write(document, variant), len(document.pages)


def slug(variant: str) -> str:
    return variant.replace("/", "-")
