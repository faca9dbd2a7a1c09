"""Dashboard panels of issue 5 part B: review and extensions.

Imported by `review.views` so they register. Each plans its own queries (a fixed number).
"""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role
from app.core.dashboard import panel
from app.db import db
from app.reporting.cycles import must_report
from app.reporting.deadlines import extensions
from app.reporting.models import CycleStatus, Report, ReportingCycle
from app.reporting.review.queues import awaiting_review


@panel(35, Role.SECRETARIAT)
def review_panel(user) -> dict:
    """Reports awaiting a decision, and extension requests awaiting one."""
    awaiting_total, awaiting = awaiting_review(limit=5)
    pending_total, pending = extensions.pending_extensions(limit=5)
    return {
        "template": "reporting/review/_panel_secretariat.html",
        "awaiting_total": awaiting_total,
        "awaiting": awaiting,
        "pending_total": pending_total,
        "pending": pending,
    }


@panel(25, Role.REPRESENTATIVE)
def extension_panel(user) -> dict | None:
    """The organisation's due date in the open cycle, and its extension requests."""
    organisation = user.organisation
    if organisation is None:
        return None
    cycle = db.session.scalar(
        select(ReportingCycle)
        .where(ReportingCycle.status == CycleStatus.OPEN)
        .order_by(ReportingCycle.year.desc())
        .limit(1)
    )
    if cycle is None:
        return None
    info = extensions.status_for(cycle, organisation)
    submitted = db.session.scalar(
        select(Report.current_version_id).where(
            Report.cycle_id == cycle.id, Report.organisation_id == organisation.id
        )
    )
    if submitted and not info.history:
        return None  # reported already, nothing to ask for or to show
    if not info.history and not must_report(cycle, organisation):
        return None
    return {"template": "reporting/review/_panel_extension.html", "info": info, "cycle": cycle}
