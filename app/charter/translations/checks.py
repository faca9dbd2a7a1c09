"""What a translation must keep from its source: its placeholders and its links, Markdown
that renders as meant, and a length near the source's. Each problem is a sentence for the
secretariat, shown next to the field."""

from __future__ import annotations

import re
from collections import Counter

from flask_babel import gettext as _

from app.charter.translations.entries import SourceEntry

# %(name)s, %s, {name}, {{ name }}
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]|%[sd]|\{\{\s*[\w.]+\s*\}\}|\{[\w.]+\}")
LINK = re.compile(r"\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
BROKEN_LINK = re.compile(r"\[[^\]\n]*\]\([^)\n]*$|\[[^\]\n]*\]\s+\(", re.MULTILINE)
TAG = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>")
FENCE = re.compile(r"^\s*(```|~~~)", re.MULTILINE)
# Far longer: more than twice the source and 100 characters more.
LENGTH_FACTOR, LENGTH_SLACK = 2, 100


def placeholders(text: str) -> Counter:
    return Counter(m.group(0).replace(" ", "") for m in PLACEHOLDER.finditer(text or ""))


def links(text: str) -> Counter:
    return Counter(m.group(1) for m in LINK.finditer(text or ""))


def _listed(items) -> str:
    return ", ".join(sorted(items))


def _markdown_problems(text: str, source: str) -> list[str]:
    """Markdown mistakes in `text` that the source does not make itself."""
    problems = []
    if BROKEN_LINK.search(text) and not BROKEN_LINK.search(source):
        problems.append(
            _("A link is not closed: write it as [words](https://address), on one line.")
        )
    if len(FENCE.findall(text)) % 2 and not len(FENCE.findall(source)) % 2:
        problems.append(_("A block of code (```) is opened but never closed."))
    stripped, original = re.sub(r"`[^`]*`", "", text), re.sub(r"`[^`]*`", "", source)
    if stripped.count("**") % 2 and not original.count("**") % 2:
        problems.append(_("Bold text (**…**) is opened but never closed."))
    if TAG.search(stripped) and not TAG.search(original):
        problems.append(_("HTML tags are removed from the published text. Use Markdown instead."))
    return problems


def problems(source: SourceEntry, text: str) -> list[str]:
    """Everything wrong with `text` as a translation of `source` (empty: none)."""
    found: list[str] = []
    if source.limit is not None and len(text) > source.limit:
        found.append(_("Keep it under %(n)d characters.", n=source.limit))
    elif len(text) > LENGTH_FACTOR * len(source.text) + LENGTH_SLACK:
        found.append(
            _(
                "This is far longer than the source (%(n)d characters against %(m)d). "
                "Check that nothing was pasted twice.",
                n=len(text),
                m=len(source.text),
            )
        )
    wanted, given = placeholders(source.text), placeholders(text)
    if wanted - given:
        found.append(
            _("Keep the placeholders of the source: %(names)s.", names=_listed(wanted - given))
        )
    if given - wanted:
        found.append(
            _("These placeholders are not in the source: %(names)s.", names=_listed(given - wanted))
        )
    if source.markdown:
        found += _markdown_problems(text, source.text)
        wanted, given = links(source.text), links(text)
        if wanted - given:
            found.append(_("Keep the links of the source: %(urls)s.", urls=_listed(wanted - given)))
        if given - wanted:
            found.append(
                _("These links are not in the source: %(urls)s.", urls=_listed(given - wanted))
            )
    elif "\n" in text:
        found.append(_("Keep it on one line."))
    return found
