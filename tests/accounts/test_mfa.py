"""The second factor: enrolment, the login's code step, recovery codes, the secretariat's
reset, and the rule that secretariat accounts have one."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from sqlalchemy import select

from app import clock
from app.accounts.mfa import services
from app.accounts.mfa.models import RecoveryCode, SecondFactor
from app.core.models import AuditEvent
from tests.conftest import csrf_token, login_as, post_form
from tests.factories import PASSWORD, make_user

T0 = dt.datetime(2026, 12, 3, 9, 0, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    clock.freeze(T0)


def _code(secret: str, at: dt.datetime | None = None) -> str:
    return pyotp.TOTP(secret).at(at or clock.now())


def _later(seconds: int = 30) -> None:
    clock.freeze(clock.now() + dt.timedelta(seconds=seconds))


def _enrol(client, user) -> tuple[str, list[str]]:
    """Enrol `user` through the pages; returns the secret and the recovery codes shown."""
    login_as(client, user)
    assert post_form(client, "/account/second-factor/start", form_url="/account/second-factor")
    page = client.get("/account/second-factor").get_data(as_text=True)
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    response = post_form(
        client,
        "/account/second-factor/confirm",
        {"code": _code(secret)},
        form_url="/account/second-factor",
    )
    assert response.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", response.get_data(as_text=True))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    return secret, codes


def _password_step(client, user, next_url: str = ""):
    return post_form(
        client,
        "/login" + (f"?next={next_url}" if next_url else ""),
        {"email": user.email, "password": PASSWORD},
        form_url="/login",
    )


def _code_step(client, code: str):
    return post_form(client, "/login/code", {"code": code}, form_url="/login/code")


def test_enrolment_shows_a_qr_code_and_ten_recovery_codes_once(client, db, rep_a, mailbox):
    login_as(client, rep_a)
    page = client.get("/account/second-factor")
    assert "Set up a second factor" in page.get_data(as_text=True)
    post_form(client, "/account/second-factor/start", form_url="/account/second-factor")
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "<svg" in page and "QR code to scan" in page  # drawn on the server
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)

    wrong = post_form(
        client, "/account/second-factor/confirm", {"code": "000000"}, "/account/second-factor"
    )
    assert wrong.status_code == 422
    assert "That code is not correct" in wrong.get_data(as_text=True)
    assert not services.has_factor(rep_a)

    ok = post_form(
        client, "/account/second-factor/confirm", {"code": _code(secret)}, "/account/second-factor"
    )
    html = ok.get_data(as_text=True)
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", html)
    assert len(set(codes)) == 10
    assert services.has_factor(rep_a)
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not any(c.replace("-", "") in stored for c in codes)  # hashed
    assert codes[0] not in client.get("/account/second-factor").get_data(as_text=True)  # once
    [notice] = mailbox.wait(1)
    assert "A second factor now protects your account." in notice.get_content()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mfa.enrolled"))


def test_login_asks_for_the_code_after_the_password_and_a_code_works_once(client, db, rep_a):
    secret, _codes = _enrol(client, rep_a)
    _later()
    response = _password_step(client, rep_a, next_url="/account")
    assert response.headers["Location"].endswith("/login/code")
    assert client.get("/dashboard").status_code == 302  # not logged in yet
    wrong = _code_step(client, "123456")
    assert wrong.status_code == 422
    code = _code(secret)
    response = _code_step(client, code)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert client.get("/dashboard").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})

    # The same code again, within its 30 seconds: refused.
    _password_step(client, rep_a)
    assert _code_step(client, code).status_code == 422
    _later()
    assert _code_step(client, _code(secret)).status_code == 302


def test_a_recovery_code_logs_in_once_and_the_user_is_told(client, db, rep_a, mailbox):
    _secret, codes = _enrol(client, rep_a)
    mailbox.clear()
    _password_step(client, rep_a)
    assert _code_step(client, codes[3].upper().replace("-", " ")).status_code == 302
    [notice] = mailbox.wait(1)
    assert "A recovery code was used" in notice.get_content()
    assert "9 unused codes remain" in notice.get_content()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    _password_step(client, rep_a)
    assert _code_step(client, codes[3]).status_code == 422


def test_five_wrong_codes_end_the_attempt(client, db, rep_a):
    _enrol(client, rep_a)
    _password_step(client, rep_a)
    for _ in range(4):
        assert _code_step(client, "999999").status_code == 422
    response = _code_step(client, "999999")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_the_code_step_expires(client, db, rep_a):
    secret, _codes = _enrol(client, rep_a)
    _password_step(client, rep_a)
    _later(301)
    # The step is gone: the page sends the user back to the login.
    response = client.get("/login/code")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_login_throttle_covers_the_code_step(app, client, db, rep_a):
    _enrol(client, rep_a)
    _password_step(client, rep_a)
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    try:
        statuses = [_code_step(client, "111111").status_code for _ in range(3)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert statuses[-1] == 429


def test_secretariat_accounts_are_sent_to_enrolment_first(app, client, db, secretariat, rep_a):
    app.config["REQUIRE_SECOND_FACTOR"] = True
    try:
        login_as(client, secretariat)
        for url in ("/dashboard", "/secretariat/users", "/members"):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.headers["Location"].endswith("/account/second-factor")
        assert client.get("/account/second-factor").status_code == 200
        secret, _codes = _enrol(client, secretariat)
        _later()
        _password_step(client, secretariat)
        _code_step(client, _code(secret))
        assert client.get("/dashboard").status_code == 200
        # Representatives may, but need not.
        login_as(client, rep_a)
        assert client.get("/dashboard").status_code == 200
        # And the secretariat cannot turn it off.
        login_as(client, secretariat)
        _later()
        refused = post_form(
            client,
            "/account/second-factor/disable",
            {"code": _code(secret)},
            "/account/second-factor",
        )
        assert refused.status_code == 403
        assert services.has_factor(secretariat)
    finally:
        app.config["REQUIRE_SECOND_FACTOR"] = False


def test_a_representative_may_turn_it_off_with_a_code(client, db, rep_a):
    secret, _codes = _enrol(client, rep_a)
    login_as(client, rep_a)
    _later()
    response = post_form(
        client, "/account/second-factor/disable", {"code": _code(secret)}, "/account/second-factor"
    )
    assert response.status_code == 302
    assert not services.has_factor(rep_a)


def test_another_secretariat_member_resets_a_lost_factor(client, db, secretariat, mailbox):
    colleague = make_user(role="secretariat", email="colleague@example.org")
    db.session.commit()
    _enrol(client, colleague)
    token_before = colleague.session_token
    mailbox.clear()
    login_as(client, secretariat)
    page = client.get(f"/secretariat/users/{colleague.id}/second-factor")
    assert "Reset the second factor" in page.get_data(as_text=True)
    response = post_form(
        client,
        f"/secretariat/users/{colleague.id}/second-factor",
        form_url=f"/secretariat/users/{colleague.id}/second-factor",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SecondFactor, colleague.id) is None
    assert db.session.scalars(select(RecoveryCode)).all() == []
    assert colleague.session_token != token_before  # their sessions end
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mfa.reset"))
    assert event.actor_id == secretariat.id and event.object_id == colleague.id
    [notice] = mailbox.wait(1)
    assert notice["To"] == colleague.email and "removed the second factor" in notice.get_content()


def test_nobody_resets_their_own_second_factor(client, db, secretariat):
    _enrol(client, secretariat)
    login_as(client, secretariat)
    response = post_form(
        client,
        f"/secretariat/users/{secretariat.id}/second-factor",
        form_url=f"/secretariat/users/{secretariat.id}/second-factor",
    )
    assert response.status_code == 302
    assert services.has_factor(secretariat)


def test_new_recovery_codes_replace_the_old(client, db, rep_a):
    secret, old = _enrol(client, rep_a)
    login_as(client, rep_a)
    _later()
    response = post_form(
        client,
        "/account/second-factor/recovery-codes",
        {"code": _code(secret)},
        "/account/second-factor",
    )
    new = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    _password_step(client, rep_a)
    assert _code_step(client, old[0]).status_code == 422
    assert _code_step(client, new[0]).status_code == 302


def test_a_password_change_is_announced_by_mail(client, db, rep_a, mailbox):
    login_as(client, rep_a)
    response = post_form(
        client,
        "/account",
        {
            "current_password": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
        form_url="/account",
    )
    assert response.status_code == 302
    [notice] = mailbox.wait(1)
    assert "The password of your account was changed." in notice.get_content()
