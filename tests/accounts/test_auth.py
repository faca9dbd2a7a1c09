"""Login, logout, sessions, password reset and invitations, through HTTP."""

from __future__ import annotations

import datetime as dt
import re

from app import clock
from app.accounts.models import User
from tests.conftest import csrf_token, login_as, post_form
from tests.factories import PASSWORD


def _login(client, email, password, next_url=""):
    token = csrf_token(client, "/login")
    return client.post(
        f"/login{next_url}", data={"email": email, "password": password, "csrf_token": token}
    )


def test_login_success_and_dashboard(client, secretariat, db):
    db.session.commit()
    response = _login(client, "sec@example.org", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Secretariat dashboard" in page.get_data(as_text=True)


def test_representative_dashboard_names_its_organisation(client, rep_a, db):
    db.session.commit()
    login_as(client, rep_a)
    body = client.get("/dashboard").get_data(as_text=True)
    assert "Alpha Org" in body
    assert "Secretariat dashboard" not in body


def test_login_email_is_case_insensitive(client, secretariat, db):
    db.session.commit()
    assert _login(client, "  SEC@Example.org ", PASSWORD).status_code == 302


def test_failed_login_has_one_generic_message(client, secretariat, db):
    db.session.commit()
    wrong_password = _login(client, "sec@example.org", "nope-nope-nope")
    unknown_email = _login(client, "nobody@example.org", "nope-nope-nope")
    assert wrong_password.status_code == unknown_email.status_code == 422
    message = "Email or password is not correct."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)


def test_inactive_user_cannot_log_in(client, make_user, db):
    make_user(role="secretariat", email="gone@example.org", active=False)
    db.session.commit()
    assert _login(client, "gone@example.org", PASSWORD).status_code == 422


def test_login_without_csrf_is_refused(client, secretariat, db):
    db.session.commit()
    response = client.post("/login", data={"email": "sec@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_login_is_throttled(app, client, secretariat, db):
    db.session.commit()
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [_login(client, "sec@example.org", "wrong-password").status_code for _ in range(5)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert codes[:3] == [422, 422, 422]
    assert codes[3] == 429


def test_next_only_redirects_to_local_paths(app, secretariat, db):
    db.session.commit()
    from urllib.parse import quote

    for evil in ["//evil.example/", "/\\evil.example", "https://evil.example/", "/\r\nevil"]:
        client = app.test_client()
        response = _login(client, "sec@example.org", PASSWORD, next_url=f"?next={quote(evil)}")
        assert response.status_code == 302, evil
        assert response.headers["Location"] == "/dashboard", evil
    client = app.test_client()
    ok = _login(client, "sec@example.org", PASSWORD, next_url="?next=/secretariat/users")
    assert ok.headers["Location"] == "/secretariat/users"


def test_logout_invalidates_copied_session_cookie(app, client, secretariat, db):
    db.session.commit()
    _login(client, "sec@example.org", PASSWORD)
    stolen = client.get_cookie("session").value
    post_form(client, "/logout", form_url="/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/dashboard").status_code == 302


def test_password_reset_round_trip_single_use(client, secretariat, db, mailbox):
    db.session.commit()
    response = post_form(client, "/password/forgot", {"email": "sec@example.org"})
    assert response.status_code == 302
    [message] = mailbox.wait(1)
    link = next(link for link in mailbox.links(message) if "/password/reset/" in link)
    path = re.sub(r"^https?://[^/]+", "", link)
    assert client.get(path).status_code == 200
    new = "a brand new passphrase"
    done = post_form(client, path, {"password": new, "confirm": new}, form_url=path)
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, secretariat.id).check_password(new)
    # The link cannot be used twice.
    fresh = client.application.test_client()
    assert fresh.get(path).status_code == 400


def test_password_reset_does_not_reveal_unknown_emails(client, db, mailbox):
    response = post_form(
        client, "/password/forgot", {"email": "nobody@example.org"}, follow_redirects=True
    )
    assert "If an account exists for that address" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_password_reset_link_expires(app, client, secretariat, db, mailbox):
    db.session.commit()
    post_form(client, "/password/forgot", {"email": "sec@example.org"})
    [message] = mailbox.wait(1)
    path = re.sub(r"^https?://[^/]+", "", mailbox.links(message)[0])
    app.config["TOKEN_MAX_AGE"] = -1
    try:
        response = client.get(path)
    finally:
        app.config["TOKEN_MAX_AGE"] = 7200
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_reset_refuses_short_password_next_to_field(client, secretariat, db):
    db.session.commit()
    from app.accounts.services import make_token

    path = f"/password/reset/{make_token(secretariat, 'reset')}"
    response = post_form(client, path, {"password": "short", "confirm": "short"}, form_url=path)
    assert response.status_code == 422
    assert 'id="password-error"' in response.get_data(as_text=True)


def test_invitation_flow(client, secretariat, org_a, db, mailbox):
    db.session.commit()
    login_as(client, secretariat)
    response = post_form(
        client,
        "/secretariat/users",
        {"organisation_id": org_a.id, "email": "new.rep@alpha.example", "name": "Nia Rep"},
        form_url="/secretariat/users",
    )
    assert response.status_code == 302
    [message] = mailbox.wait(1)
    assert "Alpha Org" in message["Subject"]
    path = re.sub(r"^https?://[^/]+", "", mailbox.links(message)[0])
    guest = client.application.test_client()
    assert guest.get(path).status_code == 200
    pw = "my long invitation password"
    done = post_form(guest, path, {"name": "Nia Rep", "password": pw, "confirm": pw}, form_url=path)
    assert done.status_code == 302
    body = guest.get("/dashboard").get_data(as_text=True)
    assert "Alpha Org" in body
    user = db.session.query(User).filter_by(email="new.rep@alpha.example").one()
    assert user.organisation_id == org_a.id and user.role == "representative"


def test_representative_cannot_invite(client, rep_a, org_b, db):
    db.session.commit()
    login_as(client, rep_a)
    assert client.get("/secretariat/users").status_code == 403
    response = post_form(
        client, "/secretariat/users", {"organisation_id": org_b.id, "email": "x@beta.example"}
    )
    assert response.status_code == 403


def test_duplicate_invitation_email_is_refused_next_to_field(client, secretariat, rep_a, org_a, db):
    db.session.commit()
    login_as(client, secretariat)
    response = post_form(
        client, "/secretariat/users", {"organisation_id": org_a.id, "email": "rep@alpha.example"}
    )
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_clock_moves_last_login(client, secretariat, db):
    db.session.commit()
    clock.freeze(dt.datetime(2026, 5, 1, 8, tzinfo=dt.UTC))
    _login(client, "sec@example.org", PASSWORD)
    db.session.expire_all()
    assert db.session.get(User, secretariat.id).last_login_at.date() == dt.date(2026, 5, 1)
