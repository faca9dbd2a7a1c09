"""One translated text of a charter version in one language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.charter.models import CharterVersion
from app.db import db, utcnow


class CharterTranslation(db.Model):
    """`key` names the source text: "title", "preamble", "change_summary", or
    "<principle key>.title" / "<principle key>.body" (e.g. "P3.body"): a principle's stable
    key, so a translation follows its principle when the draft is reordered."""

    __tablename__ = "charter_translations"
    __table_args__ = (
        UniqueConstraint(
            "version_id", "language", "key", name="uq_charter_translations_version_language_key"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("charter_versions.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(12))
    key: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    # sha256 (hex, shortened) of the source text this translation translates.
    source_hash: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    version: Mapped[CharterVersion] = relationship()

    def __repr__(self) -> str:
        return f"<CharterTranslation v{self.version_id} {self.language} {self.key}>"
