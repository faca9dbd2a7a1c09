"""Transparency report pages (filled in by issue 6)."""

from flask import Blueprint, render_template

from app.security import secretariat_required

bp = Blueprint("transparency", __name__)


@bp.route("/reports")
def archive():
    return render_template("core/placeholder.html", title="Reports")


@bp.route("/secretariat/annual-reports")
@secretariat_required
def admin_index():
    return render_template("core/placeholder.html", title="Annual reports")
