"""The home page and the secretariat's audit trail."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from app.core.home import home_figures
from app.core.http_cache import HOME_TOPICS, public_page
from app.core.models import AuditEvent
from app.core.params import int_arg
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
    page = int_arg(request.args, "page", 1)
    per_page = 50
    total = db.session.scalar(select(func.count(AuditEvent.id)))
    events = db.session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    pages = max(1, -(-total // per_page))
    return render_template("core/audit.html", events=events, page=page, pages=pages, total=total)


@bp.route("/healthz")
def healthz():
    db.session.execute(select(1))
    return {"status": "ok"}
