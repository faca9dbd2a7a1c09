"""One organisation's report in a cycle: the draft (answers, evidence, pledge updates, the
edit log behind optimistic locking) and its submitted versions with the review's comments."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db, utcnow
from app.reporting.models.cycles import Question, ReportingCycle


class ReportState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class Report(TimestampMixin, db.Model):
    """One organisation's report in one cycle: the live draft plus its submitted versions."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("cycle_id", "organisation_id", name="uq_reports_cycle_org"),
        # The open-data list of accepted reports counts and pages a cycle's reports from
        # this index alone (app/transparency/opendata/lists.py, issue 15).
        Index(
            "ix_reports_public_list", "cycle_id", "state", "organisation_id", "current_version_id"
        ),
    )

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
    # The language the representative wrote in (their interface language at the save), so
    # pages mark the answer with `lang`; None for answers saved before it was kept.
    language: Mapped[str | None] = mapped_column(String(12))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class ReportVersion(db.Model):
    """An immutable submitted snapshot of a report."""

    __tablename__ = "report_versions"
    __table_args__ = (
        UniqueConstraint("report_id", "number", name="uq_report_versions_report_number"),
        # A join by id that only checks the review state reads this index, not the row (whose
        # snapshot, stored before `review_state`, spans overflow pages on SQLite; issue 15).
        Index("ix_report_versions_review", "id", "review_state"),
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
    language: Mapped[str | None] = mapped_column(String(12))  # as the draft answer's

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
    # The organisation's own mark that it dealt with the comment (issue 16): when, by whom.
    addressed_at: Mapped[dt.datetime | None]
    addressed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    version: Mapped[ReportVersion] = relationship(back_populates="comments")


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
