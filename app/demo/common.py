"""What every part of the demo shares: the demo accounts and their password."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

SECRETARIAT_EMAIL = "secretariat@demo.pactum.example"
REPRESENTATIVE_EMAIL = "rep@northwind.example"
DEMO_PASSWORD = "pactum-demo-2026"  # noqa: S105  (published in the README on purpose)

DEMO_LOGINS = [
    ("secretariat", SECRETARIAT_EMAIL, DEMO_PASSWORD),
    ("representative", REPRESENTATIVE_EMAIL, DEMO_PASSWORD),
]


@contextmanager
def request_for_links() -> Iterator[None]:
    """A request to the public address around the demo's calls of services that still call
    `url_for` (issue 14: `app.reporting.review.report_url` when a report is accepted).
    Remove it, and its two uses, once those services build links with `app.core.links`."""
    with current_app.test_request_context("/", base_url=current_app.config["SERVER_URL"]):
        yield
