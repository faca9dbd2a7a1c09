"""Reporting pages: the blueprint and its route modules (see app/reporting/blueprint.py)."""

from app.reporting import (  # noqa: F401  (importing registers the routes and panels)
    panels,
    public_views,
)
from app.reporting.blueprint import bp
from app.reporting.cycles import builder_views  # noqa: F401  (the questionnaire builder)
from app.reporting.cycles import views as cycle_views  # noqa: F401  (the cycle pages)
from app.reporting.filling import (  # noqa: F401  (the representative's pages and panel)
    panels as filling_panels,
)
from app.reporting.filling import (  # noqa: F401  (the representative's pages)
    section_views,
    views,
)
from app.reporting.translations import views as translation_views  # noqa: F401  (translations)
from app.reporting.workbook import views as workbook_views  # noqa: F401  (the workbook pages)

__all__ = ["bp"]
