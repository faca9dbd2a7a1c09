"""Page numbers in every PDF, in one style and the document's language (issue 16): "Page 2
of 4" in the charter, the copies of submitted reports, members' reports and the annual
report alike. Stylesheets cannot be translated, so the footer rule is made here from the
translated label and passed to the layout with the document's other stylesheets; the
annual report, laid out in parts and joined, writes the same label on its overlays."""

from __future__ import annotations

from flask_babel import gettext as _


def footer_label() -> str:
    """The footer text with {n} (this page) and {m} (page count) to fill in."""
    return _("Page %(n)s of %(m)s", n="{n}", m="{m}")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_number_css(*, number_first_page: bool = True) -> str:
    """The @page rules that print "Page 3 of 48" at the foot of each page, laid out by
    WeasyPrint itself. Without `number_first_page` the first page (a cover) has none."""
    before, _sep, rest = footer_label().partition("{n}")
    middle, _sep, after = rest.partition("{m}")
    footer = (
        "{ @bottom-center { content: "
        + _quoted(before)
        + " counter(page) "
        + _quoted(middle)
        + " counter(pages) "
        + _quoted(after)
        + "; font: 9pt 'Source Sans 3', sans-serif; color: #4f5d6b; } }\n"
    )
    first = footer if number_first_page else "{ @bottom-center { content: none; } }\n"
    # A page named cover (the annual report's) never has one.
    return (
        "@page "
        + footer
        + "@page :first "
        + first
        + "@page cover { @bottom-center { content: none; } }\n"
    )
