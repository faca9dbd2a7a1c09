"""Figures for the home page: plain queries, one per figure, constant in number."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core.cache import cache
from app.db import db


def home_figures() -> dict:
    from app.charter.services import current_version
    from app.members.models import Organisation, Status

    def count() -> tuple[int, int]:
        row = db.session.execute(
            select(
                func.count(Organisation.id), func.count(func.distinct(Organisation.country))
            ).where(Organisation.status.in_([Status.ACTIVE, Status.NON_COMMUNICATING]))
        ).one()
        return int(row[0]), int(row[1])

    # A scan of every organisation: kept in the shared cache until a member changes.
    members = cache.memoize_fragment("home-figures", "members", count)
    # The version in force, not merely the latest published (which may be upcoming).
    charter = current_version()
    return {"members": members[0], "countries": members[1], "charter": charter}
