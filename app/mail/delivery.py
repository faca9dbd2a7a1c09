"""Delivering the outbox: claim a due message, hand it to SMTP, record the outcome.

Each message is claimed with one UPDATE that only succeeds while it is due and unclaimed,
so two deliverers (threads, app servers, an RQ worker and `pactum tick`) never send the same
message; the claim expires after CLAIM_SECONDS, so a deliverer that dies mid-send only
delays it. A failed attempt is retried after 1, 2, 4 … minutes (at most six hours apart);
after MAX_ATTEMPTS it is marked failed and waits for the secretariat's "retry".

`wake()` runs after every commit that wrote mail, by `PACTUM_MAIL_DELIVERY`:
"thread" (the default: a background thread of the app process), "inline" (in the
committing thread: tests), "rq" (a job on the Redis queue, run by `pactum worker`), or
"cron" (nothing at once: `pactum tick` delivers). `pactum tick` always delivers what is due.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import sys
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from app import clock
from app.db import db
from app.mail.deferred import render_pending
from app.mail.models import MailStatus, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 300
MAX_BACKOFF = dt.timedelta(hours=6)
BATCH = 100
QUEUE = "pactum"


@dataclass
class Round:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    due: int = 0  # messages that were due when the round began


def backoff(attempts: int) -> dt.timedelta:
    """The wait before attempt `attempts + 1`: 1, 2, 4 … minutes, at most six hours."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due(now: dt.datetime):
    return or_(
        and_(OutboxMessage.status == MailStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == MailStatus.SENDING, OutboxMessage.claimed_until < now),
    )


def _claim(session: Session, message_id: int, now: dt.datetime) -> bool:
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _due(now))
        .values(
            status=MailStatus.SENDING,
            claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS),
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def deliver_due(session: Session | None = None, limit: int = BATCH) -> Round:
    """Send what is due now, one claimed message at a time; commits after each."""
    session = session or db.session
    outcome = Round()
    now = clock.now()
    ids = session.scalars(
        select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
    ).all()
    session.commit()
    outcome.due = len(ids)
    for message_id in ids:
        if not _claim(session, message_id, now):
            continue  # another deliverer has it
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        try:
            render_pending(session, message)  # attachments written as recipes (a PDF)
            send_now(message)
        except Exception as error:  # noqa: BLE001 - recorded on the message, retried
            _record_failure(message, error, outcome)
        else:
            message.status = MailStatus.SENT
            message.sent_at = clock.now()
            message.claimed_until = None
            message.last_error = ""
            outcome.sent += 1
        session.commit()
    return outcome


def deliver_due_all(session: Session | None = None) -> Round:
    """Rounds until nothing due is left (cron's `pactum tick`)."""
    total = Round()
    while True:
        outcome = deliver_due(session)
        total.sent += outcome.sent
        total.retrying += outcome.retrying
        total.failed += outcome.failed
        if outcome.due < BATCH:
            return total


def _record_failure(message: OutboxMessage, error: Exception, outcome: Round) -> None:
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    message.claimed_until = None
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MailStatus.FAILED
        outcome.failed += 1
        log.error("giving up on email %s to %s: %s", message.key, message.recipients, error)
    else:
        message.status = MailStatus.PENDING
        message.next_attempt_at = clock.now() + backoff(message.attempts)
        outcome.retrying += 1
        log.warning("email %s to %s will be retried: %s", message.key, message.recipients, error)


def build_email(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    domain = urlsplit(config["SERVER_URL"]).hostname or "pactum.local"
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = ", ".join(message.recipients)
    email["Subject"] = message.subject
    email["Message-ID"] = f"<{message.key}@{domain}>"
    email.set_content(message.body)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return email


def send_now(message: OutboxMessage) -> None:
    config = current_app.config
    email = build_email(message)
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


# Waking a deliverer after a commit -------------------------------------------------------------


def wake() -> None:
    """Called after a commit that wrote mail (never raises: the change is committed)."""
    if not has_app_context():
        return
    app = current_app._get_current_object()
    mode = app.config.get("MAIL_DELIVERY", "thread")
    try:
        if mode == "inline":
            _deliver_in_own_session(app)
        elif mode == "rq" and app.config.get("REDIS_URL"):
            _enqueue(app.config["REDIS_URL"])
        elif mode in ("thread", "rq"):
            _Deliverer.for_app(app).wake()
    except Exception:  # noqa: BLE001 - the message stays due; the next round sends it
        log.exception("could not start mail delivery")


def _deliver_in_own_session(app: Flask) -> Round:
    # after_commit may not use the committing session: a fresh one, on its own connection.
    with Session(db.engine) as session:
        return deliver_due(session)


def _enqueue(redis_url: str) -> None:
    from redis import Redis  # only with Redis configured
    from rq import Queue

    Queue(QUEUE, connection=Redis.from_url(redis_url)).enqueue_call(
        deliver_job, result_ttl=0, failure_ttl=24 * 3600, description="deliver the outbox"
    )


def deliver_job() -> int:
    """The RQ job: `pactum worker` runs it inside the app context."""
    if not has_app_context():
        raise RuntimeError("deliver_job runs in `flask --app wsgi pactum worker`")
    try:
        return deliver_due().sent
    finally:
        db.session.remove()


class _Deliverer:
    """One background thread per app and process: woken by commits, and every minute."""

    _by_app: dict[int, _Deliverer] = {}
    _lock = threading.Lock()

    def __init__(self, app: Flask):
        self.app = app
        self.event = threading.Event()
        self.stopped = False
        self.thread = threading.Thread(target=self._loop, name="pactum-mail", daemon=True)
        self.thread.start()

    @classmethod
    def for_app(cls, app: Flask) -> _Deliverer:
        with cls._lock:
            deliverer = cls._by_app.get(id(app))
            if deliverer is None or not deliverer.thread.is_alive():
                deliverer = cls._by_app[id(app)] = cls(app)
            return deliverer

    def wake(self) -> None:
        self.event.set()

    @classmethod
    def stop_all(cls) -> None:
        """End every deliverer thread of this process (tests switching delivery modes)."""
        with cls._lock:
            deliverers = list(cls._by_app.values())
            cls._by_app.clear()
        for deliverer in deliverers:
            deliverer.stopped = True
            deliverer.event.set()
            deliverer.thread.join(timeout=10)

    def _loop(self) -> None:
        while not self.stopped:
            self.event.wait(timeout=60)
            self.event.clear()
            if self.stopped:
                return
            with self.app.app_context():
                try:
                    deliver_due_all()
                except Exception:  # noqa: BLE001 - keep the thread; retried next round
                    log.exception("mail delivery round failed")
                    db.session.rollback()
                finally:
                    db.session.remove()
