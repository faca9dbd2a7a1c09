"""Audit trail and file storage, used by every domain."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, insert, or_, select
from sqlalchemy.exc import SQLAlchemyError

from app import clock
from app.core.models import AuditEvent, StoredFile
from app.db import db

log = logging.getLogger(__name__)

# What the audit page calls "authentication": logins (failed, throttled, succeeded), the
# second factor, and passwords set, changed or reset. Every other action is a change.
AUTHENTICATION_ACTIONS = ("login.", "mfa.", "user.password", "user.invitation_accepted")
AUDIT_KINDS = ("all", "authentication", "changes")
AUDIT_PER_PAGE = 50


def _actor_id(actor) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", True):
        return None
    return getattr(actor, "id", None)


def _values(actor, action: str, obj, summary: str, detail: dict) -> dict:
    return {
        "actor_id": _actor_id(actor),
        "action": action,
        "object_type": type(obj).__tablename__ if obj is not None else "",
        "object_id": getattr(obj, "id", None),
        "summary": summary[:500],
        "detail": detail,
    }


def record(actor, action: str, obj=None, summary: str = "", **detail) -> AuditEvent:
    """Append an audit event, in the caller's transaction. `obj` is any model with an `id`."""
    event = AuditEvent(**_values(actor, action, obj, summary, detail))
    db.session.add(event)
    return event


def record_security_event(
    action: str, actor=None, obj=None, summary: str = "", once_per: int | None = None, **detail
) -> None:
    """Append an audit event in a transaction of its own, committed at once.

    For what must be kept although the request fails: a refused login or second-factor code
    answers 4xx, and the request's unit of work (`app.core.uow`) rolls its transaction back,
    which would take the evidence with it. So this writes on a connection of its own (never
    through the request's session, never via a view commit). With `once_per` seconds, an
    event with the same action and summary recorded that recently is not repeated (a flood
    of throttled requests writes one row a minute). A failure to write is logged, never
    raised: the answer to the person goes on. Never pass what the person typed as a password.
    """
    values = _values(actor, action, obj, summary, detail)
    values["at"] = clock.now()
    try:
        with db.engine.begin() as connection:
            if once_per and connection.scalar(
                select(
                    exists().where(
                        AuditEvent.action == action,
                        AuditEvent.summary == values["summary"],
                        AuditEvent.at >= values["at"] - dt.timedelta(seconds=once_per),
                    )
                )
            ):
                return
            connection.execute(insert(AuditEvent), [values])
    except SQLAlchemyError:
        log.exception("could not record the security event %s", action)


# The audit page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    kind: str = "all"  # all | authentication | changes
    email: str = ""  # part of the actor's (or the account's) email
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive


@dataclass(frozen=True)
class AuditPage:
    events: list
    total: int
    page: int
    pages: int


def _authentication():
    return or_(
        *(
            AuditEvent.action.startswith(prefix, autoescape=True)
            for prefix in AUTHENTICATION_ACTIONS
        )
    )


def _person(term: str):
    # The users table through the metadata: core imports no domain (app.accounts).
    users = db.metadata.tables["users"]
    matching = select(users.c.id).where(
        func.lower(users.c.email).contains(term.lower(), autoescape=True)
    )
    return or_(
        AuditEvent.actor_id.in_(matching),
        and_(AuditEvent.object_type == "users", AuditEvent.object_id.in_(matching)),
        # A failed login for an address that has no account names it in the summary.
        and_(
            AuditEvent.action == "login.failed",
            func.lower(AuditEvent.summary).contains(term.lower(), autoescape=True),
        ),
    )


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def audit_conditions(filters: AuditFilters) -> list:
    conditions = []
    if filters.kind == "authentication":
        conditions.append(_authentication())
    elif filters.kind == "changes":
        conditions.append(~_authentication())
    if filters.email.strip():
        conditions.append(_person(filters.email.strip()))
    if filters.since:
        conditions.append(AuditEvent.at >= _midnight(filters.since))
    if filters.until and filters.until < dt.date.max:  # the last day has no day after it
        conditions.append(AuditEvent.at < _midnight(filters.until + dt.timedelta(days=1)))
    return conditions


def audit_page(filters: AuditFilters, page: int = 1, per_page: int = AUDIT_PER_PAGE) -> AuditPage:
    """One page of audit events, newest first: two statements whatever the filters (the
    count, and the events with their actors joined)."""
    conditions = audit_conditions(filters)
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*conditions))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    events = db.session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return AuditPage(list(events), total, page, pages)


# Files ---------------------------------------------------------------------------------------


def store_file(data: bytes, content_type: str) -> StoredFile:
    """Keep `data` once, addressed by its SHA-256; return the stored row."""
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.get(StoredFile, digest)
    if existing is not None:
        return existing
    stored = StoredFile(sha256=digest, size=len(data), content_type=content_type, data=data)
    db.session.add(stored)
    db.session.flush()
    return stored


def file_bytes(sha256: str) -> bytes | None:
    return db.session.execute(
        db.select(StoredFile.data).where(StoredFile.sha256 == sha256)
    ).scalar_one_or_none()
