"""Every submitted report of a cycle as one workbook, for the secretariat (beside the CSV of
`app.reporting.exports`): a "Reports" sheet (a row per member: its latest submitted
version, its state, when and whether late), then a sheet per section (a row per member, a
column per question), with the same cells as the CSV.

Memory stays bounded whatever the size of the alliance: the versions are read in batches
(`yield_per`), XlsxWriter's constant-memory mode writes each row to a temporary file as soon
as the next one starts (inline strings, no shared-strings table), and the finished file is
streamed from disk in chunks, then deleted.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import xlsxwriter
from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db
from app.members.models import Organisation
from app.reporting import cycles
from app.reporting.exports import BATCH, cell
from app.reporting.models import Report, ReportingCycle, ReportVersion
from app.reporting.versions import numbered_questions
from app.reporting.workbook import layout
from app.reporting.workbook.build import WORKBOOK_OPTIONS
from app.security import ensure_secretariat

CHUNK = 64 * 1024
REPORTS = "Reports"


def filename(cycle: ReportingCycle) -> str:
    return f"pactum-answers-{cycle.year}.xlsx"


def export_workbook(actor, cycle: ReportingCycle) -> Iterator[bytes]:
    """Check access and read the questionnaire now; the iterator writes the workbook (the
    first chunk comes once it is complete) and yields its bytes."""
    ensure_secretariat(actor)
    sections = cycles.load_questionnaire(cycle)
    numbers = cycles.numbering(sections)
    columns = [
        [(q.id, f"{numbers[q.id]} {' '.join(q.text.split())}") for q in s.questions]
        for s in sections
    ]
    return _generate(cycle.id, [s.shown_title for s in sections], columns)


def _fixed_headings() -> list[str]:
    return [
        _("Organisation"),
        _("Country"),
        _("Category"),
        _("State"),
        _("Version"),
        _("Submitted at"),
        _("Late"),
    ]


def _generate(cycle_id: int, titles: list[str], columns: list[list[tuple]]) -> Iterator[bytes]:
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        _write(path, cycle_id, titles, columns)
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def _write(path: str, cycle_id: int, titles: list[str], columns: list[list[tuple]]) -> None:
    options = {**WORKBOOK_OPTIONS, "in_memory": False, "constant_memory": True}
    options["tmpdir"] = os.path.dirname(path)
    book = xlsxwriter.Workbook(path, options)
    bold = book.add_format({"bold": True})
    reports = book.add_worksheet(REPORTS)
    for col, text in enumerate(_fixed_headings()):
        reports.write_string(0, col, text, bold)
    reports.freeze_panes(1, 1)
    sheets = []
    for index, (title, questions) in enumerate(zip(titles, columns, strict=True), start=1):
        sheet = book.add_worksheet(layout.sheet_name(index))
        sheet.write_string(0, 0, f"{index}. {title}", bold)
        for col, text in enumerate([_("Organisation"), *(name for _qid, name in questions)]):
            sheet.write_string(1, col, text, bold)
        sheet.freeze_panes(2, 1)
        sheets.append(sheet)
    for row, version in enumerate(_versions(cycle_id), start=1):
        values = {
            nq.question.get("id"): cell(nq.question)
            for nq in numbered_questions(version.snapshot or {})
        }
        head = [
            version.name,
            version.country,
            version.category,
            version.state,
            version.number,
            version.submitted_at.isoformat(timespec="seconds"),
            _("Yes") if version.is_late else _("No"),
        ]
        for col, value in enumerate(head):
            _write_cell(reports, row, col, value)
        for sheet, questions in zip(sheets, columns, strict=True):
            sheet.write_string(row + 1, 0, version.name)
            for col, (qid, _name) in enumerate(questions, start=1):
                _write_cell(sheet, row + 1, col, values.get(qid, ""))
    book.close()


def _write_cell(sheet, row: int, col: int, value) -> None:
    if isinstance(value, bool) or value is None or value == "":
        if value not in (None, ""):
            sheet.write_string(row, col, str(value))
        return
    if isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


_COLUMNS = (
    Organisation.name,
    Organisation.country,
    Organisation.category,
    Report.state,
    ReportVersion.number,
    ReportVersion.submitted_at,
    ReportVersion.is_late,
    ReportVersion.snapshot,
)


def _versions(cycle_id: int):
    """The latest submitted version of every report of the cycle, by organisation name."""
    statement = select(*_COLUMNS).join(Report, Report.organisation_id == Organisation.id)
    statement = statement.join(ReportVersion, ReportVersion.id == Report.current_version_id)
    return db.session.execute(
        statement.where(Report.cycle_id == cycle_id)
        .order_by(Organisation.name_key)
        .execution_options(yield_per=BATCH)
    )
