"""Print stylesheet additions made in code: the page footers of documents laid out in one
pass, in the site's language."""

from __future__ import annotations

from flask_babel import gettext as _


def footer_label() -> str:
    return _("Page %(n)s of %(m)s", n="{n}", m="{m}")


def page_number_css() -> str:
    """Footers ("Page 3 of 48") done by WeasyPrint itself, for documents laid out in one
    pass: members' reports and the single-pass layout of the annual report."""
    before, _sep, rest = footer_label().partition("{n}")
    middle, _sep, after = rest.partition("{m}")

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    footer = (
        "{ @bottom-center { content: "
        + quoted(before)
        + " counter(page) "
        + quoted(middle)
        + " counter(pages) "
        + quoted(after)
        + "; font: 9pt 'Source Sans 3', sans-serif; color: #4f5d6b; } }\n"
    )
    # print-base.css hides the footer of the first page: members' reports number it too.
    return (
        "@page "
        + footer
        + "@page :first "
        + footer
        + "@page cover { @bottom-center { content: none; } }\n"
    )


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
