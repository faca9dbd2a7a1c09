"""Roles and object-level authorisation, in one place.

Services call the `ensure_*` helpers with the acting user; they raise PermissionDenied
(403) or NotFound (404), which the error handlers turn into pages. Views may add
`@require_role` for a quick, early refusal, but the service check is the one that counts.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.models import Role, User
from app.errors import PermissionDenied


def is_secretariat(user: User | None) -> bool:
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and user.is_secretariat
    )


def represents(user: User | None, organisation_id: int | None) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_representative
        and organisation_id is not None
        and user.organisation_id == organisation_id
    )


def can_manage_org(user: User | None, organisation_id: int) -> bool:
    """Secretariat, or a representative of that organisation."""
    return is_secretariat(user) or represents(user, organisation_id)


def ensure_secretariat(user: User | None) -> None:
    if not is_secretariat(user):
        raise PermissionDenied(str(_l("Only the secretariat can do this.")))


def ensure_can_manage_org(user: User | None, organisation_id: int) -> None:
    if not can_manage_org(user, organisation_id):
        raise PermissionDenied(str(_l("You can only act for your own organisation.")))


def require_role(*roles: Role):
    """View decorator: anonymous users go to the login page; wrong roles get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.accept_mimetypes.best == "application/json":
                    abort(401)
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def login_required(view):
    return require_role()(view)


secretariat_required = require_role(Role.SECRETARIAT)
representative_required = require_role(Role.REPRESENTATIVE)
