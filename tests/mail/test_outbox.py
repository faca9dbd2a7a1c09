"""The outbox: mail is written with the change that causes it and never lost or doubled."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app import clock
from app.db import db
from app.mail import Attachment, delivery, send_later, services
from app.mail.models import MailStatus, OutboxMessage
from tests.conftest import _free_port, login_as, post_form
from tests.reporting.builders_filling import at, build_cycle, fill_and_submit
from tests.reporting.builders_review import fast_receipts, in_request  # noqa: F401

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def smtp_down(app):
    """The mail server refuses connections until `up()` is called."""
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = _free_port()

    class Outage:
        @staticmethod
        def up():
            app.config["MAIL_PORT"] = port

    yield Outage
    app.config["MAIL_PORT"] = port


def _messages():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_a_message_is_written_in_the_transaction_and_sent_after_the_commit(app, mailbox):
    clock.freeze(T0)
    with app.test_request_context("/"):
        send_later(
            "ada@example.org",
            "Hello",
            "password_reset",
            link="http://localhost/x",
            hours=1,
            attachments=[Attachment("a.txt", "text/plain", b"attached")],
        )
    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert row.status == MailStatus.PENDING
    assert mailbox.messages == []  # nothing leaves before the commit
    db.session.commit()
    [message] = mailbox.wait(1)
    host = urlsplit(app.config["SERVER_URL"]).hostname  # the live-server tests change it
    assert message["Message-ID"] == f"<{row.key}@{host}>"
    assert [a.get_filename() for a in message.iter_attachments()] == ["a.txt"]
    [row] = _messages()
    assert row.status == MailStatus.SENT and row.attempts == 1 and row.sent_at == T0


def test_a_rollback_drops_the_message_with_the_change(db, app, mailbox):
    with app.test_request_context("/"):
        send_later("ada@example.org", "Hello", "password_reset", link="http://localhost/x", hours=1)
    db.session.rollback()
    db.session.commit()
    assert _messages() == []
    assert mailbox.messages == []


@pytest.mark.usefixtures("fast_receipts", "in_request")
def test_an_outage_delays_the_receipt_but_never_the_submission(
    db, app, secretariat, org_a, rep_a, mailbox, smtp_down
):
    clock.freeze(at(dt.date(2026, 2, 1)))
    cycle = build_cycle(secretariat)
    db.session.commit()
    mailbox.clear()
    version = fill_and_submit(rep_a, cycle)
    db.session.commit()  # the submission succeeds at once, with the server down
    assert version.id is not None
    [receipt] = [m for m in _messages() if "eceipt" in m.subject or "received" in m.subject]
    assert receipt.status == MailStatus.PENDING and receipt.attempts == 1
    assert "ConnectionRefusedError" in receipt.last_error
    assert mailbox.messages == []

    # Still down a minute later: the next round fails again and backs off further.
    clock.freeze(clock.now() + dt.timedelta(minutes=1))
    delivery.deliver_due()
    receipt = db.session.get(OutboxMessage, receipt.id, populate_existing=True)
    assert receipt.attempts == 2 and receipt.next_attempt_at == clock.now() + dt.timedelta(
        minutes=2
    )

    smtp_down.up()
    assert delivery.deliver_due().sent == 0  # not due yet: the back-off holds
    clock.freeze(clock.now() + dt.timedelta(minutes=2))
    assert delivery.deliver_due().sent >= 1
    received = [m for m in mailbox.wait(1) if m["To"] == rep_a.email]
    assert len(received) == 1 and received[0]["Message-ID"].startswith(f"<{receipt.key}@")
    assert delivery.deliver_due().sent == 0  # nothing is sent twice
    assert len([m for m in mailbox.messages if m["To"] == rep_a.email]) == 1


def test_a_claimed_message_is_not_sent_by_a_second_deliverer(db, app, mailbox):
    clock.freeze(T0)
    with app.test_request_context("/"):
        message = send_later(
            "ada@example.org", "Hi", "password_reset", link="http://localhost/x", hours=1
        )
    app.config["MAIL_DELIVERY"] = "cron"
    try:
        db.session.commit()
    finally:
        app.config["MAIL_DELIVERY"] = "inline"
    assert delivery._claim(db.session, message.id, T0)  # a first deliverer took it
    assert delivery.deliver_due().due == 0
    assert mailbox.messages == []
    # The first deliverer died: once its claim expires the message is sent, once.
    clock.freeze(T0 + dt.timedelta(seconds=delivery.CLAIM_SECONDS + 1))
    assert delivery.deliver_due().sent == 1
    assert len(mailbox.wait(1)) == 1


def test_back_off_doubles_up_to_six_hours():
    minutes = [delivery.backoff(n).total_seconds() / 60 for n in range(1, 12)]
    assert minutes[:5] == [1, 2, 4, 8, 16]
    assert max(minutes) == 360


def _fail_for_good(app, smtp_down):
    clock.freeze(T0)
    with app.test_request_context("/"):
        message = send_later(
            "ada@example.org",
            "Your invitation",
            "password_reset",
            link="http://localhost/x",
            hours=1,
        )
    db.session.commit()
    for _ in range(delivery.MAX_ATTEMPTS):
        clock.freeze(clock.now() + delivery.MAX_BACKOFF)
        delivery.deliver_due()
    return db.session.get(OutboxMessage, message.id, populate_existing=True)


def test_after_the_last_attempt_a_message_fails_and_the_secretariat_sends_it_again(
    db, app, client, secretariat, mailbox, smtp_down
):
    message = _fail_for_good(app, smtp_down)
    assert message.status == MailStatus.FAILED and message.attempts == delivery.MAX_ATTEMPTS
    assert services.backlog()["failed"] == 1

    login_as(client, secretariat)
    page = client.get("/secretariat/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Your invitation" in html and "ada@example.org" in html
    assert "ConnectionRefusedError" in html

    smtp_down.up()
    response = post_form(
        client, f"/secretariat/mail/{message.id}/retry", form_url="/secretariat/mail"
    )
    assert response.status_code == 302
    [sent] = mailbox.wait(1)
    assert sent["Subject"] == "Your invitation"
    row = db.session.get(OutboxMessage, message.id, populate_existing=True)
    assert row.status == MailStatus.SENT
    assert "No message has failed." in client.get("/secretariat/mail").get_data(as_text=True)


def test_retry_all_failed(db, app, client, secretariat, mailbox, smtp_down):
    _fail_for_good(app, smtp_down)
    smtp_down.up()
    login_as(client, secretariat)
    response = post_form(client, "/secretariat/mail/retry-failed", form_url="/secretariat/mail")
    assert response.status_code == 302
    assert len(mailbox.wait(1)) == 1
    assert "1 message will be sent again." in client.get("/secretariat/mail").get_data(as_text=True)


def test_only_a_failed_message_can_be_retried(db, app, client, secretariat, mailbox):
    with app.test_request_context("/"):
        message = send_later(
            "ada@example.org", "Hi", "password_reset", link="http://localhost/x", hours=1
        )
    db.session.commit()
    login_as(client, secretariat)
    response = post_form(
        client, f"/secretariat/mail/{message.id}/retry", form_url="/secretariat/mail"
    )
    assert response.status_code == 409
    missing = post_form(client, "/secretariat/mail/999999/retry", form_url="/secretariat/mail")
    assert missing.status_code == 404


def test_the_outbox_is_the_secretariats_alone(db, client, rep_a):
    assert client.get("/secretariat/mail").status_code == 302  # to the login page
    login_as(client, rep_a)
    assert client.get("/secretariat/mail").status_code == 403


def test_a_background_thread_delivers_after_the_commit(db, app, mailbox):
    app.config["MAIL_DELIVERY"] = "thread"
    try:
        with app.test_request_context("/"):
            send_later(
                "ada@example.org", "Threaded", "password_reset", link="http://localhost/x", hours=1
            )
        db.session.commit()
        [message] = mailbox.wait(1, timeout=10)
        assert message["Subject"] == "Threaded"
    finally:
        app.config["MAIL_DELIVERY"] = "inline"
        delivery._Deliverer.stop_all()  # its minutely rounds must not race later tests


def test_sent_messages_are_forgotten_after_thirty_days(db, app, mailbox):
    clock.freeze(T0)
    with app.test_request_context("/"):
        send_later("ada@example.org", "Old", "password_reset", link="http://localhost/x", hours=1)
    db.session.commit()
    clock.freeze(T0 + dt.timedelta(days=31))
    assert services.purge_sent() == 1
    db.session.commit()
    assert _messages() == []


def test_pactum_tick_delivers_what_is_due(app, db, mailbox):
    app.config["MAIL_DELIVERY"] = "cron"
    try:
        with app.test_request_context("/"):
            send_later("ada@example.org", "By cron", "password_reset", link="x", hours=1)
        db.session.commit()
        assert mailbox.messages == []  # nobody delivers at once in cron mode
        result = app.test_cli_runner().invoke(args=["pactum", "tick"])
        assert result.exit_code == 0, result.output
        assert "mail: 1 sent, 0 to retry, 0 failed" in result.output
        [message] = mailbox.wait(1)
        assert message["Subject"] == "By cron"
    finally:
        app.config["MAIL_DELIVERY"] = "inline"
