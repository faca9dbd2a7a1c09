"""Organisations (signatories), their status history, endorsements and pledges."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    DDL,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db, utcnow


class Category(StrEnum):
    COMPANY = "company"
    CIVIL_SOCIETY = "civil_society"
    ACADEMIA = "academia"
    GOVERNMENT = "government"
    OTHER = "other"


class SizeBand(StrEnum):
    MICRO = "1-9"
    SMALL = "10-49"
    MEDIUM = "50-249"
    LARGE = "250-4999"
    XLARGE = "5000+"


class Status(StrEnum):
    APPLICANT = "applicant"
    ACTIVE = "active"
    NON_COMMUNICATING = "non_communicating"
    DELISTED = "delisted"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


class PledgeStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    MISSED = "missed"
    WITHDRAWN = "withdrawn"


class ApplicationState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


# Statuses shown in the public directory (applicants and rejected applications never are).
PUBLIC_STATUSES = (
    Status.ACTIVE,
    Status.NON_COMMUNICATING,
    Status.SUSPENDED,
    Status.DELISTED,
    Status.WITHDRAWN,
)
# One definition of "member" everywhere (issue 16): the organisations in the alliance,
# suspended ones included (the annual report's IN_ALLIANCE); the directory also lists the
# former members, and says how many of its organisations they are.
MEMBER_STATUSES = (Status.ACTIVE, Status.NON_COMMUNICATING, Status.SUSPENDED)
FORMER_MEMBER_STATUSES = (Status.DELISTED, Status.WITHDRAWN)


class Sector(db.Model):
    __tablename__ = "sectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        Index("ix_organisations_status_name", "status", "name_key"),
        Index("ix_organisations_country_status", "country", "status"),
        Index("ix_organisations_status_joined", "status", "joined_on"),
        # The public directory (app/members/directory/): every column its filters, facet
        # counts and name order read, so a page (however deep), a name search and the counts
        # are walks of this index that never touch the wide table rows.
        Index(
            "ix_organisations_directory",
            "name_key",
            "status",
            "joined_on",
            "country",
            "sector_id",
            "category",
        ),
        # Substring search on names: a trigram GIN index on PostgreSQL (pg_trgm). SQLite has
        # no such index type; there it is an empty partial index (WHERE 0), kept so that both
        # databases hold the schema the models describe, and search walks the index above.
        Index(
            "ix_organisations_name_trgm",
            "name_key",
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
            sqlite_where=false(),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased, whitespace-collapsed name: uniqueness and sorting.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    legal_name: Mapped[str] = mapped_column(String(300), default="")
    # active_history: the directory's counts (directory/facets.py) need the value a change
    # replaces, even when the attribute was not loaded before it was set.
    country: Mapped[str] = mapped_column(String(2), index=True, active_history=True)
    sector_id: Mapped[int | None] = mapped_column(
        ForeignKey("sectors.id"), index=True, active_history=True
    )
    category: Mapped[str] = mapped_column(String(20), index=True, active_history=True)
    size_band: Mapped[str] = mapped_column(String(20), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    description_md: Mapped[str] = mapped_column(Text, default="")
    logo_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    status: Mapped[str] = mapped_column(
        String(20), default=Status.APPLICANT, index=True, active_history=True
    )
    status_since: Mapped[dt.datetime] = mapped_column(default=utcnow)
    joined_on: Mapped[dt.date | None] = mapped_column(index=True, active_history=True)
    # Denormalised for the directory: the charter version this member last endorsed.
    endorsed_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("charter_versions.id", ondelete="SET NULL", use_alter=True)
    )
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    sector: Mapped[Sector | None] = relationship()
    endorsed_version = relationship("CharterVersion")
    representatives = relationship("User", back_populates="organisation")
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="organisation",
        order_by="StatusChange.at",
        cascade="all, delete-orphan",
    )
    endorsements: Mapped[list[Endorsement]] = relationship(
        back_populates="organisation", order_by="Endorsement.endorsed_on"
    )
    pledges: Mapped[list[Pledge]] = relationship(back_populates="organisation")
    application: Mapped[Application | None] = relationship(back_populates="organisation")

    @property
    def is_member(self) -> bool:
        return self.status not in (Status.APPLICANT, Status.REJECTED)

    @property
    def is_listed(self) -> bool:
        """Shown in the public directory: it has been a member, and is not an application."""
        return self.status in PUBLIC_STATUSES and self.joined_on is not None

    def __repr__(self) -> str:
        return f"<Organisation {self.slug} {self.status}>"


class OrganisationSlug(db.Model):
    """A slug an organisation had before a rename. Its old URLs answer 301 to the current
    ones (`app.members.slug_views`), and no other organisation may ever take it
    (`app.members.slugs.unique_slug`); it is deleted when it becomes current again."""

    __tablename__ = "organisation_slugs"

    slug: Mapped[str] = mapped_column(String(220), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    retired_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Whether its URLs were public: the organisation was listed when it was renamed. A slug
    # an application had before it was approved was never published, and would tell its
    # former name: it redirects for the secretariat and the representatives only.
    was_listed: Mapped[bool] = mapped_column(default=False)


# The trigram index needs PostgreSQL's pg_trgm extension (migration 0002 creates it too).
event.listen(
    Organisation.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


class StatusChange(db.Model):
    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")  # internal
    public_reason: Mapped[str] = mapped_column(Text, default="")  # shown on the profile
    # Applicant-stage changes are not public; membership changes are.
    is_public: Mapped[bool] = mapped_column(default=True)

    organisation: Mapped[Organisation] = relationship(back_populates="status_changes")
    by_user = relationship("User")


class Application(TimestampMixin, db.Model):
    """A request to join, made through /join, decided by the secretariat."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_title: Mapped[str] = mapped_column(String(200), default="")
    motivation: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default=ApplicationState.PENDING, index=True)
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    # The endorsement signed with the application; recorded as an Endorsement on approval.
    charter_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("charter_versions.id", ondelete="SET NULL")
    )
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    authorised_to_sign: Mapped[bool] = mapped_column(default=False)

    organisation: Mapped[Organisation] = relationship(back_populates="application")
    charter_version = relationship("CharterVersion")
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class Endorsement(TimestampMixin, db.Model):
    __tablename__ = "endorsements"
    __table_args__ = (
        UniqueConstraint(
            "organisation_id", "charter_version_id", name="uq_endorsements_org_version"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    charter_version_id: Mapped[int] = mapped_column(ForeignKey("charter_versions.id"), index=True)
    signatory_name: Mapped[str] = mapped_column(String(200))
    signatory_title: Mapped[str] = mapped_column(String(200))
    endorsed_on: Mapped[dt.date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(back_populates="endorsements")
    charter_version = relationship("CharterVersion")


pledge_principles = Table(
    "pledge_principles",
    db.Model.metadata,
    Column("pledge_id", ForeignKey("pledges.id", ondelete="CASCADE"), primary_key=True),
    Column("principle_id", ForeignKey("principles.id"), primary_key=True),
)


class Pledge(TimestampMixin, db.Model):
    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description_md: Mapped[str] = mapped_column(Text, default="")
    target_date: Mapped[dt.date | None]
    indicator: Mapped[str] = mapped_column(String(300), default="")
    is_public: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(20), default=PledgeStatus.PLANNED, index=True)
    status_since: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="pledges")
    principles = relationship("Principle", secondary=pledge_principles, order_by="Principle.id")
    updates: Mapped[list[PledgeUpdate]] = relationship(
        back_populates="pledge", order_by="PledgeUpdate.at", cascade="all, delete-orphan"
    )


class PledgeUpdate(db.Model):
    """A dated entry in a pledge's history: a status and/or a progress note."""

    __tablename__ = "pledge_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when the update came from a submitted yearly report.
    report_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_versions.id", ondelete="SET NULL")
    )
    verified_at: Mapped[dt.datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    pledge: Mapped[Pledge] = relationship(back_populates="updates")
    by_user = relationship("User", foreign_keys=[by_user_id])
    verified_by = relationship("User", foreign_keys=[verified_by_id])


class DirectoryFacet(db.Model):
    """How many listed members each directory filter value gives, for every combination of
    the other filters (app/members/directory/facets.py keeps it with every write to an
    organisation): a directory page reads its counts here instead of counting the members.

    `filter_key` names the filters applied ("" for none; "country=KE&sector=3"), `facet`
    the filter counted, `value` its value (a string, as the page's counts are)."""

    __tablename__ = "directory_facets"

    filter_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    facet: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


# SQLite: the trigram full-text index of the names, for the directory's name search (on
# PostgreSQL the pg_trgm index above). External content (organisations), kept equal by
# triggers; the same statements as migration 0011 (which cannot import the app).
NAME_FTS_TABLE = "organisations_fts"
NAME_FTS_CREATE = (
    f"CREATE VIRTUAL TABLE {NAME_FTS_TABLE} USING fts5(name_key, content='organisations', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER organisations_fts_ai AFTER INSERT ON organisations BEGIN "
    f"INSERT INTO {NAME_FTS_TABLE}(rowid, name_key) VALUES (new.id, new.name_key); END",
    f"CREATE TRIGGER organisations_fts_ad AFTER DELETE ON organisations BEGIN "
    f"INSERT INTO {NAME_FTS_TABLE}({NAME_FTS_TABLE}, rowid, name_key) "
    "VALUES ('delete', old.id, old.name_key); END",
    f"CREATE TRIGGER organisations_fts_au AFTER UPDATE OF name_key ON organisations BEGIN "
    f"INSERT INTO {NAME_FTS_TABLE}({NAME_FTS_TABLE}, rowid, name_key) "
    "VALUES ('delete', old.id, old.name_key); "
    f"INSERT INTO {NAME_FTS_TABLE}(rowid, name_key) VALUES (new.id, new.name_key); END",
)
NAME_FTS_DROP = (
    "DROP TRIGGER IF EXISTS organisations_fts_au",
    "DROP TRIGGER IF EXISTS organisations_fts_ad",
    "DROP TRIGGER IF EXISTS organisations_fts_ai",
    f"DROP TABLE IF EXISTS {NAME_FTS_TABLE}",
)
for _statement in NAME_FTS_CREATE:
    event.listen(
        Organisation.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
for _statement in NAME_FTS_DROP:
    event.listen(
        Organisation.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite")
    )
