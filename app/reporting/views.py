"""Reporting pages: the blueprint and its route modules (see app/reporting/blueprint.py)."""

from app.reporting import (  # noqa: F401  (importing registers the routes and panels)
    cycle_views,
    panels,
    public_views,
    report_views,
)
from app.reporting.blueprint import bp

__all__ = ["bp"]
