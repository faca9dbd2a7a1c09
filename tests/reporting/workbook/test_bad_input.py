"""Every bad file or workbook of the issue's list: a clear message naming what and where, a
4xx status, and nothing saved."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from app.reporting import filling
from app.reporting.workbook import layout
from tests.conftest import csrf_token
from tests.reporting.builders_filling import CSV, cycle, raw  # noqa: F401  (fixtures)
from tests.reporting.workbook.helpers import download, fill, row_of, save, upload


@pytest.fixture
def started(db, client, login, rep_a, cycle):
    report = filling.get_or_start_report(rep_a, cycle, rep_a.organisation)
    filling.save_answers(rep_a, report, raw(cycle), report.revision)
    db.session.commit()
    login(client, rep_a)
    return report


def _refused(db, client, report, data, status=422, filename="report.xlsx"):
    revision = report.revision
    response = upload(client, data, filename=filename)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert report.revision == revision  # nothing saved
    html = response.get_data(as_text=True)
    assert 'name="token"' not in html  # nothing to confirm
    return html


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_a_renamed_csv(db, client, started):
    html = _refused(db, client, started, CSV)
    assert "is not an Excel workbook (.xlsx)" in html


def test_a_macro_enabled_workbook(db, client, started):
    data = download(client)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    html = _refused(db, client, started, out.getvalue())
    assert "contains macros (.xlsm)" in html
    html = _refused(db, client, started, data, filename="report.xlsm")
    assert "contains macros (.xlsm)" in html


def test_a_zip_bomb(db, client, started):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    html = _refused(db, client, started, out.getvalue())
    assert "zip bomb" in html


def test_a_file_above_the_limit(app, db, client, started):
    data = download(client) + b"\x00" * app.config["WORKBOOK_MAX_BYTES"]
    html = _refused(db, client, started, data, status=413)
    assert "larger than 5 MB" in html


def test_a_50_mb_file(db, client, started):
    # Sent as raw bytes: the test client's own temporary file would outlive the request.
    revision = started.revision
    too_big = b"--x\r\n" + b"0" * (50 * 1024 * 1024)
    response = client.post(
        "/my/reports/2026/workbook", data=too_big, content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 413
    assert "larger than we accept" in response.get_data(as_text=True)
    db.session.expire_all()
    assert started.revision == revision


def test_an_encrypted_workbook(db, client, started):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    data += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512
    html = _refused(db, client, started, data)
    assert "protected with a password (encrypted)" in html


def test_a_workbook_of_another_year(app, db, client, started, cycle):
    book = _book(download(client))
    with app.test_request_context():
        ids = layout.unsign(book[layout.META]["A1"].value)
        book[layout.META]["A1"].value = layout.sign({**ids, "y": 2025})
    html = _refused(db, client, started, save(book))
    assert "is for the 2025 reporting cycle, not 2026" in html


def test_a_workbook_of_another_organisation(db, client, login, started, rep_a, rep_b, cycle):
    login(client, rep_b)
    data = download(client)
    login(client, rep_a)
    html = _refused(db, client, started, data)
    assert "belongs to another organisation" in html


def test_edited_identifiers(db, client, started, cycle):
    data = download(client)
    book = _book(data)
    name, row = row_of(book, cycle.q["mfa_share"].id)
    book[name].cell(row, 1).value = 999999
    html = _refused(db, client, started, save(book))
    assert f"{name}!A{row}: the question&#39;s identifier was edited" in html
    book = _book(data)
    book[layout.META]["A1"].value = book[layout.META]["A1"].value[:-3] + "xyz"
    html = _refused(db, client, started, save(book))
    assert "signature does not match" in html


def test_deleted_rows(db, client, started, cycle):
    book = _book(download(client))
    name, row = row_of(book, cycle.q["mfa_share"].id)
    book[name].delete_rows(row)
    html = _refused(db, client, started, save(book))
    assert f"{name}!A{row}: this row holds another question" in html


def test_reordered_rows(db, client, started, cycle):
    book = _book(download(client))
    sheet = book["Section 2"]
    first, second = layout.FIRST_ROW, layout.FIRST_ROW + 1
    for col in range(1, len(layout.COLUMNS) + 1):
        a, b = sheet.cell(first, col), sheet.cell(second, col)
        a.value, b.value = b.value, a.value
    html = _refused(db, client, started, save(book))
    assert f"Section 2!A{first}: this row holds another question" in html


def test_merged_cells(db, client, started):
    book = _book(download(client))
    book["Section 1"].merge_cells("D3:E3")
    html = _refused(db, client, started, save(book))
    assert "Section 1: some cells were merged" in html


def test_extra_sheets(db, client, started):
    book = _book(download(client))
    book.create_sheet("My notes")
    html = _refused(db, client, started, save(book))
    assert "The sheet “My notes” is not part of the questionnaire" in html


def test_text_in_a_number_cell_and_a_date_out_of_range(db, client, started, cycle):
    data = fill(
        download(client),
        {cycle.q["mfa_share"].id: "lots", cycle.q["audit"].id: "1850-01-01"},
    )
    html = _refused(db, client, started, data)
    assert "Section 1!D4: “lots”: Enter a number, for example 42 or 3.5." in html
    assert "Section 3!D4: “1850-01-01”: Enter a date between 1900 and 2100." in html


def test_a_choice_not_offered(db, client, started, cycle):
    data = fill(download(client), {cycle.q["programme"].id: "Mostly"})
    html = _refused(db, client, started, data)
    assert "Section 2!D3: “Mostly” is not one of “Bug bounty”, “Email address”, “None”." in html


def test_a_formula_without_a_saved_result(db, client, started, cycle):
    data = fill(download(client), {cycle.q["mfa_share"].id: "=40+2"})
    html = _refused(db, client, started, data)
    assert "Section 1!D4: this cell holds a formula with no saved result" in html


def test_no_file_chosen(db, client, started):
    token = csrf_token(client, "/my/reports/2026/workbook")
    response = client.post("/my/reports/2026/workbook", data={"csrf_token": token})
    assert response.status_code == 422
    assert "Choose the workbook to upload." in response.get_data(as_text=True)


def test_no_csrf_token(db, client, started):
    response = client.post(
        "/my/reports/2026/workbook",
        data={"workbook": (io.BytesIO(b"x"), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_entity_declarations_and_broken_parts(db, client, started):
    data = download(client)

    def replaced(part: str, text: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                target.writestr(item, text if item.filename == part else source.read(item))
        return out.getvalue()

    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><worksheet>&b;</worksheet>'
    )
    html = _refused(db, client, started, replaced("xl/worksheets/sheet3.xml", bomb))
    assert "This workbook is damaged and cannot be read." in html
    html = _refused(db, client, started, replaced("xl/worksheets/sheet3.xml", b"<worksheet"))
    assert "This workbook is damaged and cannot be read." in html
