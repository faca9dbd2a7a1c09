"""A secretariat user logs in and sees the dashboard; every page is checked with axe."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_secretariat_logs_in_and_sees_dashboard(page, secretariat, db, a11y, login_browser):
    db.session.commit()
    page.goto("/")
    a11y(page, "home")
    page.get_by_role("link", name="Log in").click()
    page.wait_for_url("**/login")
    a11y(page, "login")
    # A wrong password first: one generic message, shown next to the form.
    page.get_by_label("Email").fill("sec@example.org")
    page.get_by_label("Password", exact=True).fill("wrong password!")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Email or password is not correct.")).to_be_visible()
    a11y(page, "login with error")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")
    expect(page.get_by_role("heading", name="Secretariat dashboard")).to_be_visible()
    a11y(page, "dashboard")
    page.get_by_role("link", name="People").click()
    page.wait_for_url("**/secretariat/users")
    a11y(page, "people")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")
    expect(page.get_by_text("You have logged out.")).to_be_visible()


def test_skip_link_moves_focus_to_main(page, a11y):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_error_page_is_accessible(page, a11y):
    page.goto("/no/such/page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    a11y(page, "404")
