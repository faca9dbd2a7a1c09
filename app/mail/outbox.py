"""Writing mail: `send_later` renders the body and adds it to the outbox, in the caller's
transaction. A rollback drops it with everything else; a commit wakes the deliverer.
A slow attachment (a PDF) is passed as `RenderLater`: the deliverer lays it out after the
commit, so the causing transaction stays short (`app.mail.deferred`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import clock
from app.db import db
from app.mail import delivery
from app.mail.deferred import RenderLater, as_row
from app.mail.models import MailStatus, OutboxAttachment, OutboxMessage

_WAKE = "mail-wake"
_SUPPRESSED = "mail-suppressed"


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


def send_later(to: str | list[str], subject: str, template: str, attachments=None, **context):
    """Render `templates/email/<template>.txt` into the outbox; it leaves after the commit.
    `attachments`: `Attachment`s (bytes at hand) or `RenderLater`s (laid out at delivery)."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients or db.session.info.get(_SUPPRESSED):
        return None
    context.setdefault("alliance_name", current_app.config["ALLIANCE_NAME"])
    context.setdefault("server_url", current_app.config["SERVER_URL"].rstrip("/"))
    now = clock.now()
    message = OutboxMessage(
        key=uuid.uuid4().hex,
        recipients=recipients,
        subject=subject[:300],
        body=render_template(f"email/{template}.txt", **context),
        status=MailStatus.PENDING,
        created_at=now,
        next_attempt_at=now,
        attachments=[_attachment_row(a) for a in attachments or []],
    )
    db.session.add(message)
    wake_after_commit(db.session)
    return message


def _attachment_row(attachment: Attachment | RenderLater) -> OutboxAttachment:
    if isinstance(attachment, RenderLater):
        return as_row(attachment)  # laid out by the deliverer, after the commit
    return OutboxAttachment(
        filename=attachment.filename, content_type=attachment.content_type, data=attachment.data
    )


def wake_after_commit(session: Session) -> None:
    """Ask for a delivery round once this session's transaction commits."""
    session.info[_WAKE] = True


def is_suppressed() -> bool:
    """True inside `suppressed()`: callers may skip preparing mail (a receipt's PDF)."""
    return bool(db.session.info.get(_SUPPRESSED))


@contextmanager
def suppressed() -> Iterator[None]:
    """Send nothing from inside the block (the demo loader's invented history)."""
    previous = db.session.info.get(_SUPPRESSED)
    db.session.info[_SUPPRESSED] = True
    try:
        yield
    finally:
        db.session.info[_SUPPRESSED] = previous


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released; the real commit comes later
    if session.info.pop(_WAKE, None):
        delivery.wake()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_WAKE, None)
