"""One translated text of a cycle's questionnaire in one language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import db, utcnow


class QuestionnaireTranslation(db.Model):
    """`key` names the source text within the cycle: "s<section id>.title",
    "s<section id>.description", "q<question id>.text", "q<question id>.help", "q<question id>.unit" or
    "q<question id>.c<n>" (the n-th choice, from 1). Copying a questionnaire to another
    cycle maps the ids (app/reporting/translations/services.py)."""

    __tablename__ = "questionnaire_translations"
    __table_args__ = (
        UniqueConstraint(
            "cycle_id", "language", "key", name="uq_questionnaire_translations_cycle_language_key"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycles.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(12))
    key: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    # sha256 (hex, shortened) of the source text this translation translates.
    source_hash: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<QuestionnaireTranslation c{self.cycle_id} {self.language} {self.key}>"
