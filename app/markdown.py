"""Markdown to safe HTML: render with python-markdown, then sanitise with nh3.

Everything user-written goes through `render()`, on pages, in review screens and in PDFs.
"""

from __future__ import annotations

import functools
import threading

import markdown as md
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


_parsers = threading.local()


def _parser() -> md.Markdown:
    """One Markdown parser per thread, reset between texts: building one (its extensions and
    pattern registries) costs far more than converting a short text."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = md.Markdown(extensions=["extra", "sane_lists"], output_format="html")
        _parsers.parser = parser
    return parser


def _convert(text: str) -> str:
    parser = _parser()
    try:
        html = parser.convert(text)
    finally:
        parser.reset()
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


# Rendered texts kept per process: at most 1,024 of at most 8,000 characters each.
CACHED_TEXT_LIMIT = 8000
_convert_cached = functools.lru_cache(maxsize=1024)(_convert)


def render(text: str | None) -> Markup:
    """Render Markdown and return sanitised HTML safe to put in a template. The same text
    (a principle, a pledge) is rendered once per process."""
    if not text:
        return Markup("")
    text = str(text)
    html = _convert_cached(text) if len(text) <= CACHED_TEXT_LIMIT else _convert(text)
    return Markup(html)  # noqa: S704  (sanitised by nh3 in _convert)


def to_plain(text: str | None, limit: int | None = None) -> str:
    """Markdown to plain text (for summaries, feeds and meta descriptions)."""
    plain = nh3.clean(str(render(text)), tags=set()).strip()
    plain = " ".join(plain.split())
    if limit and len(plain) > limit:
        plain = plain[: limit - 1].rsplit(" ", 1)[0] + "…"
    return plain
