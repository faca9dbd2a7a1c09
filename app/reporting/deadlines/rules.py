"""The dates of the deadline rules, and who is held to them (see `deadlines.tick`)."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import or_

from app.members.models import Organisation
from app.reporting.models import ReportingCycle


def final_date(cycle: ReportingCycle, due: dt.date) -> dt.date:
    """F: the last day of the grace period after the due date `due`."""
    return due + dt.timedelta(days=cycle.grace_days)


def delisting_deadline(final: dt.date) -> dt.date:
    """L: F + DELIST_AFTER_DAYS when that setting is above 0, else 31 December of the year
    in which the organisation became non-communicating (the day F + 1)."""
    days = int(current_app.config.get("DELIST_AFTER_DAYS", 0) or 0)
    if days > 0:
        return final + dt.timedelta(days=days)
    return dt.date((final + dt.timedelta(days=1)).year, 12, 31)


def held_to_deadline(cycle: ReportingCycle, organisation: Organisation) -> bool:
    """Members when the cycle opened are held to its deadline (see `held_condition`)."""
    return organisation.joined_on is None or organisation.joined_on <= cycle.opens_on


def held_condition(cycle: ReportingCycle):
    """SQL condition: the organisation was a member when the cycle opened, so it is held to
    the deadline (an organisation that joins later may report, and is reminded, but is not
    made non-communicating for a cycle it joined in the middle of)."""
    return or_(Organisation.joined_on.is_(None), Organisation.joined_on <= cycle.opens_on)
