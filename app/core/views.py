"""The home page and the secretariat's audit trail."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from app.core.forms import AuditFilterForm
from app.core.home import home_figures
from app.core.http_cache import HOME_TOPICS, public_page
from app.core.params import int_arg
from app.core.services import AuditFilters, audit_page
from app.ops import health
from app.security import secretariat_required

bp = Blueprint("core", __name__)


@bp.route("/")
@public_page(HOME_TOPICS)
def home():
    return render_template("core/home.html", figures=home_figures())


@bp.route("/secretariat/audit")
@secretariat_required
def audit():
    form = AuditFilterForm(formdata=request.args)
    if not form.validate():  # the errors next to the fields, no events under wrong filters
        return render_template("core/audit.html", form=form, result=None, filtered=True), 422
    filters = AuditFilters(
        form.kind.data or "all", form.email.data or "", form.since.data, form.until.data
    )
    result = audit_page(filters, int_arg(request.args, "page", 1))
    return render_template(
        "core/audit.html", form=form, result=result, filtered=filters != AuditFilters()
    )


@bp.route("/healthz")
def healthz():
    """The database, Redis (when configured) and the outbox backlog; 503 when unhealthy
    (app.ops.health says when, docs/deploy.md "Monitoring")."""
    healthy, body = health.report()
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
