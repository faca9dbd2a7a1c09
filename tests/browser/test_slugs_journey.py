"""A representative renames the organisation (issue 17): the edit form says links keep
working, the old address leads to the renamed profile, and the secretariat sees the former
address on the organisation's page. Every page is axe-checked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_renamed_member_keeps_its_old_address(
    page, live_server, db, secretariat, org_a, rep_a, a11y, login_browser, tmp_path
):
    db.session.commit()
    login_browser(page, rep_a.email, PASSWORD)
    page.goto("/members/alpha-org/edit")
    expect(page.get_by_text("links to the present one keep working")).to_be_visible()
    a11y(page, "edit form with the address note")
    page.screenshot(path=tmp_path / "edit-form.png")
    page.get_by_label("Organisation name").fill("Alpha Harbour Trust")
    page.get_by_role("button", name="Save the profile").click()
    page.wait_for_url(live_server + "/members/alpha-harbour-trust")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(live_server + "/")
    page.goto("/members/alpha-org?from=newsletter")  # an old link, anonymous
    page.wait_for_url(live_server + "/members/alpha-harbour-trust?from=newsletter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha Harbour Trust")
    a11y(page, "renamed profile reached by its old address")
    login_browser(page, secretariat.email, PASSWORD)
    page.goto("/secretariat/organisations/alpha-org")  # old bookmarks work here too
    page.wait_for_url(live_server + "/secretariat/organisations/alpha-harbour-trust")
    section = page.get_by_role("region", name="Former addresses")
    expect(section.get_by_text("/members/alpha-org", exact=True)).to_be_visible()
    a11y(page, "organisation with a former address")
    page.screenshot(path=tmp_path / "former-addresses.png", full_page=True)
