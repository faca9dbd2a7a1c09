"""What every request costs (issue 20): the shortcuts keep Flask's and the extensions'
behaviour (app.core.application, app.core.rate_limits, app.ops.metrics)."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from app.core import rate_limits
from app.core.application import Pactum


def _limited_app(**limiter_options) -> tuple[Flask, Limiter]:
    app = Flask("limits")
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri="memory://",
        headers_enabled=True,
        **limiter_options,
    )
    rate_limits.install(app, limiter)

    @app.get("/plain")
    def plain():
        return "plain"

    @app.get("/limited")
    @limiter.limit("2 per minute")
    def limited():
        return "limited"

    return app, limiter


def test_a_decorated_limit_still_counts_breaches_and_sends_its_headers():
    app, _limiter = _limited_app()
    client = app.test_client()
    answers = [client.get("/limited") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "2"
    assert answers[1].headers["X-RateLimit-Remaining"] == "0"


def test_a_route_without_limits_gets_no_limiter_state_or_headers():
    app, _limiter = _limited_app()
    client = app.test_client()
    for _ in range(5):
        answer = client.get("/plain")
        assert answer.status_code == 200
        assert "X-RateLimit-Limit" not in answer.headers


def test_an_app_wide_limit_puts_every_request_back_under_the_check():
    app, _limiter = _limited_app(default_limits=["3 per minute"])
    client = app.test_client()
    answers = [client.get("/plain") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"


def test_the_session_serializer_follows_the_secret_key():
    app = Pactum("keys")
    app.secret_key = "first"
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    signed = first.dumps({"a": 1})
    app.secret_key = "second"
    second = interface.get_signing_serializer(app)
    assert second is not first
    assert second.loads(second.dumps({"a": 1})) == {"a": 1}
    assert not second.loads_unsafe(signed)[0]  # the old key's cookie no longer verifies
    app.config["SECRET_KEY_FALLBACKS"] = ["first"]
    assert interface.get_signing_serializer(app).loads(signed) == {"a": 1}


def test_the_request_metrics_count_each_answer(app, client):
    from app.ops.metrics import REQUESTS_TOTAL

    def count() -> float:
        return REQUESTS_TOTAL.labels("core.healthz", "GET", "200")._value.get()

    before = count()
    client.get("/healthz")
    client.get("/healthz")
    assert count() == before + 2


def test_a_disabled_limiter_registers_nothing_to_wrap():
    app = Flask("disabled")
    app.config["RATELIMIT_ENABLED"] = False
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://")
    rate_limits.install(app, limiter)
    assert not app.before_request_funcs.get(None)
