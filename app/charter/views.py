"""Charter pages (filled in by issue 3)."""

from flask import Blueprint, render_template

from app.security import secretariat_required

bp = Blueprint("charter", __name__)


@bp.route("/charter")
def current():
    return render_template("core/placeholder.html", title="Charter")


@bp.route("/secretariat/charter")
@secretariat_required
def admin_index():
    return render_template("core/placeholder.html", title="Charter versions")
