"""Annual transparency reports (editions, immutable once published), build jobs and the
cache of per-member report PDFs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.languages import source_language
from app.core.models import TranslatedText
from app.db import TimestampMixin, db, utcnow


class AnnualReport(TimestampMixin, db.Model):
    """The secretariat's editable texts for the annual report of one cycle."""

    __tablename__ = "annual_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_cycles.id", ondelete="CASCADE"), unique=True
    )
    executive_summary_md: Mapped[str] = mapped_column(Text, default="")
    methodology_md: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cycle = relationship("ReportingCycle")
    editions: Mapped[list[Edition]] = relationship(
        back_populates="annual_report", order_by="Edition.number"
    )


class AnnualReportTranslation(TranslatedText, db.Model):
    """One of the secretariat's texts of an annual report in one language: `key` is
    "executive_summary" or "methodology"; `source_hash` the source text it translates
    (a changed source leaves it outdated, and the report falls back to the source)."""

    __tablename__ = "annual_report_translations"
    __table_args__ = (
        UniqueConstraint(
            "annual_report_id",
            "language",
            "key",
            name="uq_annual_report_translations_report_language_key",
        ),
    )

    annual_report_id: Mapped[int] = mapped_column(
        ForeignKey("annual_reports.id", ondelete="CASCADE")
    )


