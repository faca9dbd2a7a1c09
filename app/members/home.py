"""The members' figures on the home page: how many members (`MEMBER_STATUSES`, the same
definition as the directory's heading), from how many countries."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core.cache import cache
from app.core.home import figure
from app.db import db
from app.members.models import MEMBER_STATUSES, Organisation


def _count() -> tuple[int, int]:
    row = db.session.execute(
        select(func.count(Organisation.id), func.count(func.distinct(Organisation.country))).where(
            Organisation.status.in_(MEMBER_STATUSES)
        )
    ).one()
    return int(row[0]), int(row[1])


@figure(10)
def member_figures() -> dict:
    # A scan of every organisation: kept in the shared cache until a member changes.
    members = cache.memoize_fragment("home-figures", "members", _count)
    return {"members": members[0], "countries": members[1]}
