"""The home page and the secretariat's audit trail."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from sqlalchemy import func, select

from app.core.home import home_figures
from app.core.http_cache import HOME_TOPICS, public_page
from app.core.models import AuditEvent
from app.db import db
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
    page = request.args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and int(page) > 0 else 1
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
    """The database, Redis (when configured) and the outbox backlog; 503 when unhealthy
    (app.ops.health says when, docs/deploy.md "Monitoring")."""
    healthy, body = health.report()
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
