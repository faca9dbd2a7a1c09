"""The members blueprint. Its routes live in views.py (public pages), manage_views.py
(representatives and the secretariat acting for one organisation) and admin_views.py
(the secretariat's queue, organisations and sectors); slug_views.py turns a 404 for an
old slug into a 301, for every blueprint's routes."""

from flask import Blueprint, current_app, url_for
from flask_login import current_user

bp = Blueprint("members", __name__)


def actor():
    """The acting user for services, or None for a visitor."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def charter_version_url(number: int | None) -> str:
    """The public page of a charter version (the charter's own endpoint when it exists)."""
    if number and "charter.version" in current_app.view_functions:
        return url_for("charter.version", number=number)
    return url_for("charter.current")


def report_pdf_url(slug: str, year: int) -> str | None:
    """The member's public yearly report, once the transparency pages provide it."""
    if "transparency.member_report_pdf" in current_app.view_functions:
        return url_for("transparency.member_report_pdf", slug=slug, year=year)
    return None


def logo_url(slug: str, sha256: str | None) -> str | None:
    if not sha256:
        return None
    return url_for("members.logo", slug=slug, v=sha256[:12])


@bp.context_processor
def _helpers():
    return {
        "charter_version_url": charter_version_url,
        "report_pdf_url": report_pdf_url,
        "logo_url": logo_url,
    }
