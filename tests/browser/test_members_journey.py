"""A visitor applies to join; the secretariat approves; the new representative accepts the
emailed invitation, sets a password and makes a pledge; the public finds the organisation
in the directory by country and sees the pledge on its profile. Every page is axe-checked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_org, make_sector
from tests.members import builders

pytestmark = pytest.mark.browser


def test_join_approve_pledge_and_find(
    page, live_server, db, secretariat, mailbox, a11y, login_browser, app
):
    version = builders.make_version(1)
    make_sector("Maritime")
    db.session.commit()

    # A visitor finds the way to apply.
    page.goto("/members")
    a11y(page, "directory (empty)")
    page.get_by_role("link", name="Apply to join").first.click()
    page.wait_for_url("**/join")
    a11y(page, "join form")
    page.get_by_label("Organisation name").fill("Harbour Lights")
    page.get_by_label("Country").select_option("KE")
    page.get_by_label("Sector").select_option(label="Maritime")
    page.get_by_label("Category").select_option("company")
    page.get_by_label("Website").fill("harbour-lights.example")
    page.get_by_label("Short description").fill("We keep the **harbour** safe.")
    page.get_by_label("Contact person's name").fill("Carla Contact")
    page.get_by_label("Contact person's email").fill("carla@harbour.example")
    page.get_by_label("Signatory's name").fill("Sam Signer")
    page.get_by_label("Signatory's title").fill("CEO")
    # Forgetting the tick: the form says so next to the field, and keeps what was typed.
    page.get_by_role("button", name="Send the application").click()
    expect(page.get_by_text("Only a person authorised to sign").first).to_be_visible()
    expect(page.get_by_label("Organisation name")).to_have_value("Harbour Lights")
    a11y(page, "join form with an error")
    page.get_by_label("I am authorised to sign").check()
    page.get_by_role("button", name="Send the application").click()
    page.wait_for_url("**/join/submitted")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    a11y(page, "application received")
    mailbox.wait(2)
    assert mailbox.to("carla@harbour.example")
    mailbox.clear()

    # The secretariat approves.
    login_browser(page, "sec@example.org", PASSWORD)
    expect(page.get_by_text("application waiting for a decision")).to_be_visible()
    a11y(page, "secretariat dashboard")
    page.get_by_role("navigation", name="Secretariat").get_by_role(
        "link", name="Applications"
    ).click()
    page.wait_for_url("**/secretariat/applications")
    a11y(page, "applications queue")
    page.get_by_role("link", name="Harbour Lights").click()
    page.wait_for_url(re.compile(r".*/secretariat/applications/\d+$"))
    a11y(page, "application")
    expect(page.get_by_label("Invite as representative")).to_have_value("carla@harbour.example")
    page.get_by_role("button", name="Approve the application").click()
    page.wait_for_url("**/secretariat/applications")
    expect(page.get_by_text("Harbour Lights is now a member.")).to_be_visible()
    a11y(page, "queue after approval")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(live_server + "/")

    # The new representative follows the emailed invitation.
    mailbox.wait(2)
    invitation = next(
        m for m in mailbox.to("carla@harbour.example") if "/invitation/" in mailbox.body(m)
    )
    link = next(u for u in mailbox.links(invitation) if "/invitation/" in u)
    assert link.startswith(live_server)
    page.goto(link)
    a11y(page, "invitation")
    page.get_by_label("New password", exact=True).fill("a long harbour password")
    page.get_by_label("Repeat the new password").fill("a long harbour password")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/dashboard")
    expect(page.get_by_role("heading", name="Harbour Lights", exact=True)).to_be_visible()
    a11y(page, "representative dashboard")

    # …and makes a pledge.
    page.get_by_role("link", name="Make a new pledge").click()
    page.wait_for_url("**/pledges/new")
    a11y(page, "new pledge")
    page.get_by_label("Title").fill("Answer every vulnerability report within 48 hours")
    page.get_by_label("2. Disclose vulnerabilities responsibly").check()
    page.get_by_label("Target date").fill((dt.date.today() + dt.timedelta(days=400)).isoformat())
    page.get_by_label("Indicator").fill("Share of reports answered within 48 hours")
    page.get_by_role("button", name="Make the pledge").click()
    page.wait_for_url(re.compile(r".*/members/harbour-lights/pledges/\d+$"))
    expect(page.get_by_text("has been recorded")).to_be_visible()
    a11y(page, "pledge")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(live_server + "/")

    # The public finds it by country and sees the pledge.
    page.goto("/members")
    page.get_by_label("Country").select_option(label="Kenya (1)")
    page.get_by_role("button", name="Show members").click()
    page.wait_for_url(re.compile(r".*/members\?.*country=KE.*"))
    a11y(page, "directory filtered by country")
    results = page.get_by_role("region", name=re.compile("member"))
    expect(results.get_by_role("link", name="Harbour Lights")).to_be_visible()
    results.get_by_role("link", name="Harbour Lights").click()
    page.wait_for_url("**/members/harbour-lights")
    expect(
        page.get_by_role(
            "heading",
            name="Answer every vulnerability report within 48 hours",
        )
    ).to_be_visible()
    expect(page.get_by_text("Joined the alliance.")).to_be_visible()
    assert version.number == 1
    expect(page.get_by_role("link", name="Version 1").first).to_be_visible()
    a11y(page, "public profile")


def test_directory_works_without_javascript(browser, live_server, db):
    make_org(name="Quiet Harbour", country="NO")
    make_org(name="Loud Harbour", country="SE")
    db.session.commit()
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/members")
    page.get_by_label("Country").select_option("NO")
    page.get_by_role("button", name="Show members").click()
    page.wait_for_url(re.compile(r".*country=NO.*"))
    expect(page.get_by_role("link", name="Quiet Harbour")).to_be_visible()
    expect(page.get_by_role("link", name="Loud Harbour")).to_have_count(0)
    context.close()


def test_management_pages_are_accessible(
    page, db, secretariat, org_a, rep_a, a11y, login_browser, live_server
):
    from app.core.services import store_file
    from app.members.services import change_status

    version = builders.make_version(1)
    principles = builders.principles_of(version)
    pledge = builders.make_pledge(org_a, principles[:2], title="Accessible pledge")
    builders.make_pledge(org_a, principles[:1], title="Private pledge", is_public=False)
    org_a.logo_sha256 = store_file(builders.image_bytes(size=(120, 60)), "image/png").sha256
    change_status(
        secretariat,
        org_a,
        "suspended",
        reason="Complaint",
        public_reason="Suspended pending review.",
    )
    change_status(
        secretariat, org_a, "active", reason="Resolved", public_reason="Reinstated after review."
    )
    application_org = make_org(name="Pending Org", status="applicant")
    application = builders.make_application(application_org, version)
    db.session.commit()
    login_browser(page, rep_a.email, PASSWORD)
    for url in (
        f"/members/{org_a.slug}",
        f"/members/{org_a.slug}/edit",
        f"/members/{org_a.slug}/endorse",
        f"/members/{org_a.slug}/pledges",
        f"/members/{org_a.slug}/pledges/{pledge.id}",
        f"/members/{org_a.slug}/pledges/{pledge.id}/edit",
        "/open-data",
    ):
        page.goto(url)
        a11y(page, url)
    # An invalid edit shows its errors accessibly too.
    page.goto(f"/members/{org_a.slug}/edit")
    page.get_by_label("Website").fill("not a website")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_text("Enter the full address of a website").first).to_be_visible()
    a11y(page, "edit with an error")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(live_server + "/")
    login_browser(page, secretariat.email, PASSWORD)
    for url in (
        "/secretariat/organisations",
        "/secretariat/organisations/new",
        f"/secretariat/organisations/{org_a.slug}",
        "/secretariat/applications",
        f"/secretariat/applications/{application.id}",
        "/secretariat/sectors",
        f"/secretariat/sectors/{org_a.sector_id}/edit",
        f"/members/{org_a.slug}",
        f"/members/{org_a.slug}/pledges/{pledge.id}",
    ):
        page.goto(url)
        a11y(page, url)
    page.goto(f"/members/{org_a.slug}")
    page.get_by_text("Progress (1 entry)").first.click()
    a11y(page, "profile with progress open")
