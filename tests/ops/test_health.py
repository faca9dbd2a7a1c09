"""`/healthz`: the database, Redis when configured, and the outbox backlog, as JSON; 503 when
the database or a configured Redis is down; a backlog reported, failed on only past
PACTUM_HEALTH_MAIL_MAX_AGE."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app import clock, create_app
from app.config import load_config, overrides_for_tests
from app.mail.models import MailStatus, OutboxMessage
from tests.conftest import _free_port

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def _message(db, status=MailStatus.PENDING, created_at=T0):
    db.session.add(
        OutboxMessage(
            key=uuid.uuid4().hex,
            recipients=["rep@alpha.example"],
            subject="Your report was received",
            body="private body",
            status=status,
            created_at=created_at,
            next_attempt_at=created_at,
        )
    )


@pytest.fixture
def config(app):
    """Set app settings for one test."""
    saved = {}

    def setting(**values):
        for key, value in values.items():
            saved.setdefault(key, app.config.get(key))
            app.config[key] = value

    yield setting
    app.config.update(saved)


def test_a_healthy_site_reports_each_part(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["latency_ms"] >= 0
    assert "redis" not in body["checks"]  # not configured in the tests
    assert body["checks"]["outbox"] == {
        "status": "ok",
        "pending": 0,
        "failed": 0,
        "oldest_pending_seconds": None,
        "max_age_seconds": None,
    }


def test_the_outbox_backlog_is_reported_not_failed_on(client, db):
    clock.freeze(T0 + dt.timedelta(hours=5))
    _message(db, created_at=T0)
    _message(db, created_at=T0 + dt.timedelta(hours=4))
    _message(db, status=MailStatus.SENDING, created_at=T0 + dt.timedelta(hours=1))
    _message(db, status=MailStatus.FAILED)
    _message(db, status=MailStatus.SENT, created_at=T0 - dt.timedelta(days=3))
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    outbox = response.get_json()["checks"]["outbox"]
    assert outbox == {
        "status": "warn",  # a failed message waits for the secretariat's retry
        "pending": 3,
        "failed": 1,
        "oldest_pending_seconds": 5 * 3600,
        "max_age_seconds": None,
    }
    assert "private body" not in response.get_data(as_text=True)
    assert "rep@alpha.example" not in response.get_data(as_text=True)


def test_mail_waiting_longer_than_the_configured_age_fails(client, db, config):
    config(HEALTH_MAIL_MAX_AGE=30)
    clock.freeze(T0 + dt.timedelta(minutes=20))
    _message(db, created_at=T0)
    db.session.commit()
    assert client.get("/healthz").status_code == 200
    clock.freeze(T0 + dt.timedelta(minutes=31))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "fail"
    assert body["checks"]["outbox"]["status"] == "fail"
    assert body["checks"]["outbox"]["max_age_seconds"] == 1800
    assert body["checks"]["database"]["status"] == "ok"


def test_the_mail_age_threshold_is_configured(monkeypatch):
    monkeypatch.delenv("PACTUM_HEALTH_MAIL_MAX_AGE", raising=False)
    assert load_config()["HEALTH_MAIL_MAX_AGE"] == 0
    monkeypatch.setenv("PACTUM_HEALTH_MAIL_MAX_AGE", "45")
    assert load_config()["HEALTH_MAIL_MAX_AGE"] == 45


def test_a_database_that_does_not_answer_is_a_503(tmp_path):
    unreachable = f"sqlite:///{tmp_path / 'no-such-folder' / 'pactum.sqlite3'}"
    app = create_app(overrides_for_tests(unreachable))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {"status": "fail", "error": "OperationalError"}
    assert "outbox" not in body["checks"]  # read from the database: not known
    assert "no-such-folder" not in response.get_data(as_text=True)


def test_a_configured_redis_that_is_down_is_a_503(client, db, config):
    config(REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["redis"] == {"status": "fail", "error": "ConnectionError"}
    assert body["checks"]["database"]["status"] == "ok"


def test_a_configured_redis_that_answers_is_reported(client, db, config, redis_url):
    config(REDIS_URL=redis_url)
    response = client.get("/healthz")
    assert response.status_code == 200
    redis = response.get_json()["checks"]["redis"]
    assert redis["status"] == "ok" and redis["latency_ms"] >= 0
