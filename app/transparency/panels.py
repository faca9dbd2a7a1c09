"""The secretariat's dashboard panel: the annual report of each closed cycle."""

from __future__ import annotations

from app.core.dashboard import panel
from app.transparency.services import overview


@panel(40, "secretariat")
def annual_reports(user) -> dict | None:
    rows = overview(user)
    return {"template": "transparency/_panel.html", "rows": rows[:5], "more": len(rows) > 5}
