"""Figures for the home page: plain queries, one per figure, constant in number."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db


def home_figures() -> dict:
    from app.charter.services import current_version
    from app.members.models import Organisation, Status

    members = db.session.execute(
        select(func.count(Organisation.id), func.count(func.distinct(Organisation.country)))
        .where(Organisation.status.in_([Status.ACTIVE, Status.NON_COMMUNICATING]))
    ).one()
    # The version in force, not merely the latest published (which may be upcoming).
    charter = current_version()
    return {"members": members[0], "countries": members[1], "charter": charter}
