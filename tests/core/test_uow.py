"""The unit of work: one commit or one rollback per request, command and job, in one place."""

from __future__ import annotations

import pytest
from flask import Blueprint, abort
from sqlalchemy import func, select

from app import create_app
from app.config import overrides_for_tests
from app.core import links
from app.core.models import AuditEvent
from app.core.services import record
from app.core.uow import refusal_into, unit_of_work
from app.db import db
from app.errors import Conflict, ValidationFailed


def _events() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.fixture
def uow_app(tmp_path):
    app = create_app(overrides_for_tests(f"sqlite:///{tmp_path / 'uow.sqlite3'}"))
    bp = Blueprint("uow_test", __name__)

    @bp.route("/_uow/<int:status>")
    def write_then_answer(status: int):
        record(None, "test.write")
        db.session.flush()
        return "answered", status

    @bp.route("/_uow/refused")
    def refused():
        record(None, "test.write")
        raise Conflict("Someone else changed it.")

    @bp.route("/_uow/aborted")
    def aborted():
        record(None, "test.write")
        abort(403)

    @bp.route("/_uow/crash")
    def crash():
        record(None, "test.write")
        raise RuntimeError("boom")

    app.register_blueprint(bp)
    with app.app_context():
        db.create_all()
    return app


@pytest.mark.parametrize(
    ("path", "status", "kept"),
    [
        ("/_uow/200", 200, 1),
        ("/_uow/302", 302, 1),
        ("/_uow/422", 422, 0),
        ("/_uow/409", 409, 0),
        ("/_uow/refused", 409, 0),
        ("/_uow/aborted", 403, 0),
        ("/_uow/crash", 500, 0),
    ],
)
def test_a_request_commits_below_400_and_rolls_back_otherwise(uow_app, path, status, kept):
    client = uow_app.test_client()
    assert client.get(path).status_code == status
    with uow_app.app_context():
        assert _events() == kept


def test_unit_of_work_commits_at_the_end_and_rolls_back_on_any_error(uow_app):
    with uow_app.app_context():
        with unit_of_work():
            record(None, "kept")
        with pytest.raises(ValidationFailed), unit_of_work():
            record(None, "dropped")
            db.session.flush()
            raise ValidationFailed("no")
        db.session.remove()
        assert db.session.scalars(select(AuditEvent.action)).all() == ["kept"]


class _Form:
    def __init__(self):
        self.form_errors = []
        self.title = type("Field", (), {"errors": []})()


def test_refusal_into_rolls_back_at_once_and_puts_the_message_on_the_form(uow_app):
    with uow_app.app_context():
        form = _Form()
        with refusal_into(form) as refused:
            record(None, "half made")
            db.session.flush()
            raise ValidationFailed("Please give a title.", field="title")
        assert refused and refused.status == 422 and refused.message == "Please give a title."
        assert form.title.errors == ["Please give a title."]
        assert _events() == 0  # the flushed row is gone before the page is drawn again
        with refusal_into(form) as refused:
            pass
        assert not refused


def test_links_are_built_without_a_request_from_the_server_url(uow_app):
    uow_app.config["SERVER_URL"] = "https://alliance.example/pactum"
    with uow_app.app_context():
        assert links.external_url("charter.current") == "https://alliance.example/pactum/charter"
        assert links.path_for("members.profile", slug="acme") == "/pactum/members/acme"
        assert links.external_url("core.home", _anchor="top").endswith("/pactum/#top")
