"""Cross-cutting records: the audit trail and content-addressed file storage."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.db import db, utcnow


class AuditEvent(db.Model):
    """Who did what to which object, when. Append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User", lazy="joined")


class StoredFile(db.Model):
    """File bytes kept once per SHA-256, in the database so every app server sees them."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))


class TranslatedText:
    """The columns of one translated text in one language (a mixin): the charter's
    (`CharterTranslation`) and the questionnaires' (`QuestionnaireTranslation`) translations
    differ only in what the `key` names and which row owns it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(12))
    key: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    # sha256 (hex, shortened) of the source text this translation translates.
    source_hash: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