class Edition(db.Model):
    """A published, immutable PDF of an annual report."""

    __tablename__ = "editions"
    __table_args__ = (
        UniqueConstraint(
            "annual_report_id", "language", "number", name="uq_editions_report_language_number"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    annual_report_id: Mapped[int] = mapped_column(ForeignKey("annual_reports.id"))
    # Each language has its own editions, numbered from 1 (migration 0013: earlier ones are
    # in the source language).
    language: Mapped[str] = mapped_column(String(12), default=source_language)
    number: Mapped[int]
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    size: Mapped[int]
    pages: Mapped[int] = mapped_column(default=0)
    html_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    note: Mapped[str] = mapped_column(Text, default="")
    # The PDF/A-3b variant for archiving, laid out in the same build (same pages).
    pdfa_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    pdfa_size: Mapped[int | None]

    annual_report: Mapped[AnnualReport] = relationship(back_populates="editions")
    published_by = relationship("User", foreign_keys=[published_by_id])


class BuildJob(db.Model):
    """A background build of an annual report PDF (draft preview or publication)."""

    __tablename__ = "build_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_cycles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # "draft" or "publish"
    # The language built, or "all" (a publication of every language, one edition each).
    language: Mapped[str] = mapped_column(String(12), default=source_language)
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    message: Mapped[str] = mapped_column(String(300), default="")
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    result_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id", ondelete="SET NULL"))
    # Non-null only while queued/running: a unique key stops two builds of one report.
    active_key: Mapped[str | None] = mapped_column(String(60), unique=True)
    # Last sign of life of a running build: a build silent for long was interrupted.
    heartbeat_at: Mapped[dt.datetime | None]
    pages: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")  # the edition note, for publications

    cycle = relationship("ReportingCycle")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    edition = relationship("Edition")

    @property
    def is_active(self) -> bool:
        return self.state in ("queued", "running")


class MemberReportPdf(db.Model):
    """Cache of a member's public report PDF for one cycle, keyed by its data fingerprint."""

    __tablename__ = "member_report_pdfs"
    __table_args__ = (
        UniqueConstraint(
            "organisation_id", "cycle_id", "variant", name="uq_member_report_pdfs_org_cycle"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycles.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    generated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    variant: Mapped[str] = mapped_column(String(20), default="pdf/ua-1")
    size: Mapped[int] = mapped_column(default=0)


# The transparency centre's read model (answer_rows.py keeps it) ------------------------------


_ORDER = ("name_key", "section_position", "question_position", "answer_id")
_BY_MEMBER = ("year", "section_position", "question_position", "answer_id")
# What the centre's filters and its one public condition read (a count reads the index only,
# a page sorts its ids from it; the order's columns follow the filters the benchmark's
# pages use, so those read in order).
_CHECKED = ("status", "joined_on", "has_value", "question_type")
_COUNT_YEAR = (
    "principle_id",
    "year",
    "country",
    "category",
    "name_key",
    "section_position",
    "question_position",
    "sector_id",
    *_CHECKED,
    "lineage",
)
_COUNT_LINEAGE = (
    "principle_id",
    "lineage",
    "country",
    "name_key",
    "year",
    "section_position",
    "question_position",
    "category",
    "sector_id",
    *_CHECKED,
)


class PublicAnswerRow(db.Model):
    """One answer to a public question of an accepted report's accepted version, with what
    the centre's and the API's filters, orders and pages read copied in (docs/performance.md,
    "The public answers read model"). Unlisted members' answers are here too, carrying the
    `status` and `joined_on` that `listed_condition()` checks (the figures count them, the
    lists never show them); an evidence answer's value is never copied (always NULL)."""

    __tablename__ = "public_answers"
    __table_args__ = (
        # The pages' orders (newest, by member) within a principle, a lineage, the API's
        # principle number, or none; then covering indexes for the counts (docs/performance.md).
        Index("ix_public_answers_principle_year", "principle_id", "year", *_ORDER),
        Index("ix_public_answers_principle_member", "principle_id", "name_key", *_BY_MEMBER),
        Index("ix_public_answers_lineage_year", "principle_id", "lineage", "year", *_ORDER),
        Index(
            "ix_public_answers_lineage_member",
            "principle_id",
            "lineage",
            "name_key",
            *_BY_MEMBER,
        ),
        Index("ix_public_answers_number_year", "principle_number", "year", *_ORDER),
        Index("ix_public_answers_year", "year", *_ORDER),
        Index("ix_public_answers_count_year", *_COUNT_YEAR),
        Index("ix_public_answers_count_lineage", *_COUNT_LINEAGE),
        Index(
            "ix_public_answers_count_api",
            "year",
            "principle_number",
            "country",
            "category",
            "status",
            "joined_on",
            "lineage",
        ),
        Index("ix_public_answers_member", "slug", "year"),
        Index("ix_public_answers_report", "report_id"),
        Index("ix_public_answers_organisation", "organisation_id"),
    )

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("submitted_answers.id", ondelete="CASCADE"), primary_key=True
    )
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220))
    country: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(20))
    sector_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20))
    joined_on: Mapped[dt.date | None]
    year: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    lineage: Mapped[str] = mapped_column(String(40))
    question_type: Mapped[str] = mapped_column(String(20))
    principle_id: Mapped[int | None]
    principle_number: Mapped[int | None]  # in the cycle's charter version (the API's)
    section_position: Mapped[int]
    question_position: Mapped[int]
    value: Mapped[object | None] = mapped_column(JSON)  # as submitted (NULL for evidence)
    language: Mapped[str | None] = mapped_column(String(12))
    has_value: Mapped[bool]  # not NULL, not JSON null, "" or []


class AnswerTally(db.Model):
    """How many public answers (`public_answers`, listed or not) each question has with each
    value: the distributions the centre's figures are computed from. `value` is the answer
    as stored (its JSON text) for the summarised types (yes/no, choices, numbers); for the
    other types one row with the value "" counts them all."""

    __tablename__ = "answer_tallies"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(Text, primary_key=True)
    n: Mapped[int]


class AnswerFilterCount(db.Model):
    """How many answers of the public answers read model a list with these filters counts
    (app/transparency/answer_counts.py keeps it with `public_answers`): the centre's lists
    and `/api/v1/answers` read one row here instead of counting their rows, for up to two
    filters (more filters narrow a list to a short range of an index, counted there).

    `scope` names the list ("p3": principle 3's answers on the centre, "p3:<lineage>": one
    question's, "api": the API's), `filter_key` the filters applied, in a fixed order
    ("" for none; "year=2025&country=US")."""

    __tablename__ = "answer_filter_counts"

    scope: Mapped[str] = mapped_column(String(60), primary_key=True)
    filter_key: Mapped[str] = mapped_column(String(160), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
