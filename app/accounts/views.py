"""Login, logout, dashboard, password reset, invitations and the user list.

The request's unit of work (`app.core.uow`) commits what a successful action did (a
redirect) and rolls back anything answered with an error; a refused service call is rolled
back at once by `refusal_into` and its form shown again."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import services
from app.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    SetPasswordForm,
)
from app.accounts.mfa.services import has_factor
from app.accounts.mfa.views import begin_login
from app.accounts.models import User
from app.core.dashboard import Shared, panels_for
from app.core.forms import error_status
from app.core.params import int_arg
from app.core.uow import refusal_into
from app.db import db
from app.extensions import limiter
from app.members.cards import organisation_card
from app.members.models import Organisation
from app.members.organisations import organisation_choices
from app.security import login_required, secretariat_required

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str | None:
    """Only local paths: refuse //host, /\\host, schemes and control characters."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t") or urlsplit(target).netloc:
        return None
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def record_throttling(_limit) -> None:
    """Flask-Limiter's `on_breach`: the 429 that follows is recorded for the audit trail."""
    services.throttled(f"{request.method} {request.path}", request.remote_addr)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], on_breach=record_throttling)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("accounts.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        if user is not None and has_factor(user):
            begin_login(user, form.remember.data, safe_next(request.args.get("next")))
            return redirect(url_for("mfa.code"))
        if user is not None:
            services.logged_in(user, request.remote_addr)
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("accounts.dashboard"))
        form.form_errors.append(_("Email or password is not correct."))
    return render_template("accounts/login.html", form=form), error_status(form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_authenticated:
            services.end_session(current_user._get_current_object())
        logout_user()
        flash(_("You have logged out."), "success")
        return redirect(url_for("core.home"))
    if not current_user.is_authenticated:
        return redirect(url_for("core.home"))
    return render_template("accounts/logout.html", form=form)


@bp.route("/dashboard")
@login_required
def dashboard():
    shared = Shared()
    panels = panels_for(current_user, shared)
    organisation = (
        shared.of(organisation_card, current_user.organisation_id)
        if current_user.is_representative
        else None
    )
    return render_template("accounts/dashboard.html", panels=panels, organisation=organisation)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], on_breach=record_throttling)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            _(
                "If an account exists for that address, we have sent it a link to choose a new "
                "password. The link works once, for a limited time."
            ),
            "success",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form), error_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = SetPasswordForm()
    try:
        services.user_for_token(token, "reset", current_app.config["TOKEN_MAX_AGE"])
    except services.InvalidToken as error:
        return render_template("accounts/token_invalid.html", message=error.message), 400
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            user = services.reset_password(token, form.password.data)
        if not refused:
            login_user(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.dashboard"))
    return render_template("accounts/reset.html", form=form), error_status(form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        user = services.user_for_token(token, "invite", current_app.config["INVITE_MAX_AGE"])
    except services.InvalidToken as error:
        return render_template("accounts/token_invalid.html", message=error.message), 400
    form = AcceptInvitationForm(data={"name": user.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            user = services.accept_invitation(token, form.password.data, form.name.data)
        if not refused:
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("accounts.dashboard"))
    return render_template("accounts/invitation.html", form=form, invited=user), error_status(form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            services.change_password(
                current_user._get_current_object(), form.current_password.data, form.password.data
            )
        if not refused:
            login_user(current_user._get_current_object())  # new session token
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form), error_status(form)


# Secretariat: people ---------------------------------------------------------------------


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.organisation_id.choices = organisation_choices()
    if request.method == "GET":
        form.organisation_id.data = int_arg(request.args, "organisation")
    return form


@bp.route("/secretariat/users", methods=["GET", "POST"])
@secretariat_required
def users():
    form = _invite_form()
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        with refusal_into(form) as refused:
            services.invite_representative(
                current_user._get_current_object(),
                organisation,
                form.email.data,
                form.name.data or "",
                form.job_title.data or "",
            )
        if not refused:
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/users.html", form=form, users=services.list_users(), confirm=ConfirmForm()
    ), error_status(form)


@bp.post("/secretariat/users/<int:user_id>/deactivate")
@secretariat_required
def deactivate(user_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("accounts.users"))
    user = db.get_or_404(User, user_id)
    services.deactivate_user(current_user._get_current_object(), user)
    flash(_("%(email)s can no longer log in.", email=user.email), "success")
    return redirect(url_for("accounts.users"))
