"""The secretariat builds the annual report of a year, watches the build, checks the draft
and the preview, publishes; the public downloads the PDF from /reports and checks it.
Every page on the way is checked with axe."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_user
from tests.transparency.conftest import build_world

pytestmark = pytest.mark.browser


def test_secretariat_publishes_and_the_public_downloads(
    page, browser, live_server, db, a11y, login_browser
):
    build_world(db)
    make_user(role="secretariat", email="sec@example.org", name="Sam Secretary")
    db.session.commit()

    login_browser(page, "sec@example.org", PASSWORD)
    a11y(page, "dashboard with the annual reports panel")
    page.get_by_role("link", name="Report 2025").click()
    page.wait_for_url("**/secretariat/annual-reports/2025")
    a11y(page, "annual report 2025")
    page.get_by_label("Executive summary").fill("A **good** year: more members reported on time.")
    page.get_by_role("button", name="Save the texts").click()
    expect(page.get_by_text("The texts are saved.")).to_be_visible()

    # Build a draft and watch it: the page follows the progress, then shows the result.
    page.get_by_role("button", name="Build a draft PDF").click()
    page.wait_for_url(re.compile(r".*/builds/\d+$"))
    expect(page.get_by_role("heading", name="Draft of the 2025 report")).to_be_visible()
    expect(page.locator("progress")).to_be_visible()
    a11y(page, "build in progress")
    page.get_by_text("Draft ready.").wait_for(timeout=90_000)
    a11y(page, "draft ready")
    href = page.get_by_role("link", name="Open the draft PDF").get_attribute("href")
    draft = page.request.get(href)
    assert draft.headers["content-type"] == "application/pdf" and draft.body().startswith(b"%PDF")

    page.get_by_role("link", name="Back to the report, to edit or publish").click()
    page.wait_for_url("**/secretariat/annual-reports/2025")
    page.get_by_role("link", name="Preview as a web page").first.click()
    page.wait_for_url("**/secretariat/annual-reports/2025/preview")
    expect(page.get_by_role("heading", name="Transparency report 2025", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Appendix: members")).to_be_visible()
    expect(page.get_by_text("A good year: more members reported on time.")).to_be_visible()
    a11y(page, "preview of the report")
    page.get_by_role("link", name="Back to the 2025 annual report").click()
    page.wait_for_url("**/secretariat/annual-reports/2025")

    page.get_by_label("Note for this edition").fill("First edition.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role(
        "button", name="Publish", exact=True
    ).click()  # the language: English, edition 1
    page.wait_for_url(re.compile(r".*/builds/\d+$"))
    page.get_by_text("Published as edition 1.").wait_for(timeout=90_000)
    a11y(page, "published")

    # The public finds it in the archive and checks the download against the checksum.
    context = browser.new_context(base_url=live_server, locale="en-GB", bypass_csp=True)
    public = context.new_page()
    try:
        public.goto("/")
        public.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
        public.wait_for_url("**/reports")
        a11y(public, "archive")
        checksum = public.locator("code.checksum").first.inner_text().strip()
        link = public.get_by_role(
            "link", name="PDF of the 2025 report, edition 1 (English)", exact=True
        )
        pdf = public.request.get(link.get_attribute("href"))
        assert pdf.ok and hashlib.sha256(pdf.body()).hexdigest() == checksum
        assert pdf.headers["etag"] == f'"{checksum}"'
        assert "First edition." in public.content()
        public.get_by_role("link", name="Read online the 2025 report, edition 1 (English)").click()
        public.wait_for_url("**/reports/2025/editions/1")
        expect(
            public.get_by_role("heading", name="Transparency report 2025", level=1)
        ).to_be_visible()
        a11y(public, "report online")
        expect(public.get_by_role("link", name="Download the PDF")).to_be_visible()
    finally:
        context.close()
