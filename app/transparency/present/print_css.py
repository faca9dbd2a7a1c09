"""Print stylesheet additions made in code for the annual report (the page footers
themselves are `app.core.print_css`'s, shared by every PDF)."""

from __future__ import annotations

from app.core.print_css import footer_label, page_number_css

__all__ = ["footer_label", "page_number_css", "single_pass_css"]


def single_pass_css() -> str:
    """The single-pass layout of the annual report (the benchmark's comparison, and a
    cross-check of the chunked numbering in the tests): WeasyPrint numbers the pages and
    fills in the contents with target-counter()."""
    return page_number_css() + (
        ".toc .toc-page { display: none; }\n"
        ".toc .toc-title::after { content: none; }\n"
        ".toc a::after { content: leader(dotted) target-counter(attr(href), page); "
        "font-variant-numeric: tabular-nums; }\n"
    )
