"""Reporting pages (filled in by issue 5)."""

from flask import Blueprint, render_template

from app.security import secretariat_required

bp = Blueprint("reporting", __name__)


@bp.route("/secretariat/cycles")
@secretariat_required
def admin_cycles():
    return render_template("core/placeholder.html", title="Reporting cycles")
