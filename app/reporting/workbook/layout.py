"""What the workbook looks like, shared by the writer and the reader: sheet names, columns,
the signed identifiers, and how a stored answer becomes a cell value and back.

A representative's workbook has an instructions sheet, one sheet per section ("Section 1",
…), a hidden "Lists" sheet (the choices the answer cells' validation offers) and a very
hidden "_pactum" sheet whose cell A1 holds the signed identifiers: the cycle, the
organisation, the report and its revision at download, and each section sheet's question
ids in row order. Each section sheet also names the question id of every row in its hidden,
locked column A, so a deleted, moved or edited row is recognised where it happened.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from app.reporting import answers
from app.reporting.models import QuestionType

INSTRUCTIONS = "Instructions"
LISTS = "Lists"
META = "_pactum"
SALT = "pactum.workbook.v1"

FIRST_ROW = 3  # rows 1-2: the section's title and the column headings (1-based, as Excel)
COLUMNS = (
    "id",  # A, hidden
    "number",  # B
    "question",  # C
    "answer",  # D
    "kind",  # E
    "required",  # F
    "shown_when",  # G
    "help",  # H
    "principle",  # I
    "saved_by",  # J
    "saved_at",  # K
)
ID_COL = 0
ANSWER_COL = COLUMNS.index("answer")
MULTIPLE_SEPARATOR = "; "
_SPLIT_RE = re.compile(r"\s*[;\n]\s*")


def sheet_name(index: int) -> str:
    """The sheet of section `index` (1-based): fixed names, so messages can name them."""
    return f"Section {index}"


def cell_name(row: int, col: int) -> str:
    """ "D7" for row 7 (1-based), column 3 (0-based)."""
    return f"{chr(ord('A') + col)}{row}"


def where(sheet: str, row: int, col: int) -> str:
    return f"{sheet}!{cell_name(row, col)}"


def column_headings() -> list[str]:
    return [
        _("Id"),
        _("No."),
        _("Question"),
        _("Your answer"),
        _("What to enter"),
        _("Required"),
        _("Shown when"),
        _("Help"),
        _("Principle"),
        _("Last saved by"),
        _("Saved at (UTC)"),
    ]


# Signed identifiers --------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(payload: dict) -> str:
    return _serializer().dumps(payload)


def unsign(token) -> dict | None:
    """The identifiers, or None when the token is missing or was changed."""
    if not isinstance(token, str) or not token:
        return None
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    return payload if isinstance(payload, dict) else None


# Values ------------------------------------------------------------------------------------


def yes_no_labels() -> tuple[str, str]:
    return _("Yes"), _("No")


def to_cell(question, value):
    """A stored answer as the answer cell shows it (numbers stay numbers, dates dates)."""
    if value is None:
        return None
    kind = question.type
    if kind == QuestionType.YES_NO:
        yes, no = yes_no_labels()
        return yes if value else no
    if kind == QuestionType.MULTIPLE_CHOICE:
        return MULTIPLE_SEPARATOR.join(value) if isinstance(value, list) else str(value)
    if kind == QuestionType.NUMBER:
        return value if isinstance(value, int | float) else None
    if kind == QuestionType.DATE:
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _plain_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def from_cell(question, value):
    """A cell's value as the web form would post it, for `answers.parse`."""
    if value is None:
        return ""
    kind = question.type
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if kind == QuestionType.YES_NO:
        if isinstance(value, bool):
            return value
        text = str(value).strip()
        yes, no = yes_no_labels()
        lowered = text.lower()
        if lowered == yes.lower():
            return "yes"
        if lowered == no.lower():
            return "no"
        return text
    if kind == QuestionType.MULTIPLE_CHOICE:
        text = value if isinstance(value, str) else _plain_number(value)
        return [part for part in _SPLIT_RE.split(text.strip()) if part]
    if kind == QuestionType.NUMBER:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        return value if isinstance(value, str) else str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return _plain_number(value)
    return str(value)


def shown(value) -> str:
    """A cell value as quoted in a message."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return MULTIPLE_SEPARATOR.join(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return answers.format_number(value) if isinstance(value, int | float) else str(value)
