"""Reading an uploaded workbook: first the file itself (size, a real XLSX package with the
expected parts, no macros, not encrypted, no part that unpacks beyond the limits), then the
sheets and rows against the signed identifiers, then every answer with the web form's
parsers. openpyxl reads in read-only mode and never evaluates a formula: a formula cell's
saved result is taken, or the cell is refused.

The limits come from the configuration: `WORKBOOK_MAX_BYTES` (the file),
`WORKBOOK_MAX_UNPACKED_BYTES` (all its parts unpacked), `WORKBOOK_MAX_RATIO` (unpacked to
packed size of a part above 1 MB: beyond it, a zip bomb) and `WORKBOOK_MAX_PARTS`.

Refusals of the file or of its structure raise `WorkbookRefused` (422, all the problems at
once; `WorkbookTooLarge`, 413); answers that do not parse come back as `CellError`s with
their sheet and cell, for the preview.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field

import openpyxl
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _

from app.errors import DomainError, ValidationFailed
from app.reporting import answers
from app.reporting.models import QuestionType
from app.reporting.workbook import layout

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xlam")
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
EXTRA_ROWS_READ = 200  # rows read below the last question, to find rows added there
_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\b")
_QUOTE_MAX = 60


class WorkbookRefused(ValidationFailed):
    """The file is not a workbook Pactum can read back; `problems`: every reason, each
    naming what and where."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0] if len(problems) == 1 else _("This workbook cannot be read."))
        self.problems = problems


class WorkbookTooLarge(DomainError):
    status_code = 413


@dataclass
class CellError:
    where: str  # "Section 3!D7"
    question_id: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Upload:
    identifiers: dict
    values: dict[int, object] = field(default_factory=dict)  # question id -> parsed value
    errors: list[CellError] = field(default_factory=list)


# The file ---------------------------------------------------------------------------------


