"""Charter versions and their principles.

A `Principle` is the stable identity of a principle across versions ("principle 3");
a `PrincipleText` is its wording, number and theme in one `CharterVersion`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class CharterVersion(TimestampMixin, db.Model):
    __tablename__ = "charter_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Sequential public number (v1, v2 …); drafts carry the number they will get.
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(200))
    preamble_md: Mapped[str] = mapped_column(Text, default="")
    change_summary: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default=VersionStatus.DRAFT, index=True)
    effective_date: Mapped[dt.date | None]
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    based_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("charter_versions.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    texts: Mapped[list[PrincipleText]] = relationship(
        back_populates="version",
        order_by="PrincipleText.position",
        cascade="all, delete-orphan",
    )
    published_by = relationship("User", foreign_keys=[published_by_id])
    based_on = relationship("CharterVersion", remote_side=[id])

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<CharterVersion v{self.number} {self.status}>"


class Principle(TimestampMixin, db.Model):
    """The identity of a principle, shared by its wordings in every version."""

    __tablename__ = "principles"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A short stable key for citation and for data exports (e.g. "P3").
    key: Mapped[str] = mapped_column(String(20), unique=True)

    texts: Mapped[list[PrincipleText]] = relationship(back_populates="principle")


class PrincipleText(db.Model):
    __tablename__ = "principle_texts"
    __table_args__ = (
        UniqueConstraint("version_id", "principle_id", name="uq_principle_texts_version_principle"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("charter_versions.id", ondelete="CASCADE"))
    principle_id: Mapped[int] = mapped_column(ForeignKey("principles.id"), index=True)
    number: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(100), default="")

    version: Mapped[CharterVersion] = relationship(back_populates="texts")
    principle: Mapped[Principle] = relationship(back_populates="texts")
