"""What goes out in the workbook comes back equal, for every question type; the upload is
previewed, nothing is saved before the confirmation, and the confirmation is one save
logged with the workbook as its source."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from sqlalchemy import select

from app.db import db as database
from app.reporting import filling
from app.reporting.models import Answer, ReportEdit
from tests.reporting.builders_filling import PDF, cycle, raw  # noqa: F401  (fixtures)
from tests.reporting.workbook.helpers import confirm, download, fill, row_of, upload


def _draft(rep, cycle, **overrides):
    report = filling.get_or_start_report(rep, cycle, rep.organisation)
    filling.save_answers(rep, report, raw(cycle, **overrides), report.revision)
    return report


def _values(report_id) -> dict:
    return dict(
        database.session.execute(
            select(Answer.question_id, Answer.value).where(Answer.report_id == report_id)
        ).all()
    )


def test_every_type_goes_out_and_comes_back_equal(app, db, client, login, rep_a, cycle):
    report = _draft(rep_a, cycle)
    filling.attach_evidence(rep_a, report, cycle.q["policy"], "policy.pdf", PDF)
    db.session.commit()
    before = _values(report.id)
    login(client, rep_a)
    data = download(client)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["_pactum"].sheet_state == "veryHidden"
    name, row = row_of(book, cycle.q["mfa_share"].id)
    sheet = book[name]
    assert sheet.cell(row, 4).value == 87.5
    assert sheet.cell(row, 3).value == "What share of accounts use it?"
    assert sheet.cell(row, 7).value.startswith("When 1.1")
    assert sheet.column_dimensions["A"].hidden
    assert sheet.protection.sheet
    name, row = row_of(book, cycle.q["audit"].id)
    assert book[name].cell(row, 4).value == dt.datetime(2026, 2, 1)
    name, row = row_of(book, cycle.q["policy"].id)
    assert book[name].cell(row, 4).value == "policy.pdf"
    validations = [dv.type for dv in book["Section 1"].data_validations.dataValidation]
    assert {"list", "decimal", "textLength"} <= set(validations)

    response = upload(client, data)
    assert response.status_code == 200
    assert "No changes" in response.get_data(as_text=True)
    assert "policy.pdf" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _values(report.id) == before


def test_changed_answers_are_previewed_then_saved_once(app, db, client, login, rep_a, cycle):
    report = _draft(rep_a, cycle)
    db.session.commit()
    revision = report.revision
    login(client, rep_a)
    changed = fill(
        download(client),
        {
            cycle.q["mfa_share"].id: 42,
            cycle.q["contact"].id: "Grace Hopper",
            cycle.q["frameworks"].id: "ISO 27001; Other",
            cycle.q["mfa"].id: "Yes",
            cycle.q["audit"].id: dt.datetime(2025, 12, 24),
            cycle.q["policy_url"].id: None,
        },
    )
    preview = upload(client, changed)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Grace Hopper" in html and "Ada Lovelace" in html
    db.session.expire_all()
    assert _values(report.id)[cycle.q["contact"].id] == "Ada Lovelace"  # nothing saved yet

    response = confirm(client, preview)
    assert response.status_code == 302
    db.session.expire_all()
    values = _values(report.id)
    assert values[cycle.q["mfa_share"].id] == 42
    assert values[cycle.q["contact"].id] == "Grace Hopper"
    assert values[cycle.q["frameworks"].id] == ["ISO 27001", "Other"]
    assert values[cycle.q["audit"].id] == "2025-12-24"
    assert cycle.q["policy_url"].id not in values
    assert values[cycle.q["mfa"].id] is True
    edits = db.session.scalars(
        select(ReportEdit).where(ReportEdit.report_id == report.id, ReportEdit.revision > revision)
    ).all()
    assert len(edits) == 1 and edits[0].parts == ["workbook"]
