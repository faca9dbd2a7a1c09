"""A representative takes the questionnaire out as a workbook and brings it back, in a real
browser, axe-checked on every page: downloads it, fills it in with a spreadsheet library,
uploads it, sees the preview with one error, fixes it; meanwhile a colleague changes an
answer on the web, so the second upload shows that answer as a conflict with both texts;
the representative keeps the workbook's, confirms, and finds the answers in the form (the
colleague's text stays in the edit log)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import clock
from app.reporting import filling
from app.reporting.models import ReportEdit
from tests.factories import PASSWORD
from tests.reporting.builders_filling import at, build_cycle, raw
from tests.reporting.workbook.helpers import row_of

pytestmark = pytest.mark.browser


@pytest.fixture
def journey(app, db, secretariat, org_a, rep_a, org_b, rep_b):
    clock.freeze(at(dt.date(2026, 3, 2), 9))
    cycle = build_cycle(secretariat)
    report = filling.get_or_start_report(rep_a, cycle, org_a)
    filling.save_answers(rep_a, report, raw(cycle), report.revision)
    db.session.commit()
    return cycle, report


def _fill(path, out, cycle, answers: dict) -> None:
    book = openpyxl.load_workbook(path)
    for key, value in answers.items():
        name, row = row_of(book, cycle.q[key].id)
        book[name].cell(row, 4).value = value
    book.save(out)


def test_workbook_out_and_back(page, journey, rep_a, db, a11y, login_browser, tmp_path):
    cycle, report = journey
    page.set_viewport_size({"width": 1280, "height": 900})
    login_browser(page, rep_a.email, PASSWORD)
    page.goto("/my/reports/2026")
    page.get_by_role("link", name="Work in a spreadsheet").click()
    page.wait_for_url("**/my/reports/2026/workbook")
    a11y(page, "workbook page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the workbook (.xlsx)").click()
    original = tmp_path / "original.xlsx"
    download.value.save_as(original)

    # Filled in with one mistake: the preview names the cell, nothing is saved.
    first = tmp_path / "first.xlsx"
    _fill(original, first, cycle, {"mfa_share": "lots", "contact": "Grace Hopper"})
    page.get_by_label("Your filled-in workbook (.xlsx)").set_input_files(str(first))
    page.get_by_role("button", name="Upload and preview").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Section 1!D4: “lots”: Enter a number")
    expect(page.get_by_role("button", name="Save these answers in my draft")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "preview-error.png"), full_page=True)
    a11y(page, "preview with an error")

    # A colleague changes an answer on the web meanwhile.
    db.session.refresh(report)
    filling.save_answers(
        rep_a, report, {cycle.q["approach"].id: "Typed on the web"}, report.revision
    )
    db.session.commit()

    # Fixed, and the same answer changed in the workbook: a conflict, both texts shown.
    second = tmp_path / "second.xlsx"
    _fill(
        original,
        second,
        cycle,
        {"mfa_share": 42, "contact": "Grace Hopper", "approach": "Written in the workbook"},
    )
    page.get_by_role("link", name="Upload another workbook").click()
    page.get_by_label("Your filled-in workbook (.xlsx)").set_input_files(str(second))
    page.get_by_role("button", name="Upload and preview").click()
    row = page.locator(f"#row-{cycle.q['approach'].id}")
    expect(row).to_contain_text("Typed on the web")
    expect(row).to_contain_text("Written in the workbook")
    expect(row).to_contain_text("Changed on both sides")
    page.screenshot(path=str(tmp_path / "preview-conflict.png"), full_page=True)
    a11y(page, "preview with a conflict")
    row.get_by_label("The workbook’s").check()
    page.get_by_role("button", name="Save these answers in my draft").click()
    page.wait_for_url("**/my/reports/2026")
    expect(page.locator(".flashes")).to_contain_text("3 answer(s) from the workbook were saved")

    page.goto("/my/reports/2026/sections/1")
    expect(page.get_by_label("What share of accounts use it?")).to_have_value("42")
    expect(page.get_by_label("Describe how you protect users.")).to_have_value(
        "Written in the workbook"
    )
    page.goto("/my/reports/2026/sections/3")
    expect(page.get_by_label("Who answers questions about this report?")).to_have_value(
        "Grace Hopper"
    )
    edit = db.session.scalars(
        select(ReportEdit)
        .where(ReportEdit.report_id == report.id)
        .order_by(ReportEdit.revision.desc())
    ).first()
    assert edit.parts == ["workbook"]
    assert edit.changes[str(cycle.q["approach"].id)]["old"] == "Typed on the web"
