"""People who log in: the secretariat and member representatives."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from enum import StrEnum
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db

if TYPE_CHECKING:
    from app.members.models import Organisation

_hasher = PasswordHasher()


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    REPRESENTATIVE = "representative"


def _new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(TimestampMixin, UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Rotated on logout / password change / disabling: old session cookies stop working.
    session_token: Mapped[str] = mapped_column(String(64), default=_new_session_token)
    active: Mapped[bool] = mapped_column(default=True)
    invited_at: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]
    locale: Mapped[str | None] = mapped_column(String(10))

    organisation: Mapped[Organisation | None] = relationship(back_populates="representatives")

    # Flask-Login ------------------------------------------------------------
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active and self.password_hash is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    # Roles -------------------------------------------------------------------
    @property
    def is_secretariat(self) -> bool:
        return self.role == Role.SECRETARIAT

    @property
    def is_representative(self) -> bool:
        return self.role == Role.REPRESENTATIVE

    # Passwords ----------------------------------------------------------------
    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)
        self.rotate_session()

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def rotate_session(self) -> None:
        self.session_token = _new_session_token()

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def dummy_password_check() -> None:
    """Spend the same time as a real check, so timing does not reveal unknown emails."""
    with contextlib.suppress(VerificationError):
        _hasher.verify(_DUMMY_HASH, "not-the-password")


_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))
