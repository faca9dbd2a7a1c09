"""Email, sent only once the transaction that caused it has committed.

Services call `send_later(...)`; the message waits in the session's outbox and goes out
after a successful commit (a rollback drops it). With no PACTUM_MAIL_SERVER configured
(development), messages are printed to the console instead.
"""

from __future__ import annotations

import logging
import smtplib
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.db import db

log = logging.getLogger(__name__)


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Message:
    to: list[str]
    subject: str
    body: str
    attachments: list[Attachment] = field(default_factory=list)


def send_later(to: str | list[str], subject: str, template: str, attachments=None, **context):
    """Render `templates/email/<template>.txt` and queue it for after the commit."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    context.setdefault("alliance_name", current_app.config["ALLIANCE_NAME"])
    context.setdefault("server_url", current_app.config["SERVER_URL"].rstrip("/"))
    body = render_template(f"email/{template}.txt", **context)
    message = Message(recipients, subject, body, list(attachments or []))
    db.session.info.setdefault("outbox", []).append(message)


def deliver(message: Message) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = ", ".join(message.to)
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="pactum.local")
    email.set_content(message.body)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    if not config.get("MAIL_SERVER"):
        print(
            f"\n----- email (not sent: no PACTUM_MAIL_SERVER) -----\n{email}\n-----",
            file=sys.stdout,
        )
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


@event.listens_for(Session, "after_commit")
def _flush_outbox(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released; the real commit comes later
    outbox = session.info.pop("outbox", None)
    if not outbox:
        return
    for message in outbox:
        try:
            deliver(message)
        except Exception:  # a mail outage must not undo a committed change
            log.exception("could not send email %r to %s", message.subject, message.to)


@event.listens_for(Session, "after_soft_rollback")
def _drop_outbox(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:
        return  # only a SAVEPOINT was rolled back; the transaction goes on
    session.info.pop("outbox", None)
