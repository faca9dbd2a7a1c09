"""Headers, cookies, error pages, and no stack traces."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigError, overrides_for_tests


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_session_cookie_flags(client, secretariat, db):
    db.session.commit()
    from tests.conftest import csrf_token

    csrf_token(client, "/login")  # creates the session
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_no_inline_script_in_pages(client):
    body = client.get("/").get_data(as_text=True)
    import re

    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag


def test_404_page_in_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Page not found" in body and 'class="site-header"' in body


def test_500_hides_the_traceback(database_url):
    app = create_app(overrides_for_tests(database_url))

    @app.route("/__boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/__boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert "Something went wrong" in body


def test_413_page(app, client):
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/login", data=big, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "larger than we accept" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_secret(monkeypatch):
    monkeypatch.setenv("PACTUM_ENV", "production")
    monkeypatch.delenv("PACTUM_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_production_cookies_are_secure(monkeypatch, database_url):
    monkeypatch.setenv("PACTUM_ENV", "production")
    monkeypatch.setenv("PACTUM_SECRET_KEY", "x" * 40)
    config = overrides_for_tests(database_url)
    config.pop("SECRET_KEY")
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "x" * 40


def test_healthz(client):
    assert client.get("/healthz").get_json()["status"] == "ok"  # tests/ops/test_health.py


def test_json_body_that_is_not_an_object_is_a_400(client):
    for body in ['"hello"', "[1, 2]", "{not json", "42"]:
        response = client.post("/login", data=body, content_type="application/json")
        assert response.status_code == 400, body
