"""Dashboard panels of issue 5 part B: review and extensions.

Imported by `review.views` so they register. Each plans its own queries (a fixed number).
"""

from __future__ import annotations

from app.accounts.models import Role
from app.core.dashboard import panel
from app.members.cards import organisation_card
from app.reporting.cycles import must_report
from app.reporting.deadlines import extensions
from app.reporting.filling.standing import standing
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
def extension_panel(user, shared) -> dict | None:
    """The organisation's due date in the open cycle, and its extension requests: from the
    organisation and the standing the yearly-report panel read (no statement of its own)."""
    organisation = shared.of(organisation_card, user.organisation_id)
    if organisation is None:
        return None
    found = shared.of(standing, organisation.id)
    cycle = found.cycle
    if cycle is None:
        return None
    submitted = found.report is not None and found.report.current_version_id is not None
    info = extensions.status_from(cycle, organisation, found.extensions, submitted)
    if submitted and not info.history:
        return None  # reported already, nothing to ask for or to show
    if not info.history and not must_report(cycle, organisation):
        return None
    return {"template": "reporting/review/_panel_extension.html", "info": info, "cycle": cycle}
