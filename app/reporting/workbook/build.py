"""Writing the questionnaire as a workbook (XlsxWriter): the representative's, prefilled with
the draft, and the secretariat's blank one. See `layout` for what goes where.

Every cell is written with its explicit type (`write_string`, `write_number`, …) and the
workbook never turns strings into formulas or links, so an answer that starts with "=" stays
text. Answer cells are the only unlocked cells of a protected sheet, each with the
validation Excel itself enforces (lists for choices, number ranges, dates, lengths).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import xlsxwriter
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.db import db
from app.reporting import answers, cycles
from app.reporting.filling.access import ensure_cycle_accepts_reports, my_report
from app.reporting.models import Evidence, QuestionType, Report, ReportEdit, ReportingCycle
from app.reporting.workbook import layout
from app.security import ensure_secretariat

WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}
# Excel counts 1900 as a leap year: serial dates before March 1900 do not read back as
# written, so those few are written as text (the reader parses both).
EXCEL_SAFE_DATES = dt.date(1900, 3, 1)
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Draft:
    """What the workbook shows of a report: answers, who saved each and when, files."""

    organisation: str = ""
    organisation_id: int | None = None
    report_id: int | None = None
    revision: int | None = None
    values: dict[int, object] = field(default_factory=dict)
    saved: dict[int, tuple[str, dt.datetime]] = field(default_factory=dict)
    files: dict[int, list[str]] = field(default_factory=dict)


def representative_workbook(actor, year: int) -> tuple[bytes, str]:
    """The actor's report of `year` as a workbook, and its file name. The cycle must be open."""
    cycle, report, exists = my_report(actor, year)
    ensure_cycle_accepts_reports(cycle)
    draft = Draft(
        organisation=report.organisation.name,
        organisation_id=report.organisation_id,
        report_id=report.id,
        revision=report.revision,
    )
    if exists:
        _read_draft(report, draft)
    slug = report.organisation.slug
    return write(cycle, draft), f"pactum-report-{year}-{slug}.xlsx"


def blank_workbook(actor, cycle: ReportingCycle) -> tuple[bytes, str]:
    """The cycle's questionnaire with no answers, to circulate before it opens."""
    ensure_secretariat(actor)
    return write(cycle, Draft()), f"pactum-questionnaire-{cycle.year}.xlsx"


def _read_draft(report: Report, draft: Draft) -> None:
    draft.values = {a.question_id: a.value for a in report.answers}
    for edit in db.session.scalars(
        select(ReportEdit)
        .where(ReportEdit.report_id == report.id)
        .options(selectinload(ReportEdit.by_user))
        .order_by(ReportEdit.revision.desc())
    ):
        who = edit.by_user.display_name if edit.by_user is not None else ""
        for key in edit.changes or {}:
            draft.saved.setdefault(int(key), (who, edit.at))
    for item in db.session.scalars(
        select(Evidence)
        .where(Evidence.report_id == report.id, Evidence.removed.is_(False))
        .order_by(Evidence.uploaded_at, Evidence.id)
    ):
        draft.files.setdefault(item.question_id, []).append(item.filename)


# What each question asks for ------------------------------------------------------------


def _number_range(question) -> str:
    low, high = question.min_value, question.max_value
    if low is not None and high is not None:
        text = _(
            "A number between %(low)s and %(high)s",
            low=answers.format_number(low),
            high=answers.format_number(high),
        )
    elif low is not None:
        text = _("A number of at least %(low)s", low=answers.format_number(low))
    elif high is not None:
        text = _("A number of at most %(high)s", high=answers.format_number(high))
    else:
        text = _("A number")
    return f"{text} ({question.unit})" if question.unit else text


def describe(question) -> str:
    """What to enter in the answer cell, for people."""
    kind = question.type
    choices = ", ".join(question.choices or [])
    texts = {
        QuestionType.YES_NO: lambda: _("Yes or No"),
        QuestionType.SINGLE_CHOICE: lambda: _("One of: %(choices)s", choices=choices),
        QuestionType.MULTIPLE_CHOICE: lambda: _(
            "One or more of: %(choices)s (separate them with semicolons)", choices=choices
        ),
        QuestionType.NUMBER: lambda: _number_range(question),
        QuestionType.SHORT_TEXT: lambda: _(
            "Text on one line, at most %(n)s characters", n=format_decimal(answers.SHORT_TEXT_MAX)
        ),
        QuestionType.LONG_TEXT: lambda: _(
            "Text, at most %(n)s characters", n=format_decimal(answers.LONG_TEXT_MAX)
        ),
        QuestionType.URL: lambda: _("A web address, such as https://example.org/policy"),
        QuestionType.DATE: lambda: _("A date between 1900-01-01 and 2100-12-31"),
        QuestionType.EVIDENCE: lambda: _(
            "Files: attach them on the section's page on the web (the workbook lists them)"
        ),
    }
    return texts[kind]() if kind in texts else ""


