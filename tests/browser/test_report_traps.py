"""The representative's first-week traps (issue 16), in a real browser, axe-checked: a
refused evidence file keeps the section's other answers; a returned report marks its
commented sections and links to each comment; a skip link reaches the first question;
the language selector changes language only on its button; the date hint names the format
the field takes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from app import clock
from tests.factories import PASSWORD
from tests.reporting.builders_filling import PDF, at, build_cycle

pytestmark = pytest.mark.browser


@pytest.fixture
def traps_cycle(app, db, secretariat, org_a, rep_a):
    clock.freeze(at(dt.date(2026, 3, 2), 9))
    cycle = build_cycle(secretariat)
    db.session.commit()
    return cycle


def test_a_refused_file_keeps_the_other_answers(page, traps_cycle, rep_a, a11y, login_browser):
    q = traps_cycle.q
    login_browser(page, rep_a.email, PASSWORD)
    page.goto("/my/reports/2026/sections/2")
    page.get_by_label("Email address").check()
    page.get_by_label("Where is your disclosure policy?").fill("https://example.org/security")
    page.get_by_label("Add a file").set_input_files(
        {"name": "policy.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}
    )
    page.get_by_role("button", name=re.compile(r"^Attach")).click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Your answers were saved, but some files could not be")
    field = page.locator(f"#q-{q['policy'].id}")
    expect(field.locator(".error-message")).to_contain_text("we check the content")
    expect(page.get_by_label("Email address")).to_be_checked()
    expect(page.get_by_label("Where is your disclosure policy?")).to_have_value(
        "https://example.org/security"
    )
    a11y(page, "section with a refused file")
    # Attaching a good file from this page is not refused as stale; the answers were saved.
    page.get_by_label("Add a file").set_input_files(
        {"name": "policy.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name=re.compile(r"^Attach")).click()
    page.wait_for_url("**/my/reports/2026/sections/2")
    expect(page.get_by_text("Your answers were saved and the file attached")).to_be_visible()
    page.goto("/my/reports/2026/sections/2")
    expect(page.get_by_label("Email address")).to_be_checked()
    expect(field.get_by_role("link", name="policy.pdf")).to_be_visible()
