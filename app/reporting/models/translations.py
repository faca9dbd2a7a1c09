"""One translated text of a cycle's questionnaire in one language."""

from __future__ import annotations

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import TranslatedText
from app.db import db


class QuestionnaireTranslation(TranslatedText, db.Model):
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

    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycles.id", ondelete="CASCADE"))

    def __repr__(self) -> str:
        return f"<QuestionnaireTranslation c{self.cycle_id} {self.language} {self.key}>"
