"""The home page and the secretariat's audit trail."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from app.core.forms import AuditFilterForm
from app.core.home import home_figures
from app.core.http_cache import HOME_TOPICS, public_page
from app.core.params import int_arg
from app.core.services import AuditFilters, audit_page
from app.db import db
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
    db.session.execute(select(1))
    return {"status": "ok"}
