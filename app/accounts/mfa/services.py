"""The rules of the second factor. Services take the acting user, flush, never commit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from app import clock
from app.accounts.mfa.models import RecoveryCode, SecondFactor
from app.accounts.models import User
from app.core.links import external_url
from app.core.services import record
from app.db import db
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.mail import send_later
from app.security import ensure_secretariat

RECOVERY_CODES = 10


@dataclass
class Enrolment:
    secret: str
    uri: str  # otpauth://… for the QR code


def factor_of(user: User) -> SecondFactor | None:
    return db.session.get(SecondFactor, user.id)


def has_factor(user: User) -> bool:
    factor = factor_of(user)
    return factor is not None and factor.confirmed_at is not None


def required_for(user: User) -> bool:
    return bool(current_app.config.get("REQUIRE_SECOND_FACTOR")) and user.is_secretariat


def _uri(user: User, secret: str) -> str:
    issuer = current_app.config["ALLIANCE_NAME"]
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def start_enrolment(actor: User) -> Enrolment:
    """A new secret, not in force until a code from it is confirmed."""
    if has_factor(actor):
        raise Conflict(_("Your account already has a second factor."))
    factor = factor_of(actor) or SecondFactor(user_id=actor.id)
    factor.secret = pyotp.random_base32(32)
    factor.confirmed_at = None
    factor.last_step = 0
    db.session.add(factor)
    db.session.flush()
    return Enrolment(factor.secret, _uri(actor, factor.secret))


def pending_enrolment(actor: User) -> Enrolment | None:
    factor = factor_of(actor)
    if factor is None or factor.confirmed_at is not None:
        return None
    return Enrolment(factor.secret, _uri(actor, factor.secret))


def confirm_enrolment(actor: User, code: str) -> list[str]:
    """Put the pending factor in force; returns the recovery codes, shown once."""
    factor = factor_of(actor)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict(_("Start the set-up again: there is no second factor waiting."))
    if not _match_totp(factor, _normalise(code)):
        raise ValidationFailed(_code_refused(), field="code")
    factor.confirmed_at = clock.now()
    codes = _new_recovery_codes(actor)
    record(actor, "mfa.enrolled", actor, summary=actor.email)
    _notify(actor, _("A second factor now protects your account."))
    return codes


def verify(user: User, code: str) -> str:
    """Accept a code from the app ("totp") or an unused recovery code ("recovery")."""
    factor = factor_of(user)
    if factor is None or factor.confirmed_at is None:
        raise ValidationFailed(_code_refused(), field="code")
    normalised = _normalise(code)
    if len(normalised) == 6 and normalised.isdigit():
        if _match_totp(factor, normalised):
            return "totp"
    elif _use_recovery_code(user, normalised):
        left = remaining_codes(user)
        record(user, "mfa.recovery_code_used", user, summary=user.email, remaining=left)
        _notify(
            user,
            _(
                "A recovery code was used to log in to your account. %(n)d unused codes remain.",
                n=left,
            ),
        )
        return "recovery"
    raise ValidationFailed(_code_refused(), field="code")


def regenerate_codes(actor: User, code: str) -> list[str]:
    if not has_factor(actor):
        raise Conflict(_("Your account has no second factor."))
    if not _match_totp(factor_of(actor), _normalise(code)):
        raise ValidationFailed(_code_refused(), field="code")
    codes = _new_recovery_codes(actor)
    record(actor, "mfa.recovery_codes_renewed", actor, summary=actor.email)
    _notify(actor, _("New recovery codes were made for your account; the old ones no longer work."))
    return codes


def disable(actor: User, code: str) -> None:
    if required_for(actor):
        raise PermissionDenied(_("Secretariat accounts must keep a second factor."))
    if not has_factor(actor):
        raise Conflict(_("Your account has no second factor."))
    if not _match_totp(factor_of(actor), _normalise(code)):
        raise ValidationFailed(_code_refused(), field="code")
    _remove(actor)
    record(actor, "mfa.disabled", actor, summary=actor.email)
    _notify(actor, _("The second factor of your account was turned off."))


def reset(actor: User, user: User) -> None:
    """Another secretariat member removes a lost second factor; the user enrols again."""
    ensure_secretariat(actor)
    if actor.id == user.id:
        raise PermissionDenied(_("Ask another member of the secretariat to reset your own."))
    if factor_of(user) is None:
        raise Conflict(_("%(email)s has no second factor.", email=user.email))
    _remove(user)
    user.rotate_session()  # every session of that account ends
    record(actor, "mfa.reset", user, summary=user.email)
    _notify(
        user,
        _(
            "The secretariat removed the second factor of your account. You will be asked to "
            "set up a new one when you next log in."
        ),
    )


def remaining_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def notify_password_changed(user: User) -> None:
    _notify(user, _("The password of your account was changed."))


# Inside --------------------------------------------------------------------------------------


def _code_refused() -> str:
    return _("That code is not correct. Enter the 6 digits your app shows now, or a recovery code.")


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _match_totp(factor: SecondFactor, code: str) -> bool:
    """The code of the current 30-second step or its neighbours, once each."""
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(factor.secret)
    current = totp.timecode(clock.now())
    for step in (current - 1, current, current + 1):
        if step > factor.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            factor.last_step = step
            return True
    return False


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _use_recovery_code(user: User, code: str) -> bool:
    if len(code) != 10:
        return False
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = clock.now()
    return True


def _remove(user: User) -> None:
    factor = factor_of(user)
    if factor is not None:
        db.session.delete(factor)
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def _notify(user: User, what: str) -> None:
    send_later(
        user.email,
        _(
            "Security notice: your %(alliance)s account",
            alliance=current_app.config["ALLIANCE_NAME"],
        ),
        "security_notice",
        user=user,
        what=what,
        when=clock.now(),
        account_url=external_url("accounts.account"),
    )
