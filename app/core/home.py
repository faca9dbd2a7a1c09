"""Figures for the home page: plain queries, one per figure, constant in number."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db


def home_figures() -> dict:
    from app.charter.models import CharterVersion
    from app.members.models import Organisation, Status

    members = db.session.execute(
        select(func.count(Organisation.id), func.count(func.distinct(Organisation.country)))
        .where(Organisation.status.in_([Status.ACTIVE, Status.NON_COMMUNICATING]))
    ).one()
    charter = db.session.scalar(
        select(CharterVersion).where(CharterVersion.status == "published")
        .order_by(CharterVersion.number.desc()).limit(1)
    )
    return {"members": members[0], "countries": members[1], "charter": charter}
