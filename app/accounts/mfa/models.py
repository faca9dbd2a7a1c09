"""A user's second factor and recovery codes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import db, utcnow


class SecondFactor(db.Model):
    """The TOTP secret of one user; `confirmed_at` is empty while enrolment is under way."""

    __tablename__ = "second_factors"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[dt.datetime | None]
    # The time step of the last code accepted: a code works once, and no older one after it.
    last_step: Mapped[int] = mapped_column(default=0)


class RecoveryCode(db.Model):
    """One single-use recovery code, kept as a SHA-256 (the codes carry 50 random bits)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None]
