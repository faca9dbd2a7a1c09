"""The secretariat finds a failed login on the audit trail with its filters; wrong filters are
named next to their fields. Every page checked with axe."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("PACTUM_SCREENSHOTS")  # a folder: the pages are photographed there


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_secretariat_filters_the_audit_trail(page, secretariat, rep_a, db, a11y, login_browser):
    db.session.commit()
    # Someone tries the representative's account with a wrong password.
    page.goto("/login")
    page.get_by_label("Email").fill(rep_a.email)
    page.get_by_label("Password", exact=True).fill("guessing at random")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Email or password is not correct.")).to_be_visible()

    login_browser(page, secretariat.email, PASSWORD)
    page.get_by_role("link", name="Audit trail").click()
    page.wait_for_url("**/secretariat/audit")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    a11y(page, "audit trail")

    page.get_by_label("Events").select_option("authentication")
    page.get_by_label("Person (email)").fill("rep@alpha")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/secretariat/audit?*kind=authentication*")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("login.failed")
    expect(rows.first).to_contain_text("rep@alpha.example")
    expect(page.get_by_text("1 event matches these filters.")).to_be_visible()
    a11y(page, "audit trail filtered")
    _shot(page, "audit-filtered")

    page.get_by_label("From (UTC)").fill("2026-03-01")
    page.get_by_label("To (UTC)").fill("2026-02-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#until-error")).to_contain_text("must not be before the start date")
    expect(page.get_by_role("alert")).to_be_visible()
    a11y(page, "audit trail with wrong filters")
    _shot(page, "audit-wrong-filters")

    page.get_by_role("link", name="Clear the filters").click()
    page.wait_for_url("**/secretariat/audit")
    expect(page.locator("tbody tr").filter(has_text="login.succeeded")).to_have_count(1)
