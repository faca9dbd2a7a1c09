"""A secretariat member sets up the second factor on first login, then logs in with a code
and, having lost the phone, with a recovery code. Every page is checked with axe."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _password(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")


def test_second_factor_enrolment_and_login(app, page, secretariat, db, a11y):
    db.session.commit()
    app.config["REQUIRE_SECOND_FACTOR"] = True
    try:
        _password(page, secretariat.email)
        # Sent to enrolment before anything else.
        page.wait_for_url("**/account/second-factor")
        expect(page.get_by_text("Secretariat accounts need a second factor")).to_be_visible()
        a11y(page, "second factor: introduction")
        page.get_by_role("button", name="Set up a second factor").click()
        page.wait_for_url("**/account/second-factor")
        expect(
            page.get_by_role("img", name="QR code to scan with your authenticator app")
        ).to_be_visible()
        a11y(page, "second factor: scan")
        secret = page.locator(".totp-secret").get_attribute("data-secret")
        totp = pyotp.TOTP(secret)
        page.get_by_label("Code").fill("000000")
        page.get_by_role("button", name="Turn on the second factor").click()
        expect(page.locator("#code-error")).to_contain_text("That code is not correct.")
        a11y(page, "second factor: wrong code")
        page.get_by_label("Code").fill(totp.now())
        page.get_by_role("button", name="Turn on the second factor").click()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        codes = re.findall(r"[0-9a-f]{5}-[0-9a-f]{5}", page.locator(".recovery-codes").inner_text())
        assert len(codes) == 10
        a11y(page, "second factor: recovery codes")
        page.get_by_role("link", name="I have kept them: continue").click()
        page.wait_for_url("**/dashboard")
        _log_out(page)

        # With the app: the next 30-second step's code (the one used to enrol is spent).
        _password(page, secretariat.email)
        page.wait_for_url("**/login/code")
        a11y(page, "login: code step")
        page.get_by_label("Code").fill(totp.at(time.time() + 30))
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/dashboard")
        _log_out(page)

        # Phone lost: a recovery code, once.
        _password(page, secretariat.email)
        page.wait_for_url("**/login/code")
        page.get_by_label("Code").fill(codes[0])
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/dashboard")
        expect(page.get_by_role("heading", name="Secretariat dashboard")).to_be_visible()
    finally:
        app.config["REQUIRE_SECOND_FACTOR"] = False
