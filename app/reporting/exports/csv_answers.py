"""CSV export of every answer of a cycle, for analysis (issue 5, part B).

One row per organisation that has submitted a report (its latest version), one column per
question. The header names each question by its number and text ("3.2 Do you …"), after a few
columns about the organisation and the report. Values come from the frozen snapshots, so the
export shows exactly what was submitted: yes/no as "yes"/"no", multiple choices joined with
"; ", evidence as file names, questions hidden by their condition and unanswered ones empty.

Cells are neutralised against formula injection (a text starting with =, +, -, @, a tab or a
carriage return gets a leading apostrophe); numbers are written as numbers. Rows are streamed
in batches, so memory stays flat whatever the size of the alliance.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select

from app.db import db
from app.members.models import Organisation
from app.reporting.models import Question, Report, ReportingCycle, ReportVersion, Section
from app.reporting.versions import numbered_questions
from app.security import ensure_secretariat

BATCH = 200
FIXED_COLUMNS = [
    "organisation",
    "slug",
    "country",
    "category",
    "report_state",
    "version",
    "submitted_at",
    "late",
]
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Make a cell safe to open in a spreadsheet (text only; numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def cell(question: dict) -> object:
    if not question.get("shown", True):
        return ""
    value = question.get("value")
    kind = question.get("type")
    if kind == "evidence":
        return "; ".join(e.get("filename", "") for e in question.get("evidence") or [])
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, int | float):
        return value
    return str(value)


def questionnaire(cycle: ReportingCycle) -> list[tuple[str, Question]]:
    """The cycle's questions in order, with their human numbers ("3.2")."""
    rows = db.session.execute(
        select(Section.position, Section.id, Question)
        .join(Question, Question.section_id == Section.id)
        .where(Section.cycle_id == cycle.id)
        .order_by(Section.position, Section.id, Question.position, Question.id)
    ).all()
    out, section_numbers, counters = [], {}, {}
    for _position, section_id, question in rows:
        section_numbers.setdefault(section_id, len(section_numbers) + 1)
        counters[section_id] = counters.get(section_id, 0) + 1
        out.append((f"{section_numbers[section_id]}.{counters[section_id]}", question))
    return out


def header(cycle: ReportingCycle) -> tuple[list[str], list[int]]:
    questions = questionnaire(cycle)
    names = list(FIXED_COLUMNS)
    for number, question in questions:
        text = " ".join(question.text.split())
        unit = f" ({question.unit})" if question.unit else ""
        names.append(f"{number} {text}{unit}")
    return names, [q.id for _n, q in questions]


def export_answers(actor, cycle: ReportingCycle) -> Iterator[str]:
    """Check access, then return an iterator of CSV text chunks (a header, then batches)."""
    ensure_secretariat(actor)
    names, question_ids = header(cycle)
    return _generate(cycle.id, names, question_ids)


def _generate(cycle_id: int, names: list[str], question_ids: list[int]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(n) for n in names])
    query = (
        select(
            Organisation.name,
            Organisation.slug,
            Organisation.country,
            Organisation.category,
            Report.state,
            ReportVersion.number,
            ReportVersion.submitted_at,
            ReportVersion.is_late,
            ReportVersion.snapshot,
        )
        .join(Report, Report.organisation_id == Organisation.id)
        .join(ReportVersion, ReportVersion.id == Report.current_version_id)
        .where(Report.cycle_id == cycle_id)
        .order_by(Organisation.name_key)
        .execution_options(yield_per=BATCH)
    )
    rows_in_buffer = 0
    for row in db.session.execute(query):
        answers = {
            nq.question.get("id"): cell(nq.question)
            for nq in numbered_questions(row.snapshot or {})
        }
        writer.writerow(
            [
                neutralise(row.name),
                row.slug,
                row.country,
                row.category,
                row.state,
                row.number,
                row.submitted_at.isoformat(timespec="seconds"),
                "yes" if row.is_late else "no",
                *(neutralise(answers.get(qid, "")) for qid in question_ids),
            ]
        )
        rows_in_buffer += 1
        if rows_in_buffer >= BATCH:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            rows_in_buffer = 0
    yield buffer.getvalue()


def filename(cycle: ReportingCycle) -> str:
    return f"pactum-answers-{cycle.year}.csv"
