"""Who must report in a cycle, by when, and how far they got.

Read by filling (may this organisation report?), deadlines and extensions (whose date has
passed, what date counts after an extension), review (the queue) and the secretariat's
cycle page. Imports nothing from those modules, so each of them may import this one at
module level.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, case, func, select

from app.db import db
from app.members.models import Organisation, Status
from app.reporting.models import (
    Extension,
    ExtensionState,
    Report,
    ReportingCycle,
    ReportState,
)

REPORTING_STATUSES = (Status.ACTIVE, Status.NON_COMMUNICATING)

# The cycle page lists the first organisations only: the review queue (filters, search, pages)
# is where the secretariat goes through all of them, 25,000 in a large alliance.
CYCLE_PAGE_ROWS = 50


def must_report(cycle: ReportingCycle, organisation: Organisation) -> bool:
    return (
        organisation.category in (cycle.categories or [])
        and organisation.status in REPORTING_STATUSES
    )


def may_report(cycle: ReportingCycle, organisation: Organisation) -> bool:
    """Obligated members, and delisted ones, who come back by reporting again."""
    return organisation.category in (cycle.categories or []) and organisation.status in (
        *REPORTING_STATUSES,
        Status.DELISTED,
    )


def obligated_organisations(cycle: ReportingCycle) -> Select:
    return (
        select(Organisation)
        .where(
            Organisation.category.in_(list(cycle.categories or [])),
            Organisation.status.in_(list(REPORTING_STATUSES)),
        )
        .order_by(Organisation.name_key)
    )


def effective_due_date(cycle: ReportingCycle, organisation_id: int) -> dt.date:
    granted = db.session.scalar(
        select(Extension.new_due_on)
        .where(
            Extension.cycle_id == cycle.id,
            Extension.organisation_id == organisation_id,
            Extension.state == ExtensionState.GRANTED,
            Extension.new_due_on.is_not(None),
        )
        .order_by(Extension.decided_at.desc(), Extension.id.desc())
        .limit(1)
    )
    return granted or cycle.due_on


def progress(cycle: ReportingCycle) -> dict:
    """How many organisations must report, have started, submitted, been accepted."""
    obligated = obligated_organisations(cycle).with_only_columns(Organisation.id).order_by(None)
    obligated_count = db.session.scalar(select(func.count()).select_from(obligated.subquery()))
    row = db.session.execute(
        select(
            func.count(Report.id),
            func.count(case((Report.first_submitted_at.is_not(None), 1))),
            func.count(case((Report.state == ReportState.ACCEPTED, 1))),
            func.count(case((Report.state == ReportState.RETURNED, 1))),
        ).where(
            Report.cycle_id == cycle.id,
            Report.organisation_id.in_(obligated),
            (Report.revision > 0) | Report.first_submitted_at.is_not(None),
        )
    ).one()
    return {
        "obligated": obligated_count or 0,
        "started": row[0],
        "submitted": row[1],
        "accepted": row[2],
        "returned": row[3],
    }


def organisation_rows(
    cycle: ReportingCycle, limit: int = CYCLE_PAGE_ROWS
) -> tuple[list[dict], int]:
    """The first organisations (by name) that must report, with their report's state, and
    how many must report in all."""
    obligated_query = obligated_organisations(cycle)
    obligated = db.session.scalars(obligated_query.limit(limit)).all()
    total = db.session.scalar(
        select(func.count()).select_from(obligated_query.order_by(None).subquery())
    )
    reports = {
        r.organisation_id: r
        for r in db.session.scalars(
            select(Report).where(
                Report.cycle_id == cycle.id,
                Report.organisation_id.in_([org.id for org in obligated]),
            )
        )
    }
    rows = [
        {"organisation": org, "report": reports.get(org.id), "obligated": True} for org in obligated
    ]
    return rows, total or 0


def find_organisation(slug: str) -> Organisation | None:
    """The organisation whose report the secretariat opens, by its slug (any status)."""
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))