def shown_when(question, numbers: dict[int, str]) -> str:
    controller = question.condition_question
    if controller is None:
        return ""
    return _(
        "When %(n)s is “%(v)s”",
        n=numbers.get(controller.id, "?"),
        v=answers.condition_label(question),
    )


# Writing ----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, cycle: ReportingCycle, draft: Draft):
        self.cycle = cycle
        self.draft = draft
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, WORKBOOK_OPTIONS)
        book = self.book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.heading = book.add_format({"bold": True, "bg_color": "#E8EEF4", "text_wrap": True})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.when = book.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"})
        self.answer_text = book.add_format(
            {"locked": False, "text_wrap": True, "valign": "top", "num_format": "@"}
        )
        self.answer_number = book.add_format({"locked": False, "valign": "top"})
        self.answer_date = book.add_format(
            {"locked": False, "valign": "top", "num_format": "yyyy-mm-dd"}
        )
        self.files = book.add_format({"italic": True, "text_wrap": True, "valign": "top"})
        self.list_rows = 0

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def write(cycle: ReportingCycle, draft: Draft) -> bytes:
    sections = cycles.load_questionnaire(cycle)
    numbers = cycles.numbering(sections)
    writer = _Writer(cycle, draft)
    _instructions(writer, sections)
    lists = writer.book.add_worksheet(layout.LISTS)
    for index, section in enumerate(sections, start=1):
        _section_sheet(writer, lists, index, section, numbers)
    lists.hide()
    meta = writer.book.add_worksheet(layout.META)
    meta.write_string(0, 0, layout.sign(_identifiers(cycle, draft, sections)))
    meta.very_hidden()
    meta.protect()
    return writer.close()


def _identifiers(cycle: ReportingCycle, draft: Draft, sections) -> dict:
    return {
        "c": cycle.id,
        "y": cycle.year,
        "o": draft.organisation_id,
        "r": draft.report_id,
        "rev": draft.revision,
        "s": [[q.id for q in s.questions] for s in sections],
    }


def _instructions(writer: _Writer, sections) -> None:
    sheet = writer.book.add_worksheet(layout.INSTRUCTIONS)
    sheet.set_column(0, 0, 100, writer.wrap)
    cycle, draft = writer.cycle, writer.draft
    lines = [
        (writer.title, cycle.shown_title),
        (None, draft.organisation or _("Blank questionnaire (no organisation)")),
        (None, _("Made on %(when)s UTC.", when=clock.now().strftime("%Y-%m-%d %H:%M"))),
        (None, ""),
        (
            None,
            _(
                "Each section of the questionnaire has its sheet. Write your answers in the column “Your answer”; the other cells are locked."
            ),
        ),
        (None, _("For several choices, separate them with semicolons. Dates are year-month-day.")),
        (
            None,
            _("Files (evidence) are listed but cannot be attached here: attach them on the web."),
        ),
        (
            None,
            _(
                "Do not add, delete, move or merge rows or sheets: Pactum recognises each question by its row."
            ),
        ),
        (
            None,
            _(
                "Upload the workbook on your report's page. You will see every change, and every error with its cell, before anything is saved."
            ),
        ),
        (
            None,
            _(
                "If someone changed an answer on the web since this workbook was made, you choose which answer to keep."
            ),
        ),
    ]
    for row, (style, text) in enumerate(lines):
        sheet.write_string(row, 0, text, style)
    row = len(lines) + 1
    for index, section in enumerate(sections, start=1):
        sheet.write_string(row, 0, f"{layout.sheet_name(index)}: {section.shown_title}")
        row += 1
    sheet.protect()
    sheet.activate()


