"""What changed between two snapshots of the same report: the one comparison.

`compare_snapshots(old, new)` matches questions by id (a cycle's questionnaire is frozen
once it opens), and by lineage as a fallback. Text answers get a word-level diff
(`app.core.textdiff`); other answers old -> new; evidence files are compared by content hash
and name. The secretariat's "what changed" page shows the `Comparison` in full; the version
page of a report shows its short form, `change_summary(comparison)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.core.labels import label as code_label
from app.core.textdiff import Segment, word_diff
from app.reporting.versions.snapshots import (
    TEXT_TYPES,
    NumberedQuestion,
    display_value,
    numbered_questions,
)

ATTESTATION_FIELDS = ("officer_name", "officer_title", "support_statement")

# Answers are diffed with each changed run of words on its own: the review marks each edit.
FOLD_SPACES = False


@dataclass
class AnswerChange:
    number: str
    section_title: str
    text: str
    type: str
    status: str  # "changed", "unchanged", "added", "removed"
    old: str = ""
    new: str = ""
    old_shown: bool = True
    new_shown: bool = True
    segments: list[Segment] = field(default_factory=list)
    evidence_added: list[dict] = field(default_factory=list)
    evidence_removed: list[dict] = field(default_factory=list)
    question_id: int | None = None
    # The snapshot questions compared, and whether the stored value or the files differ
    # (what the short summary lists).
    before: dict | None = field(default=None, repr=False, compare=False)
    after: dict | None = field(default=None, repr=False, compare=False)
    edited: bool = False
    # The snapshot's section entry (its id and title, for a reader in another language).
    section: dict | None = field(default=None, repr=False, compare=False)

    @property
    def value_changed(self) -> bool:
        return self.old != self.new or self.old_shown != self.new_shown


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class PledgeChange:
    """A pledge of the newer snapshot whose status or progress note differs (or is new)."""

    title: str
    before: dict | None
    after: dict


@dataclass
class Comparison:
    answers: list[AnswerChange]
    attestation: list[FieldChange]
    pledges: list[FieldChange]
    pledge_changes: list[PledgeChange] = field(default_factory=list)
    attestation_edited: bool = False
    officer_names: tuple[str, str] = ("", "")

    @property
    def changed(self) -> list[AnswerChange]:
        return [a for a in self.answers if a.status != "unchanged"]

    @property
    def has_changes(self) -> bool:
        return bool(self.changed or self.attestation or self.pledges)


def compare_snapshots(old: dict, new: dict) -> Comparison:
    """What changed between two snapshots of the same report, question by question."""
    old, new = old or {}, new or {}
    old_att, new_att = old.get("attestation") or {}, new.get("attestation") or {}
    pledges, pledge_changes = _pledges(old.get("pledges") or [], new.get("pledges") or [])
    return Comparison(
        answers=_answers(numbered_questions(old), numbered_questions(new)),
        attestation=_attestation(old_att, new_att),
        pledges=pledges,
        pledge_changes=pledge_changes,
        attestation_edited=any(old_att.get(k) != new_att.get(k) for k in ATTESTATION_FIELDS),
        officer_names=(old_att.get("officer_name", ""), new_att.get("officer_name", "")),
    )


# Answers ----------------------------------------------------------------------------------


def _answers(
    old_questions: list[NumberedQuestion], new_questions: list[NumberedQuestion]
) -> list[AnswerChange]:
    """One change per question: the newer snapshot's in order, then the removed ones."""
    old_by_id = {q.question.get("id"): q for q in old_questions}
    old_by_lineage = {
        q.question.get("lineage"): q for q in old_questions if q.question.get("lineage")
    }
    matched: set = set()
    answers: list[AnswerChange] = []
    for nq in new_questions:
        q = nq.question
        oq = old_by_id.get(q.get("id")) or old_by_lineage.get(q.get("lineage"))
        if oq is None:
            answers.append(_one_sided(nq, "added"))
            continue
        matched.add(oq.question.get("id"))
        answers.append(_answer_change(nq, oq.question))
    answers.extend(
        _one_sided(oq, "removed") for oq in old_questions if oq.question.get("id") not in matched
    )
    return answers


def _one_sided(nq: NumberedQuestion, status: str) -> AnswerChange:
    """A question only in the newer snapshot ("added") or only in the older ("removed")."""
    q = nq.question
    change = AnswerChange(nq.number, nq.section_title, q.get("text", ""), q.get("type", ""), status)
    change.question_id, change.section = q.get("id"), nq.section
    if status == "added":
        change.new, change.new_shown, change.after = display_value(q), q.get("shown", True), q
        change.edited = True
    else:
        change.old, change.old_shown, change.before = display_value(q), q.get("shown", True), q
    return change


