"""A reporting cycle and its questionnaire: sections and questions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.charter.models import PrincipleText
from app.db import TimestampMixin, db
from app.reporting import titles


class CycleStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class QuestionType(StrEnum):
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    URL = "url"
    DATE = "date"
    EVIDENCE = "evidence"


class ReportingCycle(TimestampMixin, db.Model):
    __tablename__ = "reporting_cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    charter_version_id: Mapped[int | None] = mapped_column(ForeignKey("charter_versions.id"))
    status: Mapped[str] = mapped_column(String(20), default=CycleStatus.DRAFT, index=True)
    opens_on: Mapped[dt.date]
    due_on: Mapped[dt.date]
    grace_days: Mapped[int] = mapped_column(default=14)
    # Member categories that must report in this cycle (list of Category values).
    categories: Mapped[list] = mapped_column(JSON, default=list)
    reminder_offsets: Mapped[list] = mapped_column(JSON, default=lambda: [30, 7, 1])
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporting_cycles.id", ondelete="SET NULL")
    )
    opened_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    # Set once the deadline consequences have been applied by `pactum tick`.
    deadline_processed_at: Mapped[dt.datetime | None]

    charter_version = relationship("CharterVersion")
    sections: Mapped[list[Section]] = relationship(
        back_populates="cycle", order_by="Section.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status == CycleStatus.OPEN

    @property
    def shown_title(self) -> str:
        """The title as the secretariat wrote it, or "2025 reporting cycle" in the reader's
        language (app/reporting/titles.py); `title` itself holds only written text."""
        return titles.cycle_title(self.year, self.title)

    @property
    def final_date(self) -> dt.date:
        return self.due_on + dt.timedelta(days=self.grace_days)


class Section(db.Model):
    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_cycles.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    description_md: Mapped[str] = mapped_column(Text, default="")
    principle_id: Mapped[int | None] = mapped_column(ForeignKey("principles.id"))

    cycle: Mapped[ReportingCycle] = relationship(back_populates="sections")
    principle = relationship("Principle")
    questions: Mapped[list[Question]] = relationship(
        back_populates="section", order_by="Question.position", cascade="all, delete-orphan"
    )

    # The principle's text in the cycle's charter version (number, title), for the generated
    # title; `cycles.load_questionnaire` sets it for every section in one query, else it is
    # looked up once when needed. Not a column.
    principle_text = None
    principle_text_loaded = False

    def _principle_text(self):
        text = self.principle_text
        if not self.principle_text_loaded or (text and text.principle_id != self.principle_id):
            self.principle_text_loaded = True
            version_id = self.cycle.charter_version_id if self.cycle is not None else None
            self.principle_text = db.session.scalar(
                select(PrincipleText).where(
                    PrincipleText.principle_id == self.principle_id,
                    PrincipleText.version_id == version_id,
                )
            )
        return self.principle_text

    def title_in(self, locale: str | None = None) -> str:
        """The title as written, or "Principle 1: …" in the reader's language (or `locale`)
        for a section on a principle whose title was left empty (app/reporting/titles.py)."""
        if self.principle_id is None or not titles.may_be_generated(self.title):
            return self.title
        text = self._principle_text()
        if text is None:  # the principle is not in the cycle's charter version (any more)
            return self.title or (self.principle.key if self.principle is not None else "")
        return titles.section_title(self.title, text.number, text.title, locale)

    @property
    def shown_title(self) -> str:
        return self.title_in()


class Question(db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("sections.id", ondelete="CASCADE"), index=True
    )
    # Shared by a question and its copies in later cycles: prefill and trends follow it.
    lineage: Mapped[str] = mapped_column(String(40), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    help_text: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list] = mapped_column(JSON, default=list)
    unit: Mapped[str] = mapped_column(String(40), default="")
    min_value: Mapped[float | None]
    max_value: Mapped[float | None]
    condition_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL")
    )
    condition_value: Mapped[str] = mapped_column(String(200), default="")
    is_indicator: Mapped[bool] = mapped_column(default=False)
    is_public: Mapped[bool] = mapped_column(default=False)

    section: Mapped[Section] = relationship(back_populates="questions")
    condition_question = relationship("Question", remote_side=[id])
