"""One translated text of a charter version in one language."""

from __future__ import annotations

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.charter.models import CharterVersion
from app.core.models import TranslatedText
from app.db import db


class CharterTranslation(TranslatedText, db.Model):
    """`key` names the source text: "title", "preamble", "change_summary", or
    "<principle key>.title" / "<principle key>.body" (e.g. "P3.body"): a principle's stable
    key, so a translation follows its principle when the draft is reordered."""

    __tablename__ = "charter_translations"
    __table_args__ = (
        UniqueConstraint(
            "version_id", "language", "key", name="uq_charter_translations_version_language_key"
        ),
    )

    version_id: Mapped[int] = mapped_column(ForeignKey("charter_versions.id", ondelete="CASCADE"))

    version: Mapped[CharterVersion] = relationship()

    def __repr__(self) -> str:
        return f"<CharterTranslation v{self.version_id} {self.language} {self.key}>"
