"""Every error of a form at once, in Chromium (issue 16): a new cycle with a negative grace
period and a due date before its opening shows both messages next to their fields and a
summary at the top whose links move to each field. axe-core checks the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_cycle_form_shows_both_errors_with_a_linked_summary(
    page, live_server, secretariat, db, a11y, login_browser, tmp_path
):
    db.session.commit()
    login_browser(page, "sec@example.org", PASSWORD)
    page.goto("/secretariat/cycles/new")
    expect(
        page.get_by_role("navigation", name="Secretariat").locator('[aria-current="page"]')
    ).to_have_text("Reporting cycles")
    page.get_by_label("Opening date").fill("2027-03-01")
    page.get_by_label("Due date", exact=True).fill("2027-01-31")
    page.get_by_label("Grace period (days)").fill("-3")
    page.get_by_role("button", name="Create the cycle").click()

    summary = page.locator("#error-summary")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Due date: The due date must come after the opening date.",
            "Grace period (days): Enter between 0 and 365 days.",
        ]
    )
    expect(page.locator("#due_on-error")).to_have_text(
        "The due date must come after the opening date."
    )
    expect(page.locator("#grace_days-error")).to_have_text("Enter between 0 and 365 days.")
    a11y(page, "cycle form with two errors")
    page.screenshot(path=tmp_path / "cycle-form-errors.png", full_page=True)
    summary.get_by_role("link", name=re.compile("^Grace period")).click()
    expect(page).to_have_url(re.compile(r"#grace_days$"))
    expect(page.get_by_label("Grace period (days)")).to_be_focused()
