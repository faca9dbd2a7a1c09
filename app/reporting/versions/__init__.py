"""Submitted versions of a report: immutable snapshots, reading them, comparing two.

* `snapshots`: the questions of a stored snapshot, numbered, and their answers as shown;
* `compare`: the one comparison of two snapshots (`compare_snapshots` -> `Comparison`) and
  its short form for the version page (`change_summary`);
* `queries`: the versions of a report and one version (`versions_of`, `get_version`).

Nothing here needs a request; nothing here imports the other reporting sub-packages.
"""

from app.core.textdiff import Segment, word_diff
from app.reporting.versions.compare import (
    AnswerChange,
    Comparison,
    FieldChange,
    PledgeChange,
    change_summary,
    compare_snapshots,
)
from app.reporting.versions.queries import ensure_can_view, get_version, versions_of
from app.reporting.versions.snapshots import (
    TEXT_TYPES,
    NumberedQuestion,
    display_value,
    is_answered,
    numbered_questions,
)

__all__ = [
    "TEXT_TYPES",
    "AnswerChange",
    "Comparison",
    "FieldChange",
    "NumberedQuestion",
    "PledgeChange",
    "Segment",
    "change_summary",
    "compare_snapshots",
    "display_value",
    "ensure_can_view",
    "get_version",
    "is_answered",
    "numbered_questions",
    "versions_of",
    "word_diff",
]