def _answer_change(nq: NumberedQuestion, o: dict) -> AnswerChange:
    q = nq.question
    change = AnswerChange(
        nq.number,
        nq.section_title,
        q.get("text", ""),
        q.get("type", ""),
        "unchanged",
        old=display_value(o) if o.get("shown", True) else "",
        new=display_value(q) if q.get("shown", True) else "",
        old_shown=o.get("shown", True),
        new_shown=q.get("shown", True),
        question_id=q.get("id"),
        before=o,
        after=q,
        section=nq.section,
    )
    if q.get("type") in TEXT_TYPES:
        _diff_text(change, o, q)
    _diff_evidence(change, o.get("evidence") or [], q.get("evidence") or [])
    if change.value_changed or change.evidence_added or change.evidence_removed:
        change.status = "changed"
    files_then = sorted(f["sha256"] for f in o.get("evidence", []))
    files_now = sorted(f["sha256"] for f in q.get("evidence", []))
    change.edited = o.get("value") != q.get("value") or files_now != files_then
    return change


def _diff_text(change: AnswerChange, o: dict, q: dict) -> None:
    """A text answer that changed gets its word-level diff (hidden answers count as empty)."""
    old_text = o.get("value") if isinstance(o.get("value"), str) else change.old
    new_text = q.get("value") if isinstance(q.get("value"), str) else change.new
    if not change.old_shown:
        old_text = ""
    if not change.new_shown:
        new_text = ""
    if old_text != new_text:
        change.segments = word_diff(old_text, new_text, FOLD_SPACES)
        change.old, change.new = old_text, new_text


def _evidence_key(item: dict) -> tuple:
    return (item.get("sha256"), item.get("filename"))


def _diff_evidence(change: AnswerChange, old: list[dict], new: list[dict]) -> None:
    old_files = {_evidence_key(e): e for e in old}
    new_files = {_evidence_key(e): e for e in new}
    change.evidence_added = [e for k, e in new_files.items() if k not in old_files]
    change.evidence_removed = [e for k, e in old_files.items() if k not in new_files]


# Attestation and pledges --------------------------------------------------------------------


def _attestation(old_att: dict, new_att: dict) -> list[FieldChange]:
    changes = []
    for key, label in (
        ("officer_name", _("Senior officer")),
        ("officer_title", _("Officer's title")),
        ("support_statement", _("Statement of support")),
    ):
        a, b = str(old_att.get(key) or ""), str(new_att.get(key) or "")
        if a != b:
            changes.append(FieldChange(label, a, b, word_diff(a, b, FOLD_SPACES)))
    return changes


def _pledges(old: list[dict], new: list[dict]) -> tuple[list[FieldChange], list[PledgeChange]]:
    """The pledge lines of the full comparison, and the changed pledges of the summary."""
    old_pledges = {p.get("id"): p for p in old}
    new_pledges = {p.get("id"): p for p in new}
    lines: list[FieldChange] = []
    changed: list[PledgeChange] = []
    for pid, p in new_pledges.items():
        before = old_pledges.get(pid)
        lines.extend(_pledge_lines(before, p))
        if before is None or (before.get("status"), before.get("note")) != (
            p.get("status"),
            p.get("note"),
        ):
            changed.append(PledgeChange(p.get("title", ""), before, p))
    for pid, p in old_pledges.items():
        if pid not in new_pledges:
            lines.append(FieldChange(p.get("title", ""), _("Listed"), _("No longer listed")))
    return lines, changed


def _pledge_lines(before: dict | None, p: dict) -> list[FieldChange]:
    title = p.get("title", "")
    if before is None:
        status = code_label("pledge_status", p.get("status"))
        return [FieldChange(title, "", _("New pledge: %(status)s", status=status))]
    lines = []
    if before.get("status") != p.get("status"):
        lines.append(
            FieldChange(
                _("%(title)s: status", title=title),
                code_label("pledge_status", before.get("status")),
                code_label("pledge_status", p.get("status")),
            )
        )
    a, b = str(before.get("note") or ""), str(p.get("note") or "")
    if a != b:
        lines.append(
            FieldChange(_("%(title)s: progress", title=title), a, b, word_diff(a, b, FOLD_SPACES))
        )
    return lines


# The short form -----------------------------------------------------------------------------


def change_summary(comparison: Comparison) -> list[dict]:
    """One row per question or part whose stored answer differs, as the version page lists
    them: {"kind", "number", "text", "before", "after"} (pledges add "status_before" and
    "status_after"). Removed questions and pledges are not listed."""
    rows = []
    for change in comparison.answers:
        if change.status == "removed" or not change.edited:
            continue
        q, was = change.after or {}, change.before or {}
        rows.append(
            {
                "kind": "question",
                "number": q.get("number", ""),
                "text": q["text"],
                "question": q,  # the snapshot entry, read in the reader's language
                "before": was.get("display", ""),
                "after": q.get("display", ""),
            }
        )
    for pledge in comparison.pledge_changes:
        was = pledge.before or {}
        rows.append(
            {
                "kind": "pledge",
                "number": "",
                "text": pledge.after["title"],
                "before": was.get("note", ""),
                "after": pledge.after["note"],
                "status_before": was.get("status"),
                "status_after": pledge.after["status"],
            }
        )
    if comparison.attestation_edited:
        before, after = comparison.officer_names
        rows.append(
            {
                "kind": "attestation",
                "number": "",
                "text": _("Attestation"),
                "before": before,
                "after": after,
            }
        )
    return rows
