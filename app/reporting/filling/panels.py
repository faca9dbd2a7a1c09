"""The representative's dashboard panel: their report in the open cycle, and earlier ones."""

from __future__ import annotations

from app.core.dashboard import panel
from app.reporting import filling


@panel(20, "representative")
def obligations_panel(user):
    organisation = user.organisation
    if organisation is None:
        return None
    found = filling.obligations(organisation)
    if found is None:
        return None
    return {
        "template": "reporting/_panel_obligations.html",
        "current": found["current"],
        "past": found["past"],
        "organisation": organisation,
    }
