"""Attachments written as recipes and laid out by the deliverer, after the commit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app import clock
from app.mail import RenderLater, delivery, renderer, send_later
from app.mail.deferred import RENDER_LATER
from app.mail.models import MailStatus, OutboxMessage

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def layouts():
    """A renderer for these tests: fails while `layouts.broken`, counts its calls."""

    class Layouts:
        broken = False
        calls: list = []

    @renderer("test-note")
    def _note(session, params) -> bytes:
        Layouts.calls.append(params)
        if Layouts.broken:
            raise RuntimeError("the layout failed")
        return f"note {params['n']}".encode()

    return Layouts


def _write(app, name="test-note"):
    with app.test_request_context("/"):
        return send_later(
            "ada@example.org",
            "Hello",
            "password_reset",
            link="http://localhost/x",
            hours=1,
            attachments=[RenderLater("note.txt", "text/plain", name, {"n": 7})],
        )


def test_the_deliverer_lays_the_attachment_out_and_keeps_it(db, app, mailbox, layouts):
    clock.freeze(T0)
    message = _write(app)
    [row] = message.attachments
    assert row.content_type == RENDER_LATER and layouts.calls == []
    db.session.commit()
    [sent] = mailbox.wait(1)
    assert mailbox.attachments(sent) == [("note.txt", "text/plain", "note 7")]
    assert layouts.calls == [{"n": 7}]
    db.session.expire_all()
    row = db.session.scalars(select(OutboxMessage)).one().attachments[0]
    assert (row.content_type, row.data) == ("text/plain", b"note 7")


def test_a_failed_layout_is_a_failed_attempt_retried_later(db, app, mailbox, layouts):
    clock.freeze(T0)
    layouts.broken = True
    message = _write(app)
    db.session.commit()  # the causing change is committed whatever the layout does
    message = db.session.get(OutboxMessage, message.id, populate_existing=True)
    assert message.status == MailStatus.PENDING and message.attempts == 1
    assert "the layout failed" in message.last_error and mailbox.messages == []
    layouts.broken = False
    clock.freeze(T0 + delivery.backoff(1))
    assert delivery.deliver_due().sent == 1
    assert len(mailbox.wait(1)) == 1


def test_an_unknown_renderer_fails_the_attempt(db, app, mailbox):
    clock.freeze(T0)
    message = _write(app, name="nobody-registered-this")
    db.session.commit()
    message = db.session.get(OutboxMessage, message.id, populate_existing=True)
    assert message.status == MailStatus.PENDING and "nobody-registered-this" in message.last_error
