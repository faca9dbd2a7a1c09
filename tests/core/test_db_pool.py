"""Pooled connections: pinged before use only after sitting idle (app.db.ping_connections_after_idle),
and a connection that died meanwhile is replaced before any request sees it."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from app.db import db, ping_connections_after_idle


@pytest.fixture
def engine(database_url):
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _counting_pings(monkeypatch, engine, fail_first: bool = False) -> list:
    pings = []
    real = engine.dialect.do_ping

    def do_ping(dbapi_connection):
        pings.append(dbapi_connection)
        if fail_first and len(pings) == 1:
            raise engine.dialect.loaded_dbapi.OperationalError("server closed the connection")
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", do_ping)
    return pings


def test_a_connection_used_a_moment_ago_is_not_pinged(engine, monkeypatch):
    ping_connections_after_idle(engine, idle_seconds=60)
    pings = _counting_pings(monkeypatch, engine)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(engine, monkeypatch):
    ping_connections_after_idle(engine, idle_seconds=0)
    with engine.connect() as conn:
        first = conn.connection.dbapi_connection
    pings = _counting_pings(monkeypatch, engine, fail_first=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        replacement = conn.connection.dbapi_connection
    assert pings[0] is first and replacement is not first  # the failed one was not handed out
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 2")).scalar() == 2
    assert len(pings) == 2  # the replacement passed its own ping


def test_a_connection_the_server_dropped_is_replaced(engine, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs a database server that can end a session")
    ping_connections_after_idle(engine, idle_seconds=0)
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    other = create_engine(database_url)
    try:
        with other.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        other.dispose()
    with engine.connect() as conn:  # without the ping this would fail: the session is gone
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid


def test_the_app_engine_pings_idle_connections_only(app):
    """The app installs the check; pool_pre_ping (a round trip per request) is off."""
    with app.app_context():
        pool = db.engine.pool
        assert not pool._pre_ping
        listeners = [getattr(fn, "__qualname__", "") for fn in pool.dispatch.checkout]
        assert any(name.startswith("ping_connections_after_idle") for name in listeners)
