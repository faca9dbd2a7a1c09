"""This year's open cycle: a draft report for every organisation with representatives, some
sections filled in, with the edit history of its revisions (the draft-save scenario's data)."""

from __future__ import annotations

import datetime as dt

from bench.generate import answers
from bench.generate.common import timestamp
from bench.generate.loader import Loader
from bench.generate.reports import REPORT_COLUMNS
from bench.generate.state import Alliance, Cycle, Org


def _answers(g: Alliance, org: Org, cycle: Cycle, filled: int) -> list[tuple[int, str]]:
    """The answers of the first `filled` sections (evidence aside): (question id, value JSON)."""
    values = []
    yes = set()
    for q in cycle.questions:
        if q["section"] >= filled or q["type"] == "evidence":
            continue
        shown = q["condition"] is None or q["condition"] in yes
        is_yes, value, _display = answers.draw(g.rng, q, org.slug, cycle.year, shown)
        if is_yes:
            yes.add(q["id"])
        if value != "null":
            values.append((q["id"], value))
    return values


def load(g: Alliance, loader: Loader) -> None:
    rng = g.rng
    cycle = g.cycles[-1]
    reports, rows, edits = [], [], []
    rid = g.next_report_id
    started = cycle.opens_on + dt.timedelta(days=10)
    for org in g.rep_orgs:
        revision = rng.randrange(0, 4)
        user = org.rep_ids[0]
        when = timestamp(started + dt.timedelta(days=rng.randrange(0, 200)), rng)
        draft = (rid, cycle.id, org.id, "draft", revision, when, user if revision else None)
        reports.append((*draft, "", "", "", None, None, None, False, None, when))
        filled = rng.randrange(0, 5) if revision else 0
        for qid, value in _answers(g, org, cycle, filled):
            rows.append((len(rows) + 1, rid, qid, value, when))
        for r in range(1, revision + 1):
            edits.append(
                (len(edits) + 1, rid, r, when - dt.timedelta(hours=revision - r), user, "{}", "[]")
            )
        rid += 1
    loader.load("reports", REPORT_COLUMNS, reports)
    loader.load("answers", ["id", "report_id", "question_id", "value", "updated_at"], rows)
    loader.load(
        "report_edits",
        ["id", "report_id", "revision", "at", "by_user_id", "changes", "parts"],
        edits,
    )
