"""Charter versions and principles (issue 3 fills in drafting, publishing, comparing)."""

from __future__ import annotations

from sqlalchemy import select

from app.charter.models import CharterVersion, VersionStatus
from app.db import db


def current_version() -> CharterVersion | None:
    """The version in force: the published one with the highest number."""
    return db.session.scalar(
        select(CharterVersion)
        .where(CharterVersion.status == VersionStatus.PUBLISHED)
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )
