"""The charter's blueprint, shared by its public pages (`views`) and the secretariat's
drafting screens (`admin_views`), and what both need."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_babel import get_locale
from flask_login import current_user

from app.charter import caching
from app.charter.translations import languages
from app.errors import DomainError

bp = Blueprint("charter", __name__)


@bp.before_request
def _json_body_must_be_an_object():
    """Forms also accept a JSON object (Flask-WTF reads it like form fields); any other JSON
    body is a bad request, not a crash."""
    if (
        request.method == "POST"
        and request.is_json
        and not isinstance(request.get_json(silent=True), dict)
    ):
        abort(400)


def actor():
    return current_user._get_current_object()


def viewer() -> str:
    """Who asks, for pages whose layout shows the user's menu (part of their ETag)."""
    return current_user.get_id() if current_user.is_authenticated else caching.ANONYMOUS


def reader_language() -> str:
    """The language the reader reads the charter in: `?lang=` when the alliance has it,
    else the interface's language, else the source language."""
    return languages.resolve(request.args.get("lang"), get_locale())


def place_errors(form, error: DomainError) -> None:
    """A service's messages next to the fields they name; the others above the form."""
    placed_any = False
    for name, messages in (error.errors or {}).items():
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = [*list(field.errors or []), *messages]
            placed_any = True
        else:
            form.form_errors.extend(messages)
            placed_any = True
    if not placed_any:
        form.form_errors.append(error.message)
