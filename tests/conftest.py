"""Shared fixtures: the app, a clean database per test, clients, mail capture, builders.

The database is PACTUM_TEST_DATABASE_URL (PostgreSQL in the second half of `make test`)
or a SQLite file in a temporary directory. The schema is created once per session; after
each test every table is emptied, which also works for the browser tests' live server.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from app import clock, create_app
from app.config import overrides_for_tests
from app.db import db as _db
from tests import factories


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Mail ---------------------------------------------------------------------------------


class _Collector:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"


class Mailbox:
    """What the test SMTP server received, with helpers to read it like a person would."""

    def __init__(self, collector: _Collector):
        self._collector = collector

    @property
    def messages(self):
        return list(self._collector.messages)

    def clear(self):
        with self._collector.lock:
            self._collector.messages.clear()

    def wait(self, count: int = 1, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self._collector.messages) >= count:
                return self.messages
            time.sleep(0.02)
        raise AssertionError(f"expected {count} emails, got {len(self._collector.messages)}")

    def to(self, address: str):
        return [m for m in self.messages if address.lower() in m["To"].lower()]

    @staticmethod
    def body(message) -> str:
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    @classmethod
    def links(cls, message) -> list[str]:
        return re.findall(r"https?://\S+", cls.body(message))

    @staticmethod
    def attachments(message):
        return [
            (part.get_filename(), part.get_content_type(), part.get_content())
            for part in message.iter_attachments()
        ]


@pytest.fixture(scope="session")
def smtp_server():
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, collector
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    box = Mailbox(smtp_server[1])
    box.clear()
    return box


# Database -----------------------------------------------------------------------------


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("PACTUM_TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    # One database per xdist worker on the same server.
    base, _, dbname = url.rpartition("/")
    name = f"{dbname}_{worker}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url, smtp_server):
    controller, _ = smtp_server
    config = overrides_for_tests(database_url)
    config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    app = create_app(config)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _empty_all_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        # A session leaked by the finished test (a background build thread, a live-server
        # request still streaming) would block TRUNCATE forever: end such transactions first.
        _db.session.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state IN ('idle in transaction', 'idle in transaction (aborted)')"
            )
        )
        _db.session.execute(text("SET LOCAL lock_timeout = '20s'"))
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture(autouse=True)
def db(request, app):
    """A clean database for every test, and an app context around it."""
    from app.core.cache import cache
    from app.extensions import limiter

    ctx = app.app_context()
    ctx.push()
    try:
        yield _db
    finally:
        _db.session.rollback()
        _db.session.remove()
        _empty_all_tables()
        _db.session.remove()
        clock.freeze(None)
        limiter.reset()
        cache.clear()  # cached fragments and pages describe rows that are gone now
        ctx.pop()
        _dispose_other_apps(app)


def _dispose_other_apps(app) -> None:
    """Close the pooled connections of every other app a test built (a production-like app,
    a second host, a replica-routed app). Left to the garbage collector, a PostgreSQL
    connection is closed at a random later moment with a ResourceWarning, which
    `filterwarnings = error` turns into an error of whichever test is running then."""
    for other, engines in list(_db._app_engines.items()):
        if other is not app:
            for engine in engines.values():
                engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# Redis ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A private redis-server for the module's tests; skipped where none is installed."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    pytest.importorskip("redis")
    from bench.servers import private_redis

    with private_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


# Builders ------------------------------------------------------------------------------


@pytest.fixture
def make_user(db):
    return factories.make_user


@pytest.fixture
def make_org(db):
    return factories.make_org


@pytest.fixture
def secretariat(db):
    return factories.make_user(role="secretariat", email="sec@example.org", name="Sam Secretary")


@pytest.fixture
def org_a(db):
    return factories.make_org(name="Alpha Org")


@pytest.fixture
def org_b(db):
    return factories.make_org(name="Beta Org")


@pytest.fixture
def rep_a(db, org_a):
    return factories.make_user(role="representative", organisation=org_a, email="rep@alpha.example")


@pytest.fixture
def rep_b(db, org_b):
    return factories.make_user(role="representative", organisation=org_b, email="rep@beta.example")


# Logging in ---------------------------------------------------------------------------


def login_as(client, user) -> None:
    """Log a test client in without the cost of a password hash."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def login():
    return login_as


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str = "/password/forgot") -> str:
    response = client.get(url)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token in {url} ({response.status_code})"
    return match.group(1)


def post_form(client, url: str, data: dict | None = None, form_url: str | None = None, **kwargs):
    """POST like a browser: first load the form page for a CSRF token."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(client, form_url or "/password/forgot")
    return client.post(url, data=payload, **kwargs)


@pytest.fixture
def post():
    return post_form
