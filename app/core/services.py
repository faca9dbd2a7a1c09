"""Audit trail and file storage, used by every domain."""

from __future__ import annotations

import hashlib

from app.core.models import AuditEvent, StoredFile
from app.db import db


def record(actor, action: str, obj=None, summary: str = "", **detail) -> AuditEvent:
    """Append an audit event. `obj` is any model instance with an `id`."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None)
        if actor is not None and getattr(actor, "is_authenticated", True)
        else None,
        action=action,
        object_type=type(obj).__tablename__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        summary=summary[:500],
        detail=detail,
    )
    db.session.add(event)
    return event


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
