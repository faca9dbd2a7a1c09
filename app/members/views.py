"""Member pages (filled in by issue 4)."""

from flask import Blueprint, render_template

from app.security import secretariat_required

bp = Blueprint("members", __name__)


@bp.route("/members")
def directory():
    return render_template("core/placeholder.html", title="Members")


@bp.route("/members/<slug>")
def profile(slug):
    return render_template("core/placeholder.html", title=slug)


@bp.route("/join")
def join():
    return render_template("core/placeholder.html", title="Join")


@bp.route("/open-data")
def api_docs():
    return render_template("core/placeholder.html", title="Open data")


@bp.route("/secretariat/organisations")
@secretariat_required
def admin_index():
    return render_template("core/placeholder.html", title="Organisations")


@bp.route("/secretariat/applications")
@secretariat_required
def admin_applications():
    return render_template("core/placeholder.html", title="Applications")
