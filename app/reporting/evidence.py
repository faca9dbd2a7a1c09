"""Evidence files moved to `app.reporting.filling.evidence`."""

from app.reporting.filling.evidence import (  # noqa: F401  (old path kept for importers)
    ACCEPT_ATTRIBUTE,
    downloadable,
)
