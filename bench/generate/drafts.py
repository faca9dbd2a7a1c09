"""This year's open cycle: a draft report for every organisation with representatives, some
sections filled in, with the edit history of its revisions (the draft-save scenario's data).
The last organisations' drafts are complete, evidence and attestation included
(`READY_SHARE`): the deadline-day scenario submits those (bench/deadline.py)."""

from __future__ import annotations

import datetime as dt

from bench.generate import answers
from bench.generate.common import timestamp
from bench.generate.loader import Loader
from bench.generate.reports import EVIDENCE_COLUMNS, REPORT_COLUMNS
from bench.generate.state import Alliance, Cycle, Org

READY_SHARE = 8  # one draft in this many (the last ones) is complete, ready to submit
READY_MIN = 4
ATTESTATION = ("Bench Officer", "Chief Executive Officer", "We continue to support the charter.")


def _answers(
    g: Alliance, org: Org, cycle: Cycle, filled: int, evidence: list | None = None
) -> list[tuple[int, str]]:
    """The answers of the first `filled` sections (evidence aside): (question id, value JSON).
    With `evidence` (a list), the ids of the shown evidence questions are appended to it."""
    values = []
    yes = set()
    for q in cycle.questions:
        shown = q["condition"] is None or q["condition"] in yes
        if q["section"] >= filled:
            continue
        if q["type"] == "evidence":
            if evidence is not None and shown:
                evidence.append(q["id"])
            continue
        is_yes, value, _display = answers.draw(g.rng, q, org.slug, cycle.year, shown)
        if is_yes:
            yes.add(q["id"])
        if value != "null":
            values.append((q["id"], value))
    return values


def load(g: Alliance, loader: Loader) -> None:
    rng = g.rng
    cycle = g.cycles[-1]
    reports, rows, edits, files = [], [], [], []
    rid = g.next_report_id
    started = cycle.opens_on + dt.timedelta(days=10)
    sections = 1 + max((q["section"] for q in cycle.questions), default=0)
    ready_from = len(g.rep_orgs) - max(READY_MIN, len(g.rep_orgs) // READY_SHARE)
    evidence_id = loader.counts.get("evidence", 0)
    for n, org in enumerate(g.rep_orgs):
        ready = n >= ready_from and g.file_pool
        revision = rng.randrange(0, 4) if not ready else 1 + rng.randrange(0, 3)
        user = org.rep_ids[0]
        when = timestamp(started + dt.timedelta(days=rng.randrange(0, 200)), rng)
        draft = (rid, cycle.id, org.id, "draft", revision, when, user if revision else None)
        attestation = ATTESTATION if ready else ("", "", "")
        reports.append((*draft, *attestation, None, None, None, False, None, when))
        filled = sections if ready else (rng.randrange(0, 5) if revision else 0)
        with_files: list | None = [] if ready else None
        for qid, value in _answers(g, org, cycle, filled, with_files):
            rows.append((len(rows) + 1, rid, qid, value, when))
        for qid in with_files or ():
            digest, name, ctype, size = g.file_pool[rng.randrange(len(g.file_pool))]
            evidence_id += 1
            files.append((evidence_id, rid, qid, digest, name, ctype, size, when, user, False))
        for r in range(1, revision + 1):
            edits.append(
                (len(edits) + 1, rid, r, when - dt.timedelta(hours=revision - r), user, "{}", "[]")
            )
        rid += 1
    loader.load("reports", REPORT_COLUMNS, reports)
    loader.load("answers", ["id", "report_id", "question_id", "value", "updated_at"], rows)
    if files:
        loader.load("evidence", EVIDENCE_COLUMNS, files)
    loader.load(
        "report_edits",
        ["id", "report_id", "revision", "at", "by_user_id", "changes", "parts"],
        edits,
    )
