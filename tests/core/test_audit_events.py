"""Authentication events reach the audit trail (issue 17): failed logins, throttling, wrong
codes, second-factor events, password changes and resets. The refusals answer 4xx, so the
request rolls back: they are written in a transaction of their own."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app import clock
from app.core.models import AuditEvent
from app.core.services import record_security_event
from tests.accounts.test_mfa import _code, _code_step, _enrol, _password_step
from tests.conftest import csrf_token, login_as, post_form
from tests.factories import PASSWORD


def _events(db, prefix: str = "") -> list[AuditEvent]:
    db.session.expire_all()
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    return [e for e in rows if e.action.startswith(prefix)]


def _login(client, email: str, password: str):
    return post_form(client, "/login", {"email": email, "password": password}, form_url="/login")


def _no_password_anywhere(db, password: str) -> None:
    for event in _events(db):
        assert password not in f"{event.summary} {event.detail}", event.action


def test_a_failed_login_is_recorded_although_the_request_rolls_back(client, secretariat, db):
    db.session.commit()
    response = _login(client, "sec@example.org", "wrong horse staple 1")
    assert response.status_code == 422
    [event] = _events(db, "login.")
    assert event.action == "login.failed"
    assert event.object_type == "users" and event.object_id == secretariat.id
    assert event.summary == "sec@example.org"
    assert event.detail["ip"] == "127.0.0.1" and event.detail["known"] is True
    _no_password_anywhere(db, "wrong horse staple 1")


def test_a_failed_login_for_an_unknown_address_names_the_address(client, db):
    _login(client, "Nobody@Example.org", "wrong horse staple 1")
    [event] = _events(db, "login.")
    assert event.summary == "nobody@example.org" and event.object_id is None
    assert event.detail["known"] is False


def test_a_password_typed_in_the_email_field_is_not_recorded(client, db):
    response = client.post(
        "/login",
        data={
            "email": "MySecretHorse99",
            "password": "x",
            "csrf_token": csrf_token(client, "/login"),
        },
    )
    assert response.status_code == 422
    events = _events(db, "login.")
    assert all("MySecretHorse99".lower() not in e.summary.lower() for e in events)


def test_a_successful_login_is_recorded(client, secretariat, db):
    db.session.commit()
    assert _login(client, "sec@example.org", PASSWORD).status_code == 302
    [event] = _events(db, "login.")
    assert event.action == "login.succeeded" and event.actor_id == secretariat.id
    _no_password_anywhere(db, PASSWORD)


def test_throttling_is_recorded_once_a_minute(app, client, secretariat, db):
    db.session.commit()
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    try:
        statuses = [_login(client, "sec@example.org", "wrong").status_code for _ in range(5)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert statuses[2:] == [429, 429, 429]
    [throttled] = _events(db, "login.throttled")
    assert throttled.summary == "POST /login (127.0.0.1)"
    assert len(_events(db, "login.failed")) == 2


def test_wrong_codes_and_code_throttling_are_recorded(app, client, db, rep_a):
    _enrol(client, rep_a)
    _password_step(client, rep_a)
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    try:
        assert _code_step(client, "000000").status_code == 422
        assert _code_step(client, "111111").status_code == 429
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    actions = [e.action for e in _events(db, "login.")]
    assert "login.code_failed" in actions
    assert any(e.summary == "POST /login/code (127.0.0.1)" for e in _events(db, "login.throttled"))
    assert [e for e in _events(db, "login.code_failed") if e.object_id == rep_a.id]


def test_a_login_with_a_second_factor_records_how(client, db, rep_a):
    clock.freeze(dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC))
    secret, codes = _enrol(client, rep_a)
    clock.freeze(clock.now() + dt.timedelta(seconds=60))
    _password_step(client, rep_a)
    assert _code_step(client, _code(secret)).status_code == 302
    succeeded = _events(db, "login.succeeded")[-1]
    assert succeeded.detail["second_factor"] == "totp"
    assert [e.action for e in _events(db, "mfa.")][:1] == ["mfa.enrolled"]


def test_password_events_are_recorded(client, db, rep_a, mailbox):
    login_as(client, rep_a)
    wrong = {"current_password": "not it at all", "password": "x" * 12, "confirm": "x" * 12}
    assert post_form(client, "/account", wrong, form_url="/account").status_code == 422
    new = "a brand new passphrase"
    right = {"current_password": PASSWORD, "password": new, "confirm": new}
    assert post_form(client, "/account", right, form_url="/account").status_code == 302
    actions = [e.action for e in _events(db, "user.password")]
    assert actions == ["user.password_change_refused", "user.password_changed"]
    _no_password_anywhere(db, new)
    _no_password_anywhere(db, "not it at all")


def test_a_reset_request_is_recorded_for_a_known_account_only(client, secretariat, db, mailbox):
    db.session.commit()
    post_form(client, "/password/forgot", {"email": "sec@example.org"})
    post_form(client, "/password/forgot", {"email": "nobody@example.org"})
    [event] = _events(db, "user.password_reset_requested")
    assert event.object_id == secretariat.id


def test_once_per_keeps_a_flood_to_one_row(db):
    for _ in range(3):
        record_security_event("login.throttled", summary="POST /login (10.0.0.1)", once_per=60)
    record_security_event("login.throttled", summary="POST /login (10.0.0.2)", once_per=60)
    assert len(_events(db, "login.throttled")) == 2


def test_a_security_event_that_cannot_be_written_does_not_break_the_request(
    monkeypatch, client, secretariat, db, caplog
):
    from sqlalchemy.exc import OperationalError

    from app.db import db as database

    db.session.commit()

    class Broken:
        def begin(self):
            raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(type(database), "engine", property(lambda self: Broken()))
    response = _login(client, "sec@example.org", "wrong horse staple 1")
    monkeypatch.undo()
    assert response.status_code == 422
    assert "could not record the security event login.failed" in caplog.text


@pytest.mark.parametrize("status", [422])
def test_the_request_transaction_still_rolls_back(client, secretariat, db, status):
    """Recording a refusal does not keep what the refused request had changed."""
    db.session.commit()
    before = secretariat.last_login_at
    assert _login(client, "sec@example.org", "wrong horse staple 1").status_code == status
    db.session.expire_all()
    assert db.session.get(type(secretariat), secretariat.id).last_login_at == before
