"""The secretariat's reporting panel of the dashboard (the representative's is in
app/reporting/filling/panels.py)."""

from __future__ import annotations

from sqlalchemy import select

from app import clock
from app.core.dashboard import panel
from app.db import db
from app.reporting import cycles
from app.reporting.models import CycleStatus, ReportingCycle

# Dashboard panels ---------------------------------------------------------------------------------


@panel(20, "secretariat")
def cycle_progress_panel(user):
    cycle = cycles.open_cycle_now()
    if cycle is None:
        draft = db.session.scalar(
            select(ReportingCycle)
            .where(ReportingCycle.status == CycleStatus.DRAFT)
            .order_by(ReportingCycle.year.desc())
            .limit(1)
        )
        return {
            "template": "reporting/_panel_cycle_progress.html",
            "cycle": None,
            "draft": draft,
            "stats": None,
        }
    return {
        "template": "reporting/_panel_cycle_progress.html",
        "cycle": cycle,
        "draft": None,
        "stats": cycles.progress(cycle),
        "today": clock.today(),
    }