def _section_sheet(writer: _Writer, lists, index: int, section, numbers) -> None:
    sheet = writer.book.add_worksheet(layout.sheet_name(index))
    sheet.write_string(0, 1, f"{index}. {section.title}", writer.title)
    for col, text in enumerate(layout.column_headings()):
        sheet.write_string(1, col, text, writer.heading)
    for col, width in enumerate((8, 6, 50, 40, 28, 9, 22, 30, 10, 18, 16)):
        sheet.set_column(col, col, width, None, {"hidden": col == layout.ID_COL})
    principle = section.principle.key if section.principle is not None else ""
    for offset, question in enumerate(section.questions):
        row = layout.FIRST_ROW - 1 + offset  # 0-based for XlsxWriter
        _question_row(writer, lists, sheet, row, question, numbers, principle)
    sheet.freeze_panes(layout.FIRST_ROW - 1, 3)
    sheet.protect("", {"format_columns": True, "format_rows": True})


def _question_row(writer: _Writer, lists, sheet, row, question, numbers, principle) -> None:
    draft = writer.draft
    sheet.write_number(row, layout.ID_COL, question.id)
    sheet.write_string(row, 1, numbers.get(question.id, ""), writer.wrap)
    sheet.write_string(row, 2, question.text, writer.wrap)
    sheet.write_string(row, 4, describe(question), writer.wrap)
    sheet.write_string(row, 5, _("Yes") if question.required else _("No"), writer.wrap)
    sheet.write_string(row, 6, shown_when(question, numbers), writer.wrap)
    sheet.write_string(row, 7, question.help_text or "", writer.wrap)
    sheet.write_string(row, 8, principle, writer.wrap)
    saved = draft.saved.get(question.id)
    if saved is not None:
        sheet.write_string(row, 9, saved[0], writer.wrap)
        sheet.write_datetime(row, 10, saved[1].replace(tzinfo=None), writer.when)
    if question.type == QuestionType.EVIDENCE:
        files = "\n".join(draft.files.get(question.id, [])) or _("(no file yet)")
        sheet.write_string(row, layout.ANSWER_COL, files, writer.files)
        return
    _answer_cell(writer, lists, sheet, row, question, draft.values.get(question.id))


def _answer_cell(writer: _Writer, lists, sheet, row: int, question, value) -> None:
    col = layout.ANSWER_COL
    cell = layout.to_cell(question, value)
    kind = question.type
    if kind == QuestionType.NUMBER:
        style = writer.answer_number
        if cell is None:
            sheet.write_blank(row, col, None, style)
        else:
            sheet.write_number(row, col, cell, style)
    elif kind == QuestionType.DATE and isinstance(cell, dt.date) and cell >= EXCEL_SAFE_DATES:
        style = writer.answer_date
        sheet.write_datetime(row, col, dt.datetime.combine(cell, dt.time()), style)
    else:
        style = writer.answer_date if kind == QuestionType.DATE else writer.answer_text
        if cell is None:
            sheet.write_blank(row, col, None, style)
        else:
            sheet.write_string(row, col, str(cell), style)
    rule = _validation(writer, lists, question)
    if rule:
        sheet.data_validation(row, col, row, col, rule)


def _choice_range(writer: _Writer, lists, choices) -> str:
    first = writer.list_rows
    for offset, choice in enumerate(choices):
        lists.write_string(first + offset, 0, choice)
    writer.list_rows += len(choices)
    return f"='{layout.LISTS}'!$A${first + 1}:$A${first + len(choices)}"


def _validation(writer: _Writer, lists, question) -> dict | None:
    kind = question.type
    message = {"error_title": _("Not a valid answer"), "error_message": describe(question)[:255]}
    if kind == QuestionType.YES_NO:
        return {"validate": "list", "source": list(layout.yes_no_labels()), **message}
    if kind == QuestionType.SINGLE_CHOICE and question.choices:
        return {
            "validate": "list",
            "source": _choice_range(writer, lists, question.choices),
            **message,
        }
    if kind == QuestionType.NUMBER:
        low = question.min_value if question.min_value is not None else -answers.NUMBER_ABS_MAX
        high = question.max_value if question.max_value is not None else answers.NUMBER_ABS_MAX
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": low,
            "maximum": high,
            **message,
        }
    if kind == QuestionType.DATE:
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.datetime.combine(answers.DATE_MIN, dt.time()),
            "maximum": dt.datetime.combine(answers.DATE_MAX, dt.time()),
            **message,
        }
    limits = {
        QuestionType.SHORT_TEXT: answers.SHORT_TEXT_MAX,
        QuestionType.LONG_TEXT: answers.LONG_TEXT_MAX,
        QuestionType.URL: answers.URL_MAX,
    }
    if kind in limits:
        return {"validate": "length", "criteria": "<=", "value": limits[kind], **message}
    return None
