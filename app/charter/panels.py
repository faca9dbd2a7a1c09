"""The secretariat dashboard's charter panel: the version in force, any upcoming one, and
the draft in progress with a link to continue it."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import Role
from app.charter import services
from app.charter.models import PrincipleText
from app.core.dashboard import panel
from app.db import db


@panel(10, Role.SECRETARIAT)
def charter_panel(user) -> dict:
    timeline = services.timeline()
    draft = services.draft_in_progress()
    draft_count = 0
    if draft is not None:
        draft_count = db.session.scalar(
            select(func.count(PrincipleText.id)).where(PrincipleText.version_id == draft.id)
        )
    return {
        "template": "charter/_panel.html",
        "current": timeline.current,
        "upcoming": timeline.upcoming,
        "draft": draft,
        "draft_count": draft_count,
    }
