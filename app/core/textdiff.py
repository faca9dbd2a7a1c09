"""Word-level differences between two texts, for pages that show what changed.

Generic: plain strings in, `Segment`s out, no domain knowledge. The charter comparison
(`app.charter.diff`) and the comparison of report versions (`app.reporting.versions`) both
use it; a template turns the segments into `<ins>` / `<del>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Segment:
    """A run of text that is the same in both texts, or only in the old / new one."""

    op: str  # "equal", "delete" or "insert"
    text: str


_TOKEN = re.compile(r"\n|[^\S\n]+|\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str, fold_spaces: bool = True) -> list[Segment]:
    """Word-level difference between two texts, as merged segments.

    With `fold_spaces`, whitespace-only runs between two changes are folded into the changes,
    so a reader sees "~~a b~~ __c d__" rather than a confetti of one-word insertions and
    deletions (the charter's pages); without, each changed run of words stands on its own
    (the review of report versions, which marks each edit of an answer).
    """
    a, b = _tokens(old or ""), _tokens(new or "")
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    raw: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            raw.append(Segment("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            raw.append(Segment("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            raw.append(Segment("insert", "".join(b[j1:j2])))
    return _merge(_absorb_spaces(raw) if fold_spaces else raw)


def _absorb_spaces(segments: list[Segment]) -> list[Segment]:
    """An unchanged run of spaces between two changed runs joins both sides."""
    out: list[Segment] = []
    for i, seg in enumerate(segments):
        between_changes = (
            seg.op == "equal"
            and seg.text.strip(" \t") == ""
            and seg.text
            and 0 < i < len(segments) - 1
            and segments[i - 1].op != "equal"
            and segments[i + 1].op != "equal"
        )
        if between_changes:
            out.append(Segment("delete", seg.text))
            out.append(Segment("insert", seg.text))
        else:
            out.append(seg)
    return out


def _merge(segments: list[Segment]) -> list[Segment]:
    """Join neighbouring segments of the same kind; put deletions before insertions."""
    result: list[Segment] = []
    i = 0
    while i < len(segments):
        if segments[i].op == "equal":
            if result and result[-1].op == "equal":
                result[-1] = Segment("equal", result[-1].text + segments[i].text)
            elif segments[i].text:
                result.append(segments[i])
            i += 1
            continue
        deleted, inserted = [], []
        while i < len(segments) and segments[i].op != "equal":
            (deleted if segments[i].op == "delete" else inserted).append(segments[i].text)
            i += 1
        if "".join(deleted):
            result.append(Segment("delete", "".join(deleted)))
        if "".join(inserted):
            result.append(Segment("insert", "".join(inserted)))
    return result
