"""The secretariat finds a message that could not be delivered and sends it again."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from app.mail.models import MailStatus, OutboxMessage
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_secretariat_sends_a_failed_message_again(
    page, secretariat, db, a11y, login_browser, mailbox
):
    now = dt.datetime.now(dt.UTC)
    db.session.add(
        OutboxMessage(
            key="k" * 32,
            recipients=["rep@example.org"],
            subject="Your reporting receipt",
            body="Thank you.",
            status=MailStatus.FAILED,
            attempts=8,
            created_at=now,
            next_attempt_at=now,
            last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        )
    )
    db.session.commit()
    login_browser(page, secretariat.email, PASSWORD)
    page.get_by_role("link", name="Outgoing mail").click()
    page.wait_for_url("**/secretariat/mail")
    expect(page.get_by_role("heading", name="Outgoing mail", level=1)).to_be_visible()
    expect(page.get_by_text("Connection refused")).to_be_visible()
    a11y(page, "outgoing mail with a failed message")
    page.get_by_role("button", name="Send again Your reporting receipt").click()
    page.wait_for_url("**/secretariat/mail")
    expect(page.get_by_text("“Your reporting receipt” will be sent again.")).to_be_visible()
    expect(page.get_by_text("No message has failed.")).to_be_visible()
    a11y(page, "outgoing mail after the retry")
    [message] = mailbox.wait(1)
    assert message["To"] == "rep@example.org"
