"""Comparing two charter versions: pure functions, plain records in, plain results out.

Principles are matched by their stable identity (`key`), not by number, so a principle that
moved from number 5 to number 6 is "renumbered", not "removed and added". Reworded text is
compared word by word on what a reader sees (the Markdown rendered to plain text), and
returned as segments that a template turns into `<ins>` / `<del>` (the word diff itself is
`app.core.textdiff`, shared with the comparison of report versions; `Segment` and
`word_diff` stay importable from here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from app.core.textdiff import Segment, word_diff
from app.markdown import render

__all__ = [
    "ADDED",
    "REMOVED",
    "RENUMBERED",
    "REWORDED",
    "STATUSES",
    "UNCHANGED",
    "Comparison",
    "PrincipleChange",
    "PrincipleRecord",
    "Segment",
    "compare",
    "readable_text",
    "word_diff",
]

# Statuses of a principle between two versions, in the order the page lists them.
ADDED = "added"
REMOVED = "removed"
REWORDED = "reworded"
RENUMBERED = "renumbered"
UNCHANGED = "unchanged"
STATUSES = (ADDED, REMOVED, REWORDED, RENUMBERED, UNCHANGED)


@dataclass(frozen=True)
class PrincipleRecord:
    """What the comparison needs of one principle in one version."""

    key: str
    number: int
    title: str
    body_md: str = ""
    theme: str = ""


@dataclass
class PrincipleChange:
    key: str
    status: str
    old: PrincipleRecord | None
    new: PrincipleRecord | None
    renumbered: bool = False
    title_changed: bool = False
    body_changed: bool = False
    theme_changed: bool = False
    title_diff: list[Segment] = field(default_factory=list)
    body_diff: list[Segment] = field(default_factory=list)

    @property
    def number(self) -> int:
        """The number to show: the new one, or the old one for a removed principle."""
        return (self.new or self.old).number

    @property
    def title(self) -> str:
        return (self.new or self.old).title

    @property
    def anchor(self) -> str:
        return f"change-{self.key.lower()}"


@dataclass
class Comparison:
    changes: list[PrincipleChange]
    title_changed: bool = False
    preamble_changed: bool = False
    title_diff: list[Segment] = field(default_factory=list)
    preamble_diff: list[Segment] = field(default_factory=list)

    def with_status(self, status: str) -> list[PrincipleChange]:
        return [c for c in self.changes if c.status == status]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for change in self.changes:
            counts[change.status] += 1
        return counts

    @property
    def renumbered_count(self) -> int:
        """Principles whose number changed, whether or not they were also reworded."""
        return sum(1 for c in self.changes if c.renumbered)

    @property
    def has_changes(self) -> bool:
        return (
            self.title_changed
            or self.preamble_changed
            or any(c.status != UNCHANGED for c in self.changes)
        )


# Text ------------------------------------------------------------------------------------

_BLOCKS = {
    "p",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "dt",
    "dd",
    "hr",
    "ul",
    "ol",
    "table",
    "br",
}


class _TextExtractor(HTMLParser):
    """Sanitised HTML -> plain text, one line per block, list items marked with a bullet."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            self.parts.append("\n• ")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def readable_text(markdown_text: str | None) -> str:
    """The text a reader sees for some Markdown: no markup, one paragraph per line."""
    extractor = _TextExtractor()
    extractor.feed(str(render(markdown_text)))
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).split("\n"))
    return "\n".join(line for line in lines if line)


# Versions ----------------------------------------------------------------------------------


def compare(
    old: list[PrincipleRecord],
    new: list[PrincipleRecord],
    *,
    old_title: str = "",
    new_title: str = "",
    old_preamble: str = "",
    new_preamble: str = "",
) -> Comparison:
    """What changed from `old` to `new`, principle by principle, in the new version's order
    (removed principles follow, in their old order)."""
    old_by_key = {p.key: p for p in old}
    new_keys = {p.key for p in new}
    changes: list[PrincipleChange] = []
    for record in sorted(new, key=lambda p: p.number):
        before = old_by_key.get(record.key)
        if before is None:
            changes.append(PrincipleChange(record.key, ADDED, None, record))
            continue
        changes.append(_change(before, record))
    for record in sorted(old, key=lambda p: p.number):
        if record.key not in new_keys:
            changes.append(PrincipleChange(record.key, REMOVED, record, None))
    old_text, new_text = readable_text(old_preamble), readable_text(new_preamble)
    title_changed = old_title.strip() != new_title.strip()
    return Comparison(
        changes=changes,
        title_changed=title_changed,
        title_diff=word_diff(old_title, new_title) if title_changed else [],
        preamble_changed=old_text != new_text,
        preamble_diff=word_diff(old_text, new_text) if old_text != new_text else [],
    )


def _change(before: PrincipleRecord, after: PrincipleRecord) -> PrincipleChange:
    old_body, new_body = readable_text(before.body_md), readable_text(after.body_md)
    change = PrincipleChange(
        key=after.key,
        status=UNCHANGED,
        old=before,
        new=after,
        renumbered=before.number != after.number,
        title_changed=before.title.strip() != after.title.strip(),
        body_changed=old_body != new_body,
        theme_changed=before.theme.strip() != after.theme.strip(),
    )
    if change.title_changed:
        change.title_diff = word_diff(before.title, after.title)
    if change.body_changed:
        change.body_diff = word_diff(old_body, new_body)
    if change.title_changed or change.body_changed or change.theme_changed:
        change.status = REWORDED
    elif change.renumbered:
        change.status = RENUMBERED
    return change
