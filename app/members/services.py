"""Organisations, statuses, endorsements and pledges (issue 4 extends this)."""

from __future__ import annotations

from sqlalchemy import select

from app.db import db
from app.members.models import Organisation, Status


def organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.status.not_in([Status.REJECTED]))
        .order_by(Organisation.name_key)
    ).all()
    return [(row.id, row.name) for row in rows]
