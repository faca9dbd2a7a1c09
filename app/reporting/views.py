"""Reporting pages: the blueprint and its route modules (see app/reporting/blueprint.py)."""

from app.reporting import (  # noqa: F401  (importing registers the routes and panels)
    cycle_views,
    panels,
    public_views,
)
from app.reporting.blueprint import bp
from app.reporting.filling import (  # noqa: F401  (the representative's pages and panel)
    panels as filling_panels,
)
from app.reporting.filling import (  # noqa: F401  (the representative's pages)
    section_views,
    views,
)

__all__ = ["bp"]
