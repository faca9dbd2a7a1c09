"""The second factor's pages: enrolment, the code step of the login, and the secretariat's
reset. A secretariat account without a second factor is sent to enrolment first."""

from __future__ import annotations

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from markupsafe import Markup

from app import clock
from app.accounts import services as account_services
from app.accounts.mfa import services
from app.accounts.mfa.forms import CodeForm, ConfirmCodeForm, StartForm
from app.accounts.models import User
from app.core.forms import error_status
from app.core.uow import refusal_into
from app.db import db
from app.extensions import limiter
from app.security import login_required, secretariat_required

bp = Blueprint("mfa", __name__)

PENDING = "mfa_pending"
PENDING_SECONDS = 300
MAX_FAILURES = 5
# What a secretariat account may still reach before it has a second factor.
ENROLMENT_ENDPOINTS = {"mfa.setup", "mfa.start", "mfa.confirm", "accounts.logout", "static"}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _actor() -> User:
    return current_user._get_current_object()


@bp.before_app_request
def _require_second_factor():
    if not current_app.config.get("REQUIRE_SECOND_FACTOR"):
        return None
    if request.endpoint in ENROLMENT_ENDPOINTS or request.endpoint is None:
        return None
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return None  # no session, nobody logged in: public pages stay uncookied
    if not current_user.is_authenticated or not services.required_for(current_user):
        return None
    if services.has_factor(current_user):
        return None
    flash(_("Secretariat accounts need a second factor: set it up before you go on."), "info")
    return redirect(url_for("mfa.setup"))


# The login's second step --------------------------------------------------------------------


def begin_login(user: User, remember: bool, next_url: str | None) -> None:
    """The password was right: remember who is half logged in, for a few minutes."""
    session[PENDING] = {
        "uid": user.id,
        "st": user.session_token,
        "remember": bool(remember),
        "next": next_url,
        "at": int(clock.now().timestamp()),
        "fails": 0,
    }


def _pending_user(pending) -> User | None:
    if (
        not isinstance(pending, dict)
        or clock.now().timestamp() - pending.get("at", 0) > PENDING_SECONDS
    ):
        return None
    user = db.session.get(User, pending.get("uid") or 0)
    if user is None or not user.is_active or user.session_token != pending.get("st"):
        return None
    return user


def _record_throttling(_limit) -> None:
    """Flask-Limiter's `on_breach`: the 429 that follows is recorded for the audit trail."""
    account_services.throttled(f"{request.method} {request.path}", request.remote_addr)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], on_breach=_record_throttling)
def code():
    pending = session.get(PENDING)
    user = _pending_user(pending)
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            method = services.verify(user, form.code.data)
        if not refused:
            session.pop(PENDING, None)
            account_services.logged_in(user, request.remote_addr, second_factor=method)
            login_user(user, remember=pending["remember"])
            return redirect(pending.get("next") or url_for("accounts.dashboard"))
        account_services.code_refused(user, request.remote_addr)
        pending["fails"] = pending.get("fails", 0) + 1
        if pending["fails"] >= MAX_FAILURES:
            session.pop(PENDING, None)
            flash(_("Too many wrong codes. Please log in again."), "error")
            return redirect(url_for("accounts.login"))
        session[PENDING] = pending
    return render_template("accounts/mfa_code.html", form=form), error_status(form)


# Enrolment and management ---------------------------------------------------------------------


def _qr(uri: str) -> Markup:
    svg = segno.make(uri, error="m").svg_inline(
        scale=5,
        title=_("QR code to scan with your authenticator app"),
        dark="#10243e",
        omitsize=True,
    )
    return Markup(svg)  # noqa: S704 - drawn here from our own otpauth URI


def _render_setup(code_form=None, codes=None, status: int = 200):
    actor = _actor()
    enrolment = services.pending_enrolment(actor)
    return render_template(
        "accounts/mfa_setup.html",
        enrolled=services.has_factor(actor),
        required=services.required_for(actor),
        enrolment=enrolment,
        qr=_qr(enrolment.uri) if enrolment else None,
        remaining=services.remaining_codes(actor),
        form=code_form or ConfirmCodeForm(),
        start=StartForm(),
        codes=codes,
    ), status


@bp.route("/account/second-factor")
@login_required
def setup():
    return _render_setup()


@bp.post("/account/second-factor/start")
@login_required
def start():
    if StartForm().validate_on_submit():
        with refusal_into() as refused:
            services.start_enrolment(_actor())
        if refused:
            flash(refused.message, "error")
    return redirect(url_for("mfa.setup"))


@bp.post("/account/second-factor/confirm")
@login_required
def confirm():
    form = ConfirmCodeForm()
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            codes = services.confirm_enrolment(_actor(), form.code.data)
        if not refused:
            flash(_("Your second factor is set up."), "success")
            return _render_setup(codes=codes)
    return _render_setup(form, status=error_status(form))


@bp.post("/account/second-factor/recovery-codes")
@login_required
def recovery_codes():
    form = ConfirmCodeForm()
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            codes = services.regenerate_codes(_actor(), form.code.data)
        if not refused:
            flash(_("Here are your new recovery codes; the old ones no longer work."), "success")
            return _render_setup(codes=codes)
    return _render_setup(form, status=error_status(form))


@bp.post("/account/second-factor/disable")
@login_required
def disable():
    form = ConfirmCodeForm()
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            services.disable(_actor(), form.code.data)
        if not refused:
            flash(_("The second factor is turned off."), "success")
            return redirect(url_for("mfa.setup"))
        return _render_setup(form, status=refused.status)
    return _render_setup(form, status=error_status(form))


# The secretariat resets a lost second factor ---------------------------------------------------


@bp.route("/secretariat/users/<int:user_id>/second-factor", methods=["GET", "POST"])
@secretariat_required
def admin_reset(user_id: int):
    user = db.get_or_404(User, user_id)
    form = StartForm()
    if form.validate_on_submit():
        with refusal_into() as refused:
            services.reset(_actor(), user)
        if not refused:
            flash(_("The second factor of %(email)s was removed.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
        flash(refused.message, "error")
        return redirect(url_for("mfa.admin_reset", user_id=user.id))
    return render_template(
        "accounts/mfa_reset.html",
        person=user,
        enrolled=services.factor_of(user) is not None,
        form=form,
        is_self=user.id == _actor().id,
    )
