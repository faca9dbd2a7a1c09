"""Settings for several app servers behind a load balancer (docs/deploy.md): the client's
address and scheme through trusted proxies only, and database pool sizes per process."""

from __future__ import annotations

import pytest
from flask import request

from app import create_app
from app.config import load_config, overrides_for_tests

FORWARDED = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "pactum.example.org",
}


_BUILT: list = []


@pytest.fixture(autouse=True)
def _dispose_built_apps():
    """Close the connection pools of the apps built here (PostgreSQL warns otherwise)."""
    yield
    from app.db import db

    for built in _BUILT:
        with built.app_context():
            db.engine.dispose()
    _BUILT.clear()


def _app(database_url, **config):
    app = create_app({**overrides_for_tests(database_url), **config})
    _BUILT.append(app)

    @app.get("/t/client")
    def client_view():
        return f"{request.remote_addr} {request.scheme} {request.host}"

    return app


def test_forwarded_headers_are_believed_only_behind_a_configured_proxy(database_url):
    direct = _app(database_url).test_client()
    assert direct.get("/t/client", headers=FORWARDED).text == "127.0.0.1 http localhost"
    proxied = _app(database_url, PROXY_COUNT=1).test_client()
    assert (
        proxied.get("/t/client", headers=FORWARDED).text == "203.0.113.9 https pactum.example.org"
    )
    # With one proxy, only the address it appended counts: a client cannot spoof its own.
    spoofed = {**FORWARDED, "X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
    assert proxied.get("/t/client", headers=spoofed).text.startswith("203.0.113.9 ")


def test_pool_sizes_come_from_the_environment(monkeypatch):
    assert "pool_size" not in load_config()["SQLALCHEMY_ENGINE_OPTIONS"]
    monkeypatch.setenv("PACTUM_DB_POOL_SIZE", "3")
    monkeypatch.setenv("PACTUM_DB_MAX_OVERFLOW", "2")
    options = load_config()["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_size": 3, "max_overflow": 2}
    monkeypatch.setenv("PACTUM_PROXY_COUNT", "2")
    assert load_config()["PROXY_COUNT"] == 2
