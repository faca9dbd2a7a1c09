"""The secretariat's view of the outbox: what is waiting, what failed, sending again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app import clock
from app.core.services import record
from app.db import db
from app.errors import Conflict, NotFound
from app.mail.models import MailStatus, OutboxMessage
from app.mail.outbox import wake_after_commit
from app.security import ensure_secretariat

PAGE_SIZE = 50


@dataclass
class Overview:
    counts: dict[str, int]
    failed: list[OutboxMessage]
    waiting: list[OutboxMessage]
    oldest_waiting_minutes: int | None


def backlog() -> dict[str, int]:
    """Messages per status (for the page, /healthz and /metrics): one grouped count."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = {status.value: 0 for status in MailStatus}
    counts.update({status: int(n) for status, n in rows})
    return counts


@dataclass
class Backlog:
    """The outbox at a glance, for /healthz and /metrics (no private content)."""

    counts: dict[str, int]  # messages per status
    oldest_waiting_seconds: float | None  # the oldest message not yet sent (pending or sending)

    @property
    def waiting(self) -> int:
        return self.counts[MailStatus.PENDING] + self.counts[MailStatus.SENDING]


def backlog_figures() -> Backlog:
    """Counts per status and the age of the oldest waiting message, in one grouped query."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at)).group_by(
            OutboxMessage.status
        )
    ).all()
    counts = {status.value: 0 for status in MailStatus}
    oldest = None
    for status, n, first in rows:
        counts[status] = int(n)
        if status in (MailStatus.PENDING, MailStatus.SENDING) and first is not None:
            oldest = first if oldest is None else min(oldest, first)
    age = None if oldest is None else max((clock.now() - oldest).total_seconds(), 0.0)
    return Backlog(counts, age)


def overview(actor) -> Overview:
    ensure_secretariat(actor)
    waiting_states = (MailStatus.PENDING, MailStatus.SENDING)

    def listed(*states):
        return db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status.in_(states))
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(PAGE_SIZE)
        ).all()

    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(waiting_states))
    )
    minutes = None
    if oldest is not None:
        minutes = max(int((clock.now() - oldest).total_seconds() // 60), 0)
    return Overview(backlog(), listed(MailStatus.FAILED), listed(*waiting_states), minutes)


def retry(actor, message_id: int) -> OutboxMessage:
    ensure_secretariat(actor)
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(_("There is no such message."))
    if message.status != MailStatus.FAILED:
        raise Conflict(_("Only a message that failed can be sent again."))
    _requeue([message.id])
    record(actor, "mail.retry", message, summary=message.subject)
    return message


def retry_all_failed(actor) -> int:
    ensure_secretariat(actor)
    ids = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.status == MailStatus.FAILED)
    ).all()
    if ids:
        _requeue(ids)
        record(actor, "mail.retry_all", None, summary=str(len(ids)), count=len(ids))
    return len(ids)


def _requeue(ids) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(status=MailStatus.PENDING, attempts=0, next_attempt_at=clock.now())
        .execution_options(synchronize_session="fetch")
    )
    wake_after_commit(db.session)


def purge_sent(older_than_days: int = 30) -> int:
    """Forget sent messages after a while: their bodies hold links with tokens."""
    cutoff = clock.now() - dt.timedelta(days=older_than_days)
    result = db.session.execute(
        OutboxMessage.__table__.delete().where(
            OutboxMessage.status == MailStatus.SENT, OutboxMessage.sent_at < cutoff
        )
    )
    return result.rowcount
