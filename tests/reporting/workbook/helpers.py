"""Helpers for the workbook tests: download a workbook, change cells with openpyxl, upload."""

from __future__ import annotations

import io
import re

import openpyxl

from app.reporting.workbook import layout
from tests.conftest import csrf_token

CELL_RE = re.compile(r"^([A-Z]+)([0-9]+)$")


def download(client, year: int = 2026) -> bytes:
    response = client.get(f"/my/reports/{year}/workbook.xlsx")
    assert response.status_code == 200, response.data[:500]
    return response.data


def row_of(book, qid: int) -> tuple[str, int]:
    """(sheet name, 1-based row) of question `qid` in a workbook opened by openpyxl."""
    for name in book.sheetnames:
        if not name.startswith("Section "):
            continue
        sheet = book[name]
        for row in range(layout.FIRST_ROW, sheet.max_row + 1):
            if sheet.cell(row, 1).value == qid:
                return name, row
    raise KeyError(qid)


def fill(data: bytes, answers: dict[int, object]) -> bytes:
    """The workbook with these answer cells changed (question id -> cell value)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for qid, value in answers.items():
        name, row = row_of(book, qid)
        book[name].cell(row, layout.ANSWER_COL + 1).value = value
    return save(book)


def save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, year: int = 2026, filename: str = "report.xlsx"):
    """POST the workbook as a browser does. The multipart body is built here, in memory: the
    test client would spool a large one to a temporary file that outlives the request."""
    token = csrf_token(client, f"/my/reports/{year}/workbook")
    boundary = "pactum-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n--{boundary}\r\n"
            f'Content-Disposition: form-data; name="workbook"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        f"/my/reports/{year}/workbook",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def preview_fields(html: str) -> dict:
    """The hidden fields of the preview's confirmation form."""
    return dict(re.findall(r'name="(token|revision|csrf_token)"[^>]*value="([^"]*)"', html))


def confirm(client, response, year: int = 2026, **choices):
    fields = preview_fields(response.get_data(as_text=True))
    data = {**fields, **{f"keep-{qid}": value for qid, value in choices.items()}}
    return client.post(f"/my/reports/{year}/workbook/confirm", data=data)
