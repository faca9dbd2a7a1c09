"""Accounts: authentication, sessions, password reset and invitations.

Services take the acting user explicitly, flush but never commit. Mail is the edge's
business: the services send `app.accounts.signals` events, and `app.accounts.notifications`
queues the mail (sent only once the transaction commits).
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.orm import selectinload

from app import clock
from app.accounts import signals
from app.accounts.mfa.services import notify_password_changed
from app.accounts.models import Role, User, dummy_password_check
from app.accounts.passwords import password_problem
from app.core.services import record, record_security_event
from app.db import db
from app.errors import Conflict, ValidationFailed
from app.security import ensure_secretariat

_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


# Built once: `session.get` builds and keys its statement afresh on every call, a third of
# what loading the user costs on every logged-in request (issue 20).
_USER_BY_ID = select(User).where(User.id == bindparam("b_id"))


def load_user_from_session_id(session_id: str) -> User | None:
    """Flask-Login loader: the id carries the user's current session token."""
    user_id, _sep, token = (session_id or "").partition(":")
    if not user_id.isascii() or not user_id.isdigit() or not token:
        return None
    # As `session.get`: the user the session holds already (unless expired), else one
    # statement.
    user = db.session.identity_map.get(db.session.identity_key(User, int(user_id)))
    if user is None or inspect(user).expired:
        user = db.session.execute(_USER_BY_ID, {"b_id": int(user_id)}).scalar_one_or_none()
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def authenticate(email: str, password: str, ip: str | None = None) -> User | None:
    """The user for these credentials, or None. Same cost whether or not the email exists.
    A refusal is recorded for the audit trail in its own transaction (the request that
    shows the refusal rolls back); never the password typed."""
    user = find_user_by_email(email)
    if user is None or user.password_hash is None:
        dummy_password_check()
        login_failed(email, user, ip)
        return None
    if not user.check_password(password) or not user.active:
        login_failed(email, user, ip)
        return None
    user.last_login_at = clock.now()
    return user


def _shown_email(typed: str) -> str:
    # What was typed in the email field goes to the audit trail only if it looks like an
    # address: a password typed in the wrong field must not be recorded.
    typed = normalise_email(typed)[:254]
    return typed if _EMAIL_SHAPE.fullmatch(typed) else "(not an email address)"


def login_failed(email: str, user: User | None, ip: str | None) -> None:
    record_security_event(
        "login.failed", obj=user, summary=_shown_email(email), ip=ip, known=user is not None
    )


def logged_in(user: User, ip: str | None, second_factor: str | None = None) -> None:
    """The login is complete (after the second factor, if the account has one)."""
    record(user, "login.succeeded", user, summary=user.email, ip=ip, second_factor=second_factor)


def code_refused(user: User, ip: str | None) -> None:
    """A wrong second-factor code at login, kept although the request rolls back."""
    record_security_event("login.code_failed", obj=user, summary=user.email, ip=ip)


def throttled(what: str, ip: str | None) -> None:
    """A login, code or reset request refused by the rate limit (429), once a minute per
    address and step."""
    record_security_event("login.throttled", summary=f"{what} ({ip})", once_per=60, ip=ip)


def end_session(user: User) -> None:
    """Logging out invalidates every copy of the session cookie, not just this browser's."""
    user.rotate_session()
    record(user, "login.logged_out", user, summary=user.email)


def validate_password(password: str, user: User | None = None) -> None:
    """Refuse a short, common or guessable password, or one containing the person's email or
    the alliance's name (`app.accounts.passwords`), with a message next to the field."""
    problem = password_problem(
        password, user.email if user is not None else "", current_app.config["ALLIANCE_NAME"]
    )
    if problem:
        raise ValidationFailed(problem, field="password")


# Tokens -----------------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"pactum-{purpose}")


def _fingerprint(user: User) -> str:
    # Changes when the password or session token changes: a used link stops working.
    raw = f"{user.password_hash or ''}|{user.session_token}".encode()
    return hashlib.sha256(raw).hexdigest()[:20]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"uid": user.id, "fp": _fingerprint(user)})


class InvalidToken(ValidationFailed):
    pass


def user_for_token(token: str, purpose: str, max_age: int) -> User:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidToken(_("This link has expired. Please ask for a new one.")) from exc
    except BadSignature as exc:
        raise InvalidToken(_("This link is not valid. Please ask for a new one.")) from exc
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("fp") != _fingerprint(user):
        raise InvalidToken(_("This link has already been used or is no longer valid."))
    return user


# Password reset -----------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists. The caller shows the same message either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    record(None, "user.password_reset_requested", user, summary=user.email)
    signals.password_reset_requested.send(
        user, token=make_token(user, "reset"), hours=current_app.config["TOKEN_MAX_AGE"] // 3600
    )


def reset_password(token: str, password: str) -> User:
    user = user_for_token(token, "reset", current_app.config["TOKEN_MAX_AGE"])
    validate_password(password, user)
    user.set_password(password)
    record(user, "user.password_reset", user, summary=user.email)
    notify_password_changed(user)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        record_security_event("user.password_change_refused", user, user, summary=user.email)
        raise ValidationFailed(_("Your current password is not correct."), field="current_password")
    validate_password(new, user)
    user.set_password(new)
    record(user, "user.password_changed", user, summary=user.email)
    notify_password_changed(user)


# Accounts and invitations ----------------------------------------------------------------


def create_secretariat(
    email: str, password: str | None, name: str = "", actor: User | None = None
) -> User:
    email = normalise_email(email)
    if find_user_by_email(email):
        raise Conflict(_("An account with this email already exists."), field="email")
    user = User(email=email, name=name, role=Role.SECRETARIAT)
    if password:
        validate_password(password, user)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", user, summary=f"secretariat {email}")
    return user


def invite_representative(
    actor: User | None, organisation, email: str, name: str = "", job_title: str = ""
) -> User:
    """Create a representative account without a password and email a set-password link."""
    ensure_secretariat(actor)
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None:
        if existing.organisation_id == organisation.id and existing.password_hash is None:
            user = existing  # re-send a pending invitation
        else:
            raise Conflict(_("An account with this email already exists."), field="email")
    else:
        user = User(
            email=email,
            name=name,
            job_title=job_title,
            role=Role.REPRESENTATIVE,
            organisation=organisation,
        )
        db.session.add(user)
    user.invited_at = clock.now()
    user.rotate_session()
    db.session.flush()
    send_invitation(user)
    record(actor, "user.invited", user, summary=f"{email} for {organisation.name}")
    return user


def send_invitation(user: User) -> None:
    """A new set-password link for an invited representative (the mail: `invited`)."""
    signals.invited.send(
        user, token=make_token(user, "invite"), days=current_app.config["INVITE_MAX_AGE"] // 86400
    )


def accept_invitation(token: str, password: str, name: str) -> User:
    user = user_for_token(token, "invite", current_app.config["INVITE_MAX_AGE"])
    validate_password(password, user)
    if name.strip():
        user.name = name.strip()
    user.set_password(password)
    record(user, "user.invitation_accepted", user, summary=user.email)
    return user


def deactivate_user(actor: User | None, user: User) -> None:
    ensure_secretariat(actor)
    if user.id == actor.id:
        raise ValidationFailed(_("You cannot remove your own account."))
    user.active = False
    user.rotate_session()
    record(actor, "user.deactivated", user, summary=user.email)


def list_users() -> list[User]:
    return list(
        db.session.scalars(
            select(User).options(selectinload(User.organisation)).order_by(User.role, User.email)
        )
    )
