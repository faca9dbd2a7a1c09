"""A French reader in the transparency centre, in Chromium: the principles, principle 1 and
a member's report in French (the charter's and the questionnaire's translations), the notice
where a text is shown in English, and the report's PDF in French. Checked with axe."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.centre.conftest import build_centre_world
from tests.centre.test_languages import BUG_BOUNTY_FR, MFA_FR, SECTION_FR, TITLE_FR, plant_french

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CENTRE_SCREENSHOTS")  # a folder: save a screenshot of each page


def look(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_french_reader_reads_the_principles_and_a_report(page, live_server, db, a11y):
    world = build_centre_world(db)
    db.session.commit()
    plant_french(db, world)

    page.goto(live_server + "/principles?lang=fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    link = page.get_by_role("link", name=f"Principe 1 {TITLE_FR}")
    expect(link).to_be_visible()
    expect(page.locator(".translation-notice")).to_be_visible()
    a11y(page, "principles in French")
    look(page, "principles-fr")

    link.click()
    page.wait_for_url("**/principles/1")
    expect(page.get_by_role("heading", name=TITLE_FR, level=1)).to_be_visible()
    expect(page.get_by_text("Corps du principe.")).to_be_visible()
    expect(page.get_by_role("link", name=MFA_FR)).to_be_visible()
    a11y(page, "principle 1 in French")
    look(page, "principle-1-fr")

    page.goto(live_server + "/members/alpha-security/reports/2025")  # French remembered
    expect(page.get_by_role("heading", name=SECTION_FR, level=2)).to_be_visible()
    expect(page.locator("dt", has_text=MFA_FR)).to_be_visible()
    expect(page.locator("dd", has_text=BUG_BOUNTY_FR)).to_be_visible()
    pdf = page.locator('.page-actions a[type="application/pdf"]')
    expect(pdf).to_have_attribute("hreflang", "fr")
    a11y(page, "member report in French")
    look(page, "member-report-fr")
    response = page.request.get(pdf.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
