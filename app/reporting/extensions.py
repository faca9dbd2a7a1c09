"""Deadline extensions now live in `app.reporting.deadlines.extensions`."""

from app.reporting.deadlines.extensions import (  # noqa: F401  (old path kept for importers)
    EXTENSION_FILTERS,
    MAX_EXTENSION_DAYS,
    MAX_NOTE,
    MAX_REASON,
    ExtensionStatus,
    get_extension,
    grant,
    list_extensions,
    pending_extensions,
    refuse,
    request_extension,
    status_for,
)
