"""Reporting cycles, questionnaires, reports (drafts and submitted versions), evidence,
review, extensions and reminders."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db, utcnow


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


class ReportState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class ExtensionState(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


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


class Report(TimestampMixin, db.Model):
    """One organisation's report in one cycle: the live draft plus its submitted versions."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("cycle_id", "organisation_id", name="uq_reports_cycle_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycles.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(20), default=ReportState.DRAFT, index=True)
    # Optimistic lock: every draft save must name the revision it started from.
    revision: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Attestation (draft values; frozen into each version on submit).
    officer_name: Mapped[str] = mapped_column(String(200), default="")
    officer_title: Mapped[str] = mapped_column(String(200), default="")
    support_statement: Mapped[str] = mapped_column(Text, default="")
    first_submitted_at: Mapped[dt.datetime | None]
    last_submitted_at: Mapped[dt.datetime | None]
    accepted_at: Mapped[dt.datetime | None]
    is_late: Mapped[bool] = mapped_column(default=False)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_versions.id", ondelete="SET NULL", use_alter=True)
    )

    cycle: Mapped[ReportingCycle] = relationship()
    organisation = relationship("Organisation")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report",
        order_by="ReportVersion.number",
        foreign_keys="ReportVersion.report_id",
        cascade="all, delete-orphan",
    )
    current_version = relationship(
        "ReportVersion", foreign_keys=[current_version_id], post_update=True
    )


class Answer(db.Model):
    """A draft answer. `value` is JSON: bool, str, number, list of str, or None."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("report_id", "question_id", name="uq_answers_report_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    value: Mapped[object | None] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class ReportVersion(db.Model):
    """An immutable submitted snapshot of a report."""

    __tablename__ = "report_versions"
    __table_args__ = (
        UniqueConstraint("report_id", "number", name="uq_report_versions_report_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    number: Mapped[int]
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_late: Mapped[bool] = mapped_column(default=False)
    officer_name: Mapped[str] = mapped_column(String(200))
    officer_title: Mapped[str] = mapped_column(String(200))
    support_statement: Mapped[str] = mapped_column(Text)
    # The whole report as stored: questionnaire wording, answers, evidence, pledges.
    snapshot: Mapped[dict] = mapped_column(JSON)
    questionnaire_hash: Mapped[str] = mapped_column(String(64))
    review_state: Mapped[str] = mapped_column(String(20), default=ReportState.SUBMITTED)
    reviewed_at: Mapped[dt.datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_note: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[Report] = relationship(back_populates="versions", foreign_keys=[report_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    answers: Mapped[list[SubmittedAnswer]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )
    comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )


class SubmittedAnswer(db.Model):
    """An answer as submitted, one row per question, for aggregation and exports."""

    __tablename__ = "submitted_answers"
    __table_args__ = (Index("ix_submitted_answers_question", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_versions.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    value: Mapped[object | None] = mapped_column(JSON)

    version: Mapped[ReportVersion] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class Evidence(db.Model):
    """A file attached to an answer; the bytes live once in StoredFile."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Evidence is removed from the draft but kept for submitted versions that cite it.
    removed: Mapped[bool] = mapped_column(default=False)

    report: Mapped[Report] = relationship()
    question: Mapped[Question] = relationship()


class ReviewComment(db.Model):
    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_versions.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    comment: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    version: Mapped[ReportVersion] = relationship(back_populates="comments")


class Extension(db.Model):
    __tablename__ = "extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_cycles.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default=ExtensionState.PENDING, index=True)
    new_due_on: Mapped[dt.date | None]
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    # Issue 5 part B: the date the representative asks for (optional; the secretariat decides).
    requested_due_on: Mapped[dt.date | None]

    cycle: Mapped[ReportingCycle] = relationship()
    organisation = relationship("Organisation")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class ReminderLog(db.Model):
    """One row per reminder sent: makes `pactum tick` idempotent.

    Keyed by the due date the reminder counted down to, so an organisation that is granted
    an extension gets the reminders again before its new date (once each).
    """

    __tablename__ = "reminder_log"
    __table_args__ = (
        UniqueConstraint(
            "cycle_id", "organisation_id", "due_on", "offset_days", name="uq_reminder_log_once"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycles.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    offset_days: Mapped[int]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Issue 5 part B: the (effective) due date this reminder was about.
    due_on: Mapped[dt.date]
    # How many days were really left when it went out (differs from the offset on catch-up).
    days_left: Mapped[int] = mapped_column(default=0)


# Issue 5 part A (filling in): the edit log behind optimistic locking, and the draft pledge
# updates of a report. Additive: nothing above depends on these.


class ReportEdit(db.Model):
    """One saved change to a draft: the revision it produced, who made it, what it touched.

    A stale save (based on an older revision) is refused with the list of these entries
    newer than the revision the editor started from.
    """

    __tablename__ = "report_edits"
    __table_args__ = (
        UniqueConstraint("report_id", "revision", name="uq_report_edits_report_revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    revision: Mapped[int]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Answers that changed: {"<question id>": {"old": value, "new": value}}; and other parts
    # of the report that changed ("attestation", "pledges", "evidence:<question id>").
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    parts: Mapped[list] = mapped_column(JSON, default=list)

    by_user = relationship("User")


class ReportPledge(db.Model):
    """A draft progress update for one pledge in one report; it becomes a PledgeUpdate when
    the report is submitted."""

    __tablename__ = "report_pledges"
    __table_args__ = (
        UniqueConstraint("report_id", "pledge_id", name="uq_report_pledges_report_pledge"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    pledge = relationship("Pledge")


# Issue 5 part B (review and deadlines): what the deadline rules did to whom, per cycle.


class DeadlineEventKind(StrEnum):
    NON_COMMUNICATING = "non_communicating"
    DELISTED = "delisted"


class DeadlineEvent(db.Model):
    """A consequence `pactum tick` applied to one organisation for one cycle.

    At most one of each kind per (cycle, organisation): running the tick again finds the row
    and does nothing. `resolved_at` is set when the organisation became active again (a
    later report, or the secretariat), so an old miss never delists a member twice.
    `status_change_id` is empty when the organisation already had that status (e.g. it was
    still non-communicating from an earlier cycle).
    """

    __tablename__ = "deadline_events"
    __table_args__ = (
        UniqueConstraint("cycle_id", "organisation_id", "kind", name="uq_deadline_events_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycles.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The last day the organisation could have acted (its final date, or delisting date).
    deadline: Mapped[dt.date]
    status_change_id: Mapped[int | None] = mapped_column(
        ForeignKey("status_changes.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[dt.datetime | None]

    cycle: Mapped[ReportingCycle] = relationship()
    organisation = relationship("Organisation")
