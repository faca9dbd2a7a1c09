"""Submitted reports of the closed cycles: one report with one submitted version each (its
snapshot), a `submitted_answers` row per question, and the evidence attached."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bench.generate import answers
from bench.generate.common import dumps, timestamp
from bench.generate.loader import Loader
from bench.generate.state import Alliance, Cycle, Org
from bench.generate.words import FIRST, LAST, TITLES

REPORT_COLUMNS = [
    "id",
    "cycle_id",
    "organisation_id",
    "state",
    "revision",
    "updated_at",
    "updated_by_id",
    "officer_name",
    "officer_title",
    "support_statement",
    "first_submitted_at",
    "last_submitted_at",
    "accepted_at",
    "is_late",
    "current_version_id",
    "created_at",
]
VERSION_COLUMNS = [
    "id",
    "report_id",
    "number",
    "submitted_at",
    "submitted_by_id",
    "is_late",
    "officer_name",
    "officer_title",
    "support_statement",
    "snapshot",
    "questionnaire_hash",
    "review_state",
    "reviewed_at",
    "reviewed_by_id",
    "review_note",
]
EVIDENCE_COLUMNS = [
    "id",
    "report_id",
    "question_id",
    "sha256",
    "filename",
    "content_type",
    "size",
    "uploaded_at",
    "uploaded_by_id",
    "removed",
]
STATEMENT = "We confirm our continued support for the charter."


class _Reports:
    """The rows of every submitted report, drawn report by report in (year, organisation)
    order."""

    def __init__(self, g: Alliance):
        self.g = g
        self.rng = g.rng
        self.reps = {o.id: o.rep_ids[0] for o in g.orgs if o.rep_ids}
        self.meta = {c.id: answers.question_meta(c) for c in g.cycles}
        self.by_section = {
            c.id: [[q for q in c.questions if q["section"] == s["position"]] for s in c.sections]
            for c in g.cycles
        }
        self.reports: list[tuple] = []
        self.versions: list[tuple] = []
        self.answers: list[tuple[int, list, list]] = []  # (version id, values, question ids)
        self.evidence: list[tuple] = []

    def add(self, rid: int, org: Org, cycle: Cycle, late: bool) -> None:
        rng = self.rng
        vid = rid  # one submitted version per report
        final_due = cycle.due_on + (
            dt.timedelta(days=rng.randrange(1, 14))
            if late
            else -dt.timedelta(days=rng.randrange(0, 100))
        )
        submitted = timestamp(final_due, rng)
        accepted = rng.random() < 0.96
        reviewed = submitted + dt.timedelta(days=rng.randrange(2, 60)) if accepted else None
        submitter = self.reps.get(org.id)
        officer = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        officer_title = rng.choice(TITLES)
        values, parts = self._sections(rid, org, cycle, submitted, submitter)
        attestation = {
            "officer_name": officer,
            "officer_title": officer_title,
            "support_statement": STATEMENT,
            "submitted_by": self.g.user_info.get(submitter),
            "submitted_at": submitted.isoformat(),
        }
        snapshot = answers.snapshot(cycle, org, parts, attestation)
        state = "accepted" if accepted else "submitted"
        self.reports.append(
            (
                rid,
                cycle.id,
                org.id,
                state,
                1,
                submitted,
                submitter,
                officer,
                officer_title,
                STATEMENT,
                submitted,
                submitted,
                reviewed,
                late,
                vid,
                submitted - dt.timedelta(days=20),
            )
        )
        self.versions.append(
            (
                vid,
                rid,
                1,
                submitted,
                submitter,
                late,
                officer,
                officer_title,
                STATEMENT,
                snapshot,
                cycle.q_hash,
                state,
                reviewed,
                1 if reviewed else None,
                "",
            )
        )
        self.answers.append(
            (vid, [values[q["id"]] for q in cycle.questions], [q["id"] for q in cycle.questions])
        )

    def _sections(
        self, rid: int, org: Org, cycle: Cycle, submitted: dt.datetime, submitter: int | None
    ) -> tuple[dict[int, str], list[str]]:
        """Draw the answers section by section: (value JSON per question id, section parts)."""
        values: dict[int, str] = {}
        yes: set[int] = set()
        parts = []
        meta = self.meta[cycle.id]
        for section, questions in zip(cycle.sections, self.by_section[cycle.id], strict=True):
            qparts = []
            for q in questions:
                shown = q["condition"] is None or q["condition"] in yes
                is_yes, value, display = answers.draw(self.rng, q, org.slug, cycle.year, shown)
                if is_yes:
                    yes.add(q["id"])
                values[q["id"]] = value
                evidence = "[]"
                if (
                    q["type"] == "evidence"
                    and shown
                    and self.g.file_pool
                    and self.rng.random() < 0.12
                ):
                    evidence, display = self._evidence(rid, q, submitted, submitter)
                qparts.append(answers.question_part(meta[q["id"]], shown, value, display, evidence))
            parts.append(answers.section_part(section, qparts))
        return values, parts

    def _evidence(
        self, rid: int, q: dict, submitted: dt.datetime, submitter: int | None
    ) -> tuple[str, str]:
        """Attach one or two files of the pool: (evidence JSON, display JSON)."""
        rng, pool = self.rng, self.g.file_pool
        files = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2))))
        items = []
        for digest, name, ctype, size in files:
            self.evidence.append(
                (
                    len(self.evidence) + 1,
                    rid,
                    q["id"],
                    digest,
                    name,
                    ctype,
                    size,
                    submitted - dt.timedelta(days=3),
                    submitter,
                    False,
                )
            )
            items.append({"sha256": digest, "filename": name, "content_type": ctype, "size": size})
        return dumps(items), dumps(", ".join(i["filename"] for i in items))

    def answer_rows(self) -> Iterator[tuple]:
        aid = 0
        for version_id, values, qids in self.answers:
            for qid, value in zip(qids, values, strict=True):
                aid += 1
                yield (aid, version_id, qid, value)


def load(g: Alliance, loader: Loader) -> int:
    """Load the submitted reports; returns how many. Sets `g.next_report_id`."""
    reports = _Reports(g)
    rid = 0
    for rid, (org, cycle, late) in enumerate(
        sorted(g.report_plan, key=lambda p: (p[1].year, p[0].id)), 1
    ):
        reports.add(rid, org, cycle, late)
    g.next_report_id = rid + 1
    loader.load("reports", REPORT_COLUMNS, reports.reports)
    loader.load("report_versions", VERSION_COLUMNS, reports.versions)
    reports.versions = []
    loader.load(
        "submitted_answers", ["id", "version_id", "question_id", "value"], reports.answer_rows()
    )
    loader.load("evidence", EVIDENCE_COLUMNS, reports.evidence)
    return len(reports.reports)
