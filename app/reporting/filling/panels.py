"""The representative's dashboard panel: their report in the open cycle, and earlier ones."""

from __future__ import annotations

from app.core.dashboard import panel
from app.members.cards import organisation_card
from app.reporting.filling.standing import obligations_summary, standing


@panel(20, "representative")
def obligations_panel(user, shared):
    """Plain records, shared with the other panels: the organisation and its standing in
    the open cycle (`standing`, three statements), then the draft's progress (two)."""
    organisation = shared.of(organisation_card, user.organisation_id)
    if organisation is None:
        return None
    found = obligations_summary(shared.of(standing, organisation.id), organisation)
    if found is None:
        return None
    return {
        "template": "reporting/_panel_obligations.html",
        "current": found["current"],
        "past": found["past"],
        "organisation": organisation,
    }