def check_file(data: bytes, filename: str) -> zipfile.ZipFile:
    """The package, once it is known to be a plain XLSX within the limits."""
    config = current_app.config
    limit = config["WORKBOOK_MAX_BYTES"]
    if len(data) > limit:
        raise WorkbookTooLarge(
            _(
                "This file is larger than %(mb)s MB: a questionnaire workbook is much smaller. "
                "Upload the workbook downloaded from Pactum.",
                mb=format_decimal(limit // (1024 * 1024)),
            )
        )
    name = (filename or "").lower()
    if name.endswith(MACRO_SUFFIXES):
        raise WorkbookRefused([_macros_refused()])
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise WorkbookRefused(
                [
                    _(
                        "This workbook is protected with a password (encrypted), so it cannot "
                        "be read. Save it without a password and upload it again."
                    )
                ]
            )
        raise WorkbookRefused(
            [_("This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx).")]
        )
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookRefused([_not_xlsx()])
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise WorkbookRefused([_not_xlsx()]) from exc
    _check_parts(package, infos)
    return package


def _not_xlsx() -> str:
    return _(
        "This file is not an Excel workbook (.xlsx). Upload the workbook downloaded from "
        "Pactum, saved as .xlsx (not CSV or another format)."
    )


def _macros_refused() -> str:
    return _(
        "This workbook contains macros (.xlsm). Pactum does not accept macros: save it as an "
        "Excel workbook (.xlsx) and upload it again."
    )


def _check_parts(package: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    config = current_app.config
    if len(infos) > config["WORKBOOK_MAX_PARTS"]:
        raise WorkbookRefused([_bomb()])
    unpacked = sum(info.file_size for info in infos)
    if unpacked > config["WORKBOOK_MAX_UNPACKED_BYTES"]:
        raise WorkbookRefused([_bomb()])
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > config["WORKBOOK_MAX_RATIO"] * max(
            info.compress_size, 1
        ):
            raise WorkbookRefused([_bomb()])
    names = {info.filename for info in infos}
    if not all(part in names for part in REQUIRED_PARTS):
        raise WorkbookRefused([_not_xlsx()])
    try:
        content_types = package.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookRefused([_not_xlsx()]) from exc
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in (
        content_types
    ):
        raise WorkbookRefused([_macros_refused()])


def _bomb() -> str:
    return _(
        "This file unpacks to far more data than a questionnaire workbook holds (it looks like "
        "a zip bomb), so it was not read."
    )


# The sheets -------------------------------------------------------------------------------


def read_workbook(data: bytes, filename: str, sections) -> Upload:
    """Every answer of the uploaded workbook, checked against `sections` (the questionnaire,
    as `cycles.load_questionnaire` gives it). The caller checks the identifiers' cycle and
    organisation."""
    package = check_file(data, filename)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on parts it skips
            return _read(package, data, sections)
    except WorkbookRefused:
        raise
    except Exception as exc:  # noqa: BLE001  (a broken part shows while the rows are read)
        raise WorkbookRefused([_damaged()]) from exc


def _damaged() -> str:
    return _(
        "This workbook is damaged and cannot be read. Open it in a spreadsheet, save it as "
        ".xlsx and upload it again."
    )


def _read(package: zipfile.ZipFile, data: bytes, sections) -> Upload:
    book = _open(data, data_only=False)
    try:
        identifiers = _identifiers(book, sections)
        problems: list[str] = []
        cells = {}
        for index, section in enumerate(sections, start=1):
            sheet = book[layout.sheet_name(index)]
            if _has_merged_cells(package, sheet):
                problems.append(
                    _(
                        "%(sheet)s: some cells were merged. Unmerge them (Pactum reads one "
                        "answer per cell).",
                        sheet=sheet.title,
                    )
                )
            cells.update(_answer_cells(sheet, section, identifiers, problems))
    finally:
        book.close()
    if problems:
        raise WorkbookRefused(problems)
    _saved_results(data, cells)
    upload = Upload(identifiers)
    for question, (where, value) in cells.items():
        _parse_cell(upload, question, where, value)
    return upload


def _open(data: bytes, data_only: bool):
    """openpyxl's read-only workbook (openpyxl parses with defusedxml, which is pinned:
    entity declarations are refused)."""
    return openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
    )


def _identifiers(book, sections) -> dict:
    names = list(book.sheetnames)
    if layout.META not in names:
        raise WorkbookRefused(
            [
                _(
                    "This workbook was not made by Pactum (its identifiers are missing). "
                    "Download the workbook of your report and fill that one in."
                )
            ]
        )
    identifiers = layout.unsign(book[layout.META]["A1"].value)
    if identifiers is None:
        raise WorkbookRefused(
            [
                _(
                    "The workbook's identifiers were changed (their signature does not match). "
                    "Download a new workbook."
                )
            ]
        )
    expected = {layout.INSTRUCTIONS, layout.LISTS, layout.META}
    expected.update(layout.sheet_name(i) for i in range(1, len(sections) + 1))
    problems = [
        _("The sheet “%(sheet)s” is not part of the questionnaire: remove it.", sheet=name)
        for name in names
        if name not in expected
    ]
    problems += [
        _("The sheet “%(sheet)s” is missing.", sheet=name) for name in sorted(expected - set(names))
    ]
    if identifiers.get("s") != [[q.id for q in s.questions] for s in sections]:
        problems.append(
            _(
                "This workbook was made for another version of the questionnaire. Download a "
                "new workbook."
            )
        )
    if problems:
        raise WorkbookRefused(problems)
    return identifiers


def _has_merged_cells(package: zipfile.ZipFile, sheet) -> bool:
    path = getattr(sheet, "_worksheet_path", None)  # openpyxl's read-only sheets keep it
    if not path:
        return False
    try:
        return _MERGE_RE.search(package.read(path.lstrip("/"))) is not None
    except KeyError:
        return False


def _row_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _answer_cells(sheet, section, identifiers: dict, problems: list[str]) -> dict:
    """{question: (where, cell)} for the sheet's questions; a problem per row out of place."""
    questions = list(section.questions)
    every_id = {qid for ids in identifiers.get("s", []) for qid in ids}
    rows = sheet.iter_rows(
        min_row=layout.FIRST_ROW,
        max_row=layout.FIRST_ROW + len(questions) + EXTRA_ROWS_READ,
        max_col=len(layout.COLUMNS),
    )
    found = {}
    for offset, row in enumerate(rows):
        number = layout.FIRST_ROW + offset
        cells = list(row) + [None] * (len(layout.COLUMNS) - len(row))
        id_cell = cells[layout.ID_COL]
        if offset >= len(questions):
            if any(c is not None and getattr(c, "value", None) not in (None, "") for c in cells):
                problems.append(
                    _(
                        "%(where)s: a row was added below the questions. Remove it: each "
                        "question has its row.",
                        where=layout.where(sheet.title, number, 0),
                    )
                )
                return found
            continue
        question = questions[offset]
        got = _row_id(getattr(id_cell, "value", None))
        if got != question.id:
            problems.append(_row_problem(sheet.title, number, got, every_id))
            continue
        found[question] = (layout.where(sheet.title, number, layout.ANSWER_COL), cells[3])
    if len(found) < len(questions) and not any(sheet.title in p for p in problems):
        problems.append(_("%(sheet)s: some questions' rows were deleted.", sheet=sheet.title))
    return found


def _row_problem(title: str, number: int, got: int | None, every_id: set[int]) -> str:
    where = layout.where(title, number, layout.ID_COL)
    if got is None:
        return _(
            "%(where)s: this row no longer holds its question (rows were deleted, moved or "
            "emptied). Download a new workbook, or undo the change.",
            where=where,
        )
    if got in every_id:
        return _(
            "%(where)s: this row holds another question: rows were deleted, moved or sorted. "
            "Undo the change, or download a new workbook.",
            where=where,
        )
    return _(
        "%(where)s: the question's identifier was edited. Download a new workbook.", where=where
    )


def _saved_results(data: bytes, cells: dict) -> None:
    """Formula cells: their saved results (read again, values only), never evaluated."""
    formulas = {
        q: where for q, (where, cell) in cells.items() if getattr(cell, "data_type", "") == "f"
    }
    if not formulas:
        for question, (where, cell) in cells.items():
            cells[question] = (where, getattr(cell, "value", None))
        return
    book = _open(data, data_only=True)
    try:
        for question, (where, cell) in cells.items():
            if question in formulas:
                sheet, ref = where.split("!")
                cells[question] = (where, _Formula(book[sheet][ref].value))
            else:
                cells[question] = (where, getattr(cell, "value", None))
    finally:
        book.close()


@dataclass
class _Formula:
    result: object


def _parse_cell(upload: Upload, question, where: str, value) -> None:
    if question.type == QuestionType.EVIDENCE:
        return
    if isinstance(value, _Formula):
        if value.result is None:
            upload.errors.append(
                CellError(
                    where,
                    question.id,
                    _(
                        "this cell holds a formula with no saved result. Type the answer "
                        "itself instead."
                    ),
                )
            )
            return
        value = value.result
    try:
        upload.values[question.id] = answers.parse(question, layout.from_cell(question, value))
    except answers.AnswerInvalid as error:
        upload.errors.append(CellError(where, question.id, _message(question, value, error)))


def _message(question, value, error: answers.AnswerInvalid) -> str:
    quoted = layout.shown(value)
    if len(quoted) > _QUOTE_MAX:
        quoted = quoted[: _QUOTE_MAX - 1] + "…"
    if question.type in answers.CHOICE_TYPES:
        return _(
            "“%(value)s” is not one of %(choices)s.",
            value=quoted,
            choices=", ".join(f"“{c}”" for c in question.choices or []),
        )
    return _("“%(value)s”: %(error)s", value=quoted, error=error.message)
