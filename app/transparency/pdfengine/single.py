"""A small report in one WeasyPrint pass: WeasyPrint numbers the pages, fills in the
contents (`target-counter()`) and prints the footers itself, so nothing is laid out twice
and nothing is joined. The outline is the same as the joined build's: the bookmarks of the
outline entries only (no other heading), as closed items."""

from __future__ import annotations

import re
from collections.abc import Callable

from app.transparency.pdfengine.join import OutlineEntry
from app.transparency.pdfengine.layout import render, write
from app.transparency.pdfengine.pool import MESSAGES, Built

_CSS_UNSAFE = re.compile(r'[\\"\n\r\f]')
_NOT_IDENT = re.compile(r"[^A-Za-z0-9_-]|^[0-9-]")


def _css_string(text: str) -> str:
    """`text` inside a CSS double-quoted string."""
    return _CSS_UNSAFE.sub(lambda m: f"\\{ord(m.group()):x} ", text)


def _css_id(anchor: str) -> str:
    """`#anchor` as a CSS selector (an id selector: the cascade looks ids up, where an
    attribute selector would be tried on every element)."""
    return "#" + _NOT_IDENT.sub(lambda m: f"\\{ord(m.group()):x} ", anchor)


def outline_css(outline: list[OutlineEntry]) -> str:
    """Bookmarks for the outline's entries and for nothing else (WeasyPrint would otherwise
    bookmark every heading)."""
    rules = ["h1, h2, h3, h4, h5, h6 { bookmark-level: none; }"]
    rules += [
        f"{_css_id(entry.anchor)} {{ bookmark-level: {entry.level}; "
        f'bookmark-label: "{_css_string(entry.title)}"; bookmark-state: closed; }}'
        for entry in outline
    ]
    return "\n".join(rules) + "\n"


def build_single(
    html: str,
    *,
    outline: list[OutlineEntry],
    variants: tuple[str, ...],
    extra_css: str = "",
    progress: Callable[[int, str], None] | None = None,
    messages: dict[str, str] | None = None,
) -> Built:
    """Lay out `html` once and write it in each variant."""
    report = progress or (lambda percent, message: None)
    texts = {**MESSAGES, **(messages or {})}
    report(2, texts["layout"])
    document = render(html, extra_css=extra_css + outline_css(outline))
    page_of: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            page_of.setdefault(anchor, number)
    report(92, texts["joining"])
    pdfs = {variant: write(document, variant) for variant in variants}
    report(99, texts["storing"])
    return Built(pdfs=pdfs, pages=len(document.pages), page_of=page_of, chunks=1)
