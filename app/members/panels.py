"""Dashboard panels: a representative's organisation at a glance; the secretariat's
applications queue and the latest status changes. Each plans its own few queries."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Role
from app.core.dashboard import panel
from app.db import db
from app.members import cards
from app.members.models import Application, ApplicationState, StatusChange


@panel(10, Role.REPRESENTATIVE)
def member_panel(user, shared):
    """Plain records (`cards`), read with statements built once: the organisation (shared
    with the other panels and the page's heading), the charter version to endorse, pledge
    counts, the active representatives."""
    org = shared.of(cards.organisation_card, user.organisation_id)
    if org is None:
        return None
    version = cards.latest_published_card()
    counts = cards.pledge_counts(org.id)
    return {
        "template": "members/_panel_member.html",
        "org": org,
        "endorse_version": version if cards.endorsement_due(org, version) else None,
        "pledge_counts": counts,
        "pledge_total": sum(counts.values()),
        "representatives": cards.active_representatives(org.id),
    }


@panel(10, Role.SECRETARIAT)
def secretariat_panel(user):
    pending = db.session.scalar(
        select(func.count(Application.id)).where(Application.state == ApplicationState.PENDING)
    )
    recent = list(
        db.session.scalars(
            select(StatusChange)
            .options(joinedload(StatusChange.organisation))
            .order_by(StatusChange.at.desc(), StatusChange.id.desc())
            .limit(6)
        )
    )
    return {"template": "members/_panel_secretariat.html", "pending": pending, "recent": recent}
