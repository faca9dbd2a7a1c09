"""Replacing a charter in Chromium (issue 16): start version 2 without principles, import a
Markdown list with a preview (an error per line first, then the stable reference offered),
remove two principles at once, and publish through the confirmation page. axe-core checks
every page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.charter.builders import PRINCIPLES, publish_charter
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

WITH_AN_ERROR = """1. Protect all users
   We will protect all our users, wherever they are.
1. Build security in
   We make products **secure by default**.
- Report every year
"""


def test_secretariat_replaces_the_charter_by_import(
    page, live_server, secretariat, db, a11y, login_browser, tmp_path
):
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    db.session.commit()
    login_browser(page, "sec@example.org", PASSWORD)
    page.goto("/secretariat/charter")
    secretariat_nav = page.get_by_role("navigation", name="Secretariat")
    expect(secretariat_nav.locator('[aria-current="page"]')).to_have_text("Charter versions")
    expect(
        page.get_by_role("navigation", name="Main").locator('[aria-current="page"]')
    ).to_have_count(0)
    page.get_by_label("No principles, to replace them").check()
    a11y(page, "charter versions with the start choice")
    page.get_by_role("button", name="Start version 2").click()
    expect(page.get_by_text("No principles yet.")).to_be_visible()

    page.get_by_role("link", name="Import principles").click()
    a11y(page, "import")
    page.get_by_label("Principles to import").fill(WITH_AN_ERROR)
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_text("Line 3: Number 1 is already used by Line 1.")).to_be_visible()
    expect(page.get_by_role("button", name="Import 3 principles")).to_have_count(0)
    a11y(page, "import preview with an error")

    page.get_by_label("Principles to import").fill(WITH_AN_ERROR.replace("1. Build", "2. Build"))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Preview: nothing is saved yet")).to_be_visible()
    keep = page.get_by_label("Keep P1")
    expect(keep).to_be_checked()
    expect(page.get_by_text("same text as principle 1 of version 1")).to_be_visible()
    a11y(page, "import preview")
    page.screenshot(path=tmp_path / "charter-import-preview.png", full_page=True)
    page.get_by_role("button", name="Import 3 principles").click()
    expect(page.get_by_text("3 principles imported.")).to_be_visible()
    expect(page.locator(".draft-principle")).to_have_count(3)
    a11y(page, "draft after the import")

    page.get_by_label("Select principle 2").check()
    page.get_by_label("Select principle 3").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove the selected principles").click()
    expect(page.get_by_text("2 principles removed from this draft")).to_be_visible()
    expect(page.locator(".draft-principle")).to_have_count(1)
    page.screenshot(path=tmp_path / "charter-draft-after-bulk-remove.png", full_page=True)

    page.get_by_role("button", name="Review and publish version 2").click()
    expect(page.get_by_role("heading", name="Publish version 2?")).to_be_visible()
    page.get_by_role("button", name="Publish version 2 now").click()
    page.wait_for_url("**/charter/v/2")
    page.goto("/charter/compare/1/2")
    expect(page.get_by_text(PRINCIPLES[0][0]).first).to_be_visible()
    # P1 kept its reference: the same words, only the theme went (Markdown carries none).
    expect(page.locator("#change-p1 .badge")).to_have_text("Reworded")
    expect(page.locator("#change-p2 .badge")).to_have_text("Removed")
