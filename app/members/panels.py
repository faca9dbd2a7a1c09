"""Dashboard panels: a representative's organisation at a glance; the secretariat's
applications queue and the latest status changes. Each plans its own few queries."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Role
from app.core.dashboard import panel
from app.db import db
from app.members import services
from app.members.models import Application, ApplicationState, Organisation, StatusChange
from app.members.pledges import pledge_summary


@panel(10, Role.REPRESENTATIVE)
def member_panel(user):
    if user.organisation_id is None:
        return None
    org = db.session.scalar(
        select(Organisation)
        .options(joinedload(Organisation.endorsed_version))
        .where(Organisation.id == user.organisation_id)
    )
    if org is None:
        return None
    version = services.latest_published_version()
    counts = pledge_summary(org.id)
    return {
        "template": "members/_panel_member.html",
        "org": org,
        "endorse_version": version if services.endorsement_due(org, version) else None,
        "pledge_counts": counts,
        "pledge_total": sum(counts.values()),
        "representatives": [u for u in services.representatives(org) if u.active],
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
