"""HTML to PDF with WeasyPrint, safely.

WeasyPrint fetches every URL a document names. Our documents contain Markdown written by
users, so the fetcher serves only files under `static/` and refuses everything else
(`file:`, `http:`, internal addresses). Templates refer to static files with
`url_for('static', ...)` paths, resolved against BASE_URL.

WeasyPrint is imported lazily: importing it costs about 0.35 s.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mimetypes
import threading
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

from app.config import BASE_DIR
from app.core.glyphs import FALLBACKS, FONTS_DIR, PRIMARY_FAMILIES

STATIC_DIR = (BASE_DIR / "static").resolve()
BASE_URL = "https://pactum.invalid/"
VARIANT_UA = "pdf/ua-1"  # tagged, accessible
VARIANT_A = "pdf/a-3b"  # archival, tagged as well


class RefusedURL(ValueError):
    pass


def static_only_fetcher(url: str, timeout=10, ssl_context=None, http_headers=None):
    """Serve `https://pactum.invalid/static/...` from static/; refuse every other URL."""
    parts = urlsplit(url)
    if parts.scheme == "data" and url.startswith(("data:image/png", "data:image/svg+xml")):
        from weasyprint.urls import URLFetcher

        return URLFetcher(allowed_protocols={"data"}).fetch(url)
    if parts.scheme != "https" or parts.netloc != "pactum.invalid":
        raise RefusedURL(f"refused to fetch {url[:80]!r}")
    path = unquote(parts.path)
    if not path.startswith("/static/"):
        raise RefusedURL(f"refused to fetch {url[:80]!r}")
    target = (STATIC_DIR / path[len("/static/") :]).resolve()
    if STATIC_DIR not in target.parents or not target.is_file():
        raise RefusedURL(f"refused to fetch {url[:80]!r}")
    mime, _ = mimetypes.guess_type(target.name)
    # WeasyPrint 70 wants a URLFetcherResponse (a plain dict is refused).
    from weasyprint.urls import URLFetcherResponse

    return URLFetcherResponse(
        url,
        body=target.read_bytes(),
        headers={"Content-Type": mime or "application/octet-stream"},
    )


# WeasyPrint 70 reads this attribute when a fetch raises: False means "skip the resource
# with a logged error" (a refused URL is simply not fetched) rather than abort the render.
static_only_fetcher._fail_on_errors = False


def html_document(html: str):
    """Parse HTML into a WeasyPrint HTML object with the safe fetcher."""
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=static_only_fetcher)


def _fallback_config_xml() -> bytes:
    """Fontconfig rules: after "Source Sans 3" or "Source Serif 4", and at the end of any
    other family list, try the shipped Noto fallbacks in order (strongly bound, so they
    come before the system's own sans-serif fonts), so a character our families lack is
    drawn by a shipped font, never by whatever the machine has or as an empty box."""
    families = "".join(f"<string>{family}</string>" for _, family in FALLBACKS)
    rules = "".join(
        f'<match target="pattern"><test name="family" qual="any"><string>{primary}</string>'
        f'</test><edit name="family" mode="append" binding="strong">{families}</edit></match>'
        for primary in PRIMARY_FAMILIES
    )
    rules += (
        f'<match target="pattern"><edit name="family" mode="append_last" binding="weak">'
        f"{families}</edit></match>"
    )
    return (
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig>{rules}</fontconfig>"
    ).encode()


_rules_lock = threading.Lock()
_rules_loaded_into: int | None = None  # the Fontconfig configuration that has our rules


def _load_fallback_rules() -> None:
    """Pango's FT2 font map substitutes a pattern's families with the process's *current*
    Fontconfig configuration, not the font map's own: the fallback rules go there, once per
    configuration (Fontconfig makes a new one when it rescans the system's fonts). They only
    name families, which only our FontConfigurations hold."""
    global _rules_loaded_into
    lib = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
    lib.FcConfigGetCurrent.restype = ctypes.c_void_p
    lib.FcConfigParseAndLoadFromMemory.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int)
    with _rules_lock:
        current = lib.FcConfigGetCurrent()
        if current != _rules_loaded_into:
            lib.FcConfigParseAndLoadFromMemory(current, _fallback_config_xml(), 1)
            _rules_loaded_into = current


def font_configuration():
    """A WeasyPrint FontConfiguration that also knows the shipped fallback fonts (emoji,
    symbols, other scripts: `app.core.glyphs.FALLBACKS`), read from static/fonts/ and
    embedded like the @font-face fonts. Every PDF is laid out with one of these."""
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    _load_fallback_rules()
    # WeasyPrint keeps its Fontconfig configuration in `_config` and adds @font-face
    # fonts to it the same way (`FontConfiguration.add_font_face`).
    for name, _ in FALLBACKS:
        fontconfig.FcConfigAppFontAddFile(fonts._config, str(FONTS_DIR / name).encode())
    pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", fonts.font_map))
    return fonts


def render_document(html: str, stylesheets: list[str] | None = None):
    """Lay out HTML; return a WeasyPrint Document (pages, anchors) for assembling."""
    from weasyprint import CSS

    fonts = font_configuration()
    css = [
        CSS(string=s, font_config=fonts, url_fetcher=static_only_fetcher, base_url=BASE_URL)
        for s in (stylesheets or [])
    ]
    return html_document(html).render(stylesheets=css, font_config=fonts)


def write_pdf(document, variant: str | None = VARIANT_UA) -> bytes:
    """Write a laid-out Document. Variants: VARIANT_UA (tagged, default), VARIANT_A (PDF/A-3b,
    tagged as well), None (untagged: overlays)."""
    if not variant:
        return document.write_pdf()
    if variant == VARIANT_A:
        # WeasyPrint 70 opens its sRGB profile for PDF/A and never closes the file.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            return document.write_pdf(pdf_variant=variant, pdf_tags=True)
    return document.write_pdf(pdf_variant=variant)


def render_pdf(
    html: str, stylesheets: list[str] | None = None, variant: str | None = VARIANT_UA
) -> bytes:
    """HTML string -> PDF bytes. Title, language and author come from the HTML's <title>,
    <html lang> and <meta name="author">."""
    return write_pdf(render_document(html, stylesheets), variant)


def static_path(name: str) -> Path:
    return STATIC_DIR / name
