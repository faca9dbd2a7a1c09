"""Whom reporting writes to, and the links its mail points to.

Shared by the review (`reporting.review`) and the deadline rules (`reporting.deadlines`,
extensions included), so neither imports the other for them. Links are absolute URLs built
from PACTUM_SERVER_URL (`app.core.links`): no request is needed, mail can go from cron.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select

from app.accounts.models import Role, User
from app.core.links import external_url
from app.db import db


def representative_emails(organisation_ids: Iterable[int]) -> dict[int, list[str]]:
    """Email addresses of the representatives who can log in, per organisation (one query)."""
    ids = list(set(organisation_ids))
    result: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(User.organisation_id, User.email)
        .where(
            User.organisation_id.in_(ids),
            User.role == Role.REPRESENTATIVE,
            User.active.is_(True),
            User.password_hash.is_not(None),
        )
        .order_by(User.email)
    ).all()
    for org_id, email in rows:
        result[org_id].append(email)
    return result


def report_link(cycle_year: int) -> str:
    """Where a representative finds the report: its page, else the dashboard."""
    if "reporting.report" in current_app.view_functions:
        return external_url("reporting.report", year=cycle_year)
    return external_url("accounts.dashboard")
