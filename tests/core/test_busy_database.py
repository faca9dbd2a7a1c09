"""A busy database is a 503 with Retry-After, never a 500, and nothing is half saved."""

from __future__ import annotations

import sqlite3

import pytest
from flask import Blueprint
from sqlalchemy import exc, func, select, text

from app import create_app
from app.config import overrides_for_tests
from app.core.models import AuditEvent
from app.core.services import record
from app.db import db, is_busy_error
from app.extensions import csrf
from app.factory import BUSY_RETRY_AFTER


class _PgError(Exception):
    """What psycopg raises, as far as the check reads it: an SQLSTATE."""

    def __init__(self, sqlstate: str):
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


def _wrapped(driver_error: Exception) -> exc.OperationalError:
    return exc.OperationalError("UPDATE reports SET revision=?", {}, driver_error)


@pytest.fixture
def busy_app(tmp_path, monkeypatch):
    monkeypatch.setattr("app.db.SQLITE_BUSY_TIMEOUT_MS", 50)  # a locked write fails at once
    path = tmp_path / "busy.sqlite3"
    app = create_app(overrides_for_tests(f"sqlite:///{path}"))
    app.config["DATABASE_PATH"] = str(path)
    bp = Blueprint("busy_test", __name__)

    @bp.route("/_busy/<kind>", methods=["POST"])
    @bp.route("/api/_busy/<kind>", methods=["POST"])
    def write(kind: str):
        record(None, "test.write")
        if kind == "flush":
            db.session.flush()  # meets the lock inside the view
        elif kind == "sqlite":
            raise _wrapped(sqlite3.OperationalError("database is locked"))
        elif kind == "postgres":
            raise _wrapped(_PgError("55P03"))  # lock_not_available (lock_timeout)
        elif kind == "serialization":
            raise _wrapped(_PgError("40001"))
        elif kind == "other":
            raise _wrapped(sqlite3.OperationalError("no such table: nowhere"))
        return "saved"  # "commit": the write waits for the unit of work's commit

    csrf.exempt(bp)  # the handler is under test, not the form
    app.register_blueprint(bp)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.mark.parametrize("kind", ["sqlite", "postgres", "serialization"])
def test_a_lock_error_in_a_route_is_a_503_with_retry_after(busy_app, kind):
    client = busy_app.test_client()
    response = client.post(f"/_busy/{kind}")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(BUSY_RETRY_AFTER)
    page = response.get_data(as_text=True)
    assert "Busy right now" in page and "Nothing was changed" in page
    assert _events(busy_app) == 0


def test_the_api_answers_json(busy_app):
    response = busy_app.test_client().post("/api/_busy/sqlite")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["error"]["status"] == 503
    json_client = busy_app.test_client()
    response = json_client.post("/_busy/postgres", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.get_json()["error"]["title"]


def test_another_database_error_is_still_a_500(busy_app):
    assert busy_app.test_client().post("/_busy/other").status_code == 500


def _hold_the_write_lock(app) -> sqlite3.Connection:
    holder = sqlite3.connect(app.config["DATABASE_PATH"], isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another process's write transaction, left open
    return holder


@pytest.mark.parametrize("kind", ["flush", "commit"])
def test_a_real_sqlite_lock_is_a_503_and_nothing_is_saved(busy_app, kind):
    busy_app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the commit's error
    holder = _hold_the_write_lock(busy_app)
    try:
        response = busy_app.test_client().post(f"/_busy/{kind}")
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert _events(busy_app) == 0
    assert busy_app.test_client().post(f"/_busy/{kind}").status_code == 200  # free again
    assert _events(busy_app) == 1


def test_is_busy_error_reads_the_driver_error_through_its_wrappers():
    locked = _wrapped(sqlite3.OperationalError("database is locked"))
    assert is_busy_error(locked)
    try:
        raise RuntimeError("commit failed") from locked
    except RuntimeError as error:
        assert is_busy_error(error)
    assert is_busy_error(_wrapped(_PgError("40P01")))  # deadlock_detected
    assert not is_busy_error(_wrapped(_PgError("23505")))  # a unique violation is not busy
    assert not is_busy_error(ValueError("database is locked"))  # not the driver's
    assert not is_busy_error(None)


def test_a_real_postgresql_lock_timeout_counts_as_busy(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's lock_timeout")
    record(None, "test.locked")
    db.session.commit()
    holder = db.engine.connect()
    try:
        holder.execute(select(AuditEvent.id).with_for_update())  # another writer's row lock
        with pytest.raises(exc.OperationalError) as raised:
            db.session.execute(text("SET LOCAL lock_timeout = '50ms'"))
            db.session.execute(select(AuditEvent.id).with_for_update())
        assert is_busy_error(raised.value)
        db.session.rollback()
    finally:
        holder.rollback()
        holder.close()
