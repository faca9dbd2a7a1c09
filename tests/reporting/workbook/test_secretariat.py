"""The secretariat's workbooks: the blank questionnaire (which a representative may also fill
in and upload), and every submitted report of a cycle in one workbook."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import io

import openpyxl

from app.reporting import filling
from app.reporting.workbook import layout
from tests.reporting.builders_filling import (  # noqa: F401  (fixtures)
    build_cycle,
    cycle,
    fill_and_submit,
    raw,
)
from tests.reporting.workbook.helpers import confirm, fill, upload


def test_the_blank_questionnaire(app, db, client, login, secretariat, cycle):
    build_cycle(secretariat, year=2027, open_it=False)
    db.session.commit()
    login(client, secretariat)
    response = client.get("/secretariat/cycles/2027/workbook.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="pactum-questionnaire-2027.xlsx"' in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    with app.test_request_context():
        ids = layout.unsign(book[layout.META]["A1"].value)
    assert ids["y"] == 2027 and ids["o"] is None and ids["rev"] is None
    answers = [
        row[layout.ANSWER_COL].value
        for row in book["Section 1"].iter_rows(min_row=layout.FIRST_ROW)
    ]
    assert answers == [None, None, None]
    assert "Blank questionnaire" in str(book["Instructions"]["A2"].value)


def test_a_blank_workbook_filled_in_by_a_representative(
    db, client, login, secretariat, rep_a, cycle
):
    report = filling.get_or_start_report(rep_a, cycle, rep_a.organisation)
    filling.save_answers(rep_a, report, raw(cycle), report.revision)
    db.session.commit()
    login(client, secretariat)
    blank = client.get("/secretariat/cycles/2026/workbook.xlsx").data
    login(client, rep_a)
    workbook = fill(blank, {cycle.q["contact"].id: "From the circulated workbook"})
    preview = upload(client, workbook)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Changed on both sides" in html  # the draft's answer was given online
    assert "Changed on the web, kept" in html  # the empty cells leave the draft's answers
    response = confirm(client, preview, **{str(cycle.q["contact"].id): "workbook"})
    assert response.status_code == 302
    db.session.refresh(report)
    values = {a.question_id: a.value for a in report.answers}
    assert values[cycle.q["contact"].id] == "From the circulated workbook"
    assert values[cycle.q["mfa_share"].id] == 87.5


def test_every_submitted_report_in_one_workbook(
    db, client, login, secretariat, rep_a, rep_b, cycle
):
    fill_and_submit(rep_a, cycle, contact='=HYPERLINK("http://evil")')
    fill_and_submit(rep_b, cycle, mfa="no", mfa_share=None)
    db.session.commit()
    login(client, secretariat)
    response = client.get("/secretariat/cycles/2026/answers.xlsx")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Reports", "Section 1", "Section 2", "Section 3"]
    assert [r[0] for r in book["Reports"].iter_rows(min_row=2, values_only=True)] == sorted(
        [rep_a.organisation.name, rep_b.organisation.name]
    )
    sheet = book["Section 1"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 2
    by_org = {row[0]: row for row in rows}
    assert by_org[rep_a.organisation.name][1:3] == ("yes", 87.5)
    assert by_org[rep_b.organisation.name][1] == "no"
    assert sheet.cell(2, 2).value.startswith("1.1 Do you offer")
    contact = [
        r for r in book["Section 3"].iter_rows(min_row=3) if r[0].value == rep_a.organisation.name
    ][0][1]
    assert contact.data_type == "s" and contact.value.startswith(
        "=HYPERLINK"
    )  # text, not a formula
