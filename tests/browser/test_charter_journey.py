"""The charter, end to end in Chromium: the secretariat drafts version 2 from version 1,
rewords one principle, adds one and publishes; the public sees version 2 at /charter,
version 1 at /charter/v/1, and a comparison with exactly those two changes. Every page
visited is checked with axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.charter.builders import PRINCIPLES, publish_charter
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

REWORDED = "We will oppose attacks on innocent citizens and enterprises, wherever they are."


def test_secretariat_publishes_version_2_and_the_public_compares(
    page, browser, live_server, secretariat, db, a11y, login_browser
):
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    db.session.commit()

    login_browser(page, "sec@example.org", PASSWORD)
    expect(page.get_by_text("Version 1, in force since")).to_be_visible()  # dashboard panel
    a11y(page, "dashboard")
    page.get_by_role("navigation", name="Secretariat").get_by_role(
        "link", name="Charter versions"
    ).click()
    page.wait_for_url("**/secretariat/charter")
    a11y(page, "charter versions")
    page.get_by_role("button", name="Start version 2").click()
    expect(page.get_by_role("heading", name="Draft of version 2")).to_be_visible()
    expect(page.get_by_text("Drafted after version 1:")).to_be_visible()
    a11y(page, "draft")

    page.get_by_label("What changed, in one line").fill(
        "Principle 2 now covers enterprises; new principle 4 on security by design."
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.")).to_be_visible()

    page.get_by_role("link", name="Edit principle 2").click()
    page.wait_for_url(re.compile(r".*/secretariat/charter/\d+/principles/\d+$"))
    a11y(page, "edit principle")
    page.get_by_label("Text").fill(REWORDED)
    page.get_by_role("button", name="Save the principle").click()
    expect(page.get_by_text("Principle 2 saved.")).to_be_visible()

    page.get_by_role("link", name="Add a principle").click()
    page.get_by_role("button", name="Add the principle").click()  # empty: refused
    expect(page.get_by_text("Please fill in short title.").first).to_be_visible()
    a11y(page, "add principle with errors")
    page.get_by_label("Short title").fill("Build security in by design")
    page.get_by_label("Theme (optional)").fill("Security")
    page.get_by_label("Text").fill("We will make products **secure by default**.")
    page.get_by_role("button", name="Add the principle").click()
    expect(page.get_by_text("Principle 4 added.")).to_be_visible()
    expect(page.get_by_text("Reworded", exact=True)).to_be_visible()
    expect(page.get_by_text("Added", exact=True)).to_be_visible()

    page.get_by_role("link", name="Preview", exact=True).click()
    expect(page.get_by_role("heading", name="Preview of the draft of version 2")).to_be_visible()
    expect(page.get_by_text("secure by default")).to_be_visible()
    a11y(page, "preview")
    page.get_by_role("link", name="Back to the draft").click()

    effective = page.get_by_label("Effective date")
    today = effective.input_value()
    assert today  # today, proposed
    effective.fill("2023-12-31")  # before version 1's date: refused, nothing published
    page.get_by_role("button", name="Review and publish version 2").click()
    expect(page.get_by_text("The effective date cannot be before").first).to_be_visible()
    a11y(page, "publish refused")
    page.get_by_label("Effective date").fill(today)
    page.get_by_role("button", name="Review and publish version 2").click()
    # The confirmation page says what will happen; nothing is published yet.
    expect(page.get_by_role("heading", name="Publish version 2?")).to_be_visible()
    expect(page.get_by_text("Version 1 (effective January 1, 2024)")).to_be_visible()
    expect(page.get_by_text("nobody is emailed")).to_be_visible()  # no member here
    a11y(page, "publish confirmation")
    page.get_by_role("button", name="Publish version 2 now").click()
    page.wait_for_url("**/charter/v/2")
    expect(page.get_by_text("Version 2 is published and in force.")).to_be_visible()

    # The public, in a fresh browser without any session.
    context = browser.new_context(base_url=live_server, locale="en-GB", bypass_csp=True)
    public = context.new_page()
    try:
        public.goto("/charter")
        expect(public.get_by_role("heading", name="The Test Accord", level=1)).to_be_visible()
        expect(public.get_by_text("Version 2, in force since")).to_be_visible()
        expect(public.get_by_text(REWORDED)).to_be_visible()
        expect(public.get_by_role("heading", name="Build security in by design")).to_be_visible()
        a11y(public, "public charter")
        public.get_by_role("navigation", name="Contents").get_by_role(
            "link", name="Build security in by design"
        ).click()
        expect(public).to_have_url(re.compile(r".*/charter#principle-4$"))

        public.goto("/charter/v/1")
        expect(public.get_by_text("This version is no longer in force.")).to_be_visible()
        expect(public.get_by_text(PRINCIPLES[1][1])).to_be_visible()
        expect(public.get_by_text("Build security in by design")).to_have_count(0)
        a11y(public, "version 1")

        public.goto("/charter")
        public.get_by_role("link", name="Compare with version 1").click()
        public.wait_for_url("**/charter/compare/1/2")
        expect(
            public.get_by_text("From version 1 to version 2: 1 principle added, 1 reworded.")
        ).to_be_visible()
        changes = public.locator("section.change")
        expect(changes).to_have_count(2)
        assert changes.nth(0).locator(".badge").inner_text() == "Reworded"
        assert changes.nth(1).locator(".badge").inner_text() == "Added"
        assert changes.nth(0).locator("ins").first.inner_text().strip().startswith("added:")
        assert "enterprises, wherever they are" in changes.nth(0).locator("ins").inner_text()
        a11y(public, "comparison")

        public.get_by_label("From version").select_option("2")
        public.get_by_label("To version").select_option("2")
        public.get_by_role("button", name="Compare").click()
        expect(public.get_by_text("Choose two different versions.").first).to_be_visible()
        a11y(public, "comparison picker with an error")

        public.goto("/charter/versions")
        expect(public.get_by_text("Principle 2 now covers enterprises")).to_be_visible()
        a11y(public, "versions")
    finally:
        context.close()


def test_drafting_works_without_javascript(browser, live_server, secretariat, db, login_browser):
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    db.session.commit()
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    try:
        login_browser(page, "sec@example.org", PASSWORD)
        page.goto("/secretariat/charter")
        page.get_by_role("button", name="Start version 2").click()
        page.get_by_role("button", name="Move up principle 3").click()
        # Renumbered in the new order; expect() retries while the redirect loads.
        expect(page.locator(".draft-principle h3")).to_have_text(
            [
                re.compile(rf"^\s*{n}\s+{re.escape(title)}\s*$")
                for n, title in enumerate([PRINCIPLES[0][0], PRINCIPLES[2][0], PRINCIPLES[1][0]], 1)
            ]
        )
        page.get_by_role("button", name="Remove principle 1").click()
        expect(page.get_by_text(f"“{PRINCIPLES[0][0]}” removed from this draft.")).to_be_visible()
        page.get_by_role("button", name="Delete the draft").click()
        page.wait_for_url("**/secretariat/charter")
        expect(page.get_by_text("The draft of version 2 was deleted.")).to_be_visible()
    finally:
        context.close()
