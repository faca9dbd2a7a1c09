"""The reporting panels of the dashboard."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import defer

from app import clock
from app.core.dashboard import panel
from app.db import db
from app.reporting import cycles, filling
from app.reporting.models import (
    CycleStatus,
    Report,
    ReportingCycle,
    ReportVersion,
)

# Dashboard panels ---------------------------------------------------------------------------------


@panel(20, "representative")
def obligations_panel(user):
    organisation = user.organisation
    if organisation is None:
        return None
    cycle = cycles.open_cycle_now()
    current = None
    if cycle is not None:
        report = filling.find_report(cycle, organisation.id)
        if report is not None or cycles.may_report(cycle, organisation):
            due = cycles.effective_due_date(cycle, organisation.id)
            progress = filling.draft_progress(report) if report is not None else None
            current = {
                "cycle": cycle,
                "report": report,
                "due": due,
                "days_left": (due - clock.today()).days,
                "state": report.state if report is not None else "not_started",
                "progress": progress,
            }
    past = db.session.execute(
        select(ReportingCycle, Report, ReportVersion)
        .join(Report, Report.cycle_id == ReportingCycle.id)
        .outerjoin(ReportVersion, ReportVersion.id == Report.current_version_id)
        .where(
            Report.organisation_id == organisation.id,
            ReportingCycle.id != (cycle.id if cycle is not None else 0),
        )
        .order_by(ReportingCycle.year.desc())
        .limit(10)
        .options(defer(ReportVersion.snapshot))  # 10-15 kB of JSON each; the list shows none
    ).all()
    if current is None and not past:
        return None
    return {
        "template": "reporting/_panel_obligations.html",
        "current": current,
        "past": past,
        "organisation": organisation,
    }


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
