"""A journalist in the transparency centre, in Chromium: opens the principles, goes to
principle 1, filters its answers to companies in Germany, reads two, opens a member's
report, compares three members, searches for "SBOM", opens the open-data page and downloads
the year's zip, which frictionless validates. Every page on the way is checked with axe."""

from __future__ import annotations

import os
import zipfile

import frictionless
import pytest
from playwright.sync_api import expect

from app.transparency.opendata.indexing import reindex_all
from tests.centre.conftest import SENTINEL, build_centre_world

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CENTRE_SCREENSHOTS")  # a folder: save a screenshot of each page


def look(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_journalist_reads_principle_1_and_compares_members(page, live_server, db, a11y, tmp_path):
    build_centre_world(db)
    reindex_all()  # the builders write rows directly: index them as `flask pactum reindex`
    db.session.commit()

    page.goto(live_server + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Principles").click()
    page.wait_for_url("**/principles")
    expect(page.get_by_role("heading", name="The principles, in practice")).to_be_visible()
    expect(page.get_by_text("2 members pledged on it.")).to_be_visible()
    expect(
        page.get_by_role("img", name="Principle 1: share of yes answers by year")
    ).to_be_visible()
    a11y(page, "principles")
    look(page, "principles")

    page.get_by_role("link", name="Principle 1 Principle title 1").click()
    page.wait_for_url("**/principles/1")
    expect(page.get_by_role("heading", name="Principle title 1", level=1)).to_be_visible()
    a11y(page, "principle 1")

    form = page.get_by_role("search", name="Filter the answers")
    form.get_by_label("Category").select_option("company")
    form.get_by_label("Country").select_option("DE")
    form.get_by_role("button", name="Show answers").click()
    page.wait_for_url("**/principles/1?*country=DE*")
    answers = page.locator(".centre-answer")
    expect(answers.first).to_be_visible()
    texts = answers.all_inner_texts()
    assert any("Hardware keys for all." in t for t in texts)
    assert any("Gamma's accepted words." in t for t in texts)
    assert not any("Beta Rights" in t for t in texts)  # civil society, in France
    a11y(page, "principle 1, companies in Germany")
    look(page, "principle-filtered")

    page.get_by_role("link", name="Do you offer multi-factor authentication?").click()
    page.wait_for_url("**/principles/1/questions/mfa")
    expect(page.get_by_text("Do you offer MFA?")).to_be_visible()  # its 2024 wording
    a11y(page, "question over the years")
    page.go_back()

    page.locator('a[href="/members/alpha-security/reports/2025"]').first.click()
    page.wait_for_url("**/members/alpha-security/reports/2025")
    expect(page.get_by_role("heading", name="Cite this report")).to_be_visible()
    expect(page.get_by_text("Hardware keys for all.")).to_be_visible()
    a11y(page, "member report")
    look(page, "member-report")

    page.get_by_role("link", name="Compare with other members").click()
    page.wait_for_url("**/compare?*")
    page.get_by_label("Member 2").fill("beta-rights")
    page.get_by_label("Member 3").fill("delta-telecom")
    page.get_by_role("button", name="Compare").click()
    table = page.get_by_role("table", name="Public answers in 2025")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="Delta Telecom")).to_be_visible()
    expect(table.get_by_text("Differs").first).to_be_visible()
    a11y(page, "compare three members")
    look(page, "compare")
    assert SENTINEL not in page.content()

    # Searching: the footer leads to the search page; the snippet marks the word found.
    page.get_by_role("contentinfo").get_by_role("link", name="Search the reports").click()
    page.wait_for_url("**/search")
    search = page.get_by_role("search", name="Search the transparency centre")
    search.get_by_label("Words to find").fill("SBOM")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=SBOM*")
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    hit = page.locator(".search-hit")
    expect(hit.locator("mark")).to_have_text("SBOM")
    expect(hit.get_by_role("link", name="Delta Telecom, 2025")).to_be_visible()
    a11y(page, "search for SBOM")
    look(page, "search")
    hit.get_by_role("link", name="Delta Telecom, 2025").click()
    page.wait_for_url("**/members/delta-telecom/reports/2025")
    expect(page.get_by_text("Passwords only, and an SBOM for every release.")).to_be_visible()
    a11y(page, "member report opened from the search")

    # The open data: the page explains the files and offers each year's package.
    page.get_by_role("contentinfo").get_by_role("link", name="Open data").click()
    page.wait_for_url("**/open-data")
    expect(
        page.get_by_role("heading", name="Reports, answers and pledges for analysis")
    ).to_be_visible()
    a11y(page, "open data")
    look(page, "open-data")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the 2025 data (zip)").click()
    download = download_info.value
    assert download.suggested_filename == "pactum-open-data-2025.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        archive.extractall(tmp_path / "package")
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"SBOM for every release" in everything and SENTINEL.encode() not in everything
    report = frictionless.validate(tmp_path / "package" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
