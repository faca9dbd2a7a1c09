"""Common, guessable and personal passwords are refused wherever a password is set
(ASVS 6.2.4): reset, invitation, change, and the create-secretariat command."""

from __future__ import annotations

import pytest

from app.accounts.models import User
from app.accounts.passwords import password_problem
from app.accounts.services import make_token
from tests.conftest import login_as, post_form
from tests.factories import PASSWORD

ALLIANCE = "Open Cyber Accord"
COMMON = ["password1234", "1234567890", "qwertyuiop", "Password123!", "iloveyou12", "monkey123456"]


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_are_refused_with_a_reason(password):
    problem = password_problem(password, "ada.lovelace@example.org", ALLIANCE)
    assert problem is not None
    assert "most common passwords" in problem or "too easy to guess" in problem
    assert "a few unrelated words" in problem.lower()


def test_the_three_passwords_of_the_assessment_are_among_the_most_common():
    for password in ["password1234", "1234567890", "qwertyuiop"]:
        assert "most common passwords" in password_problem(password, "a@b.example", ALLIANCE)


@pytest.mark.parametrize("password", ["abcdefghijkl", "aaaaaaaaaaaa", "zxcvbnm,./asdf"])
def test_patterns_are_refused(password):
    assert "too easy to guess" in password_problem(password, "a@b.example", ALLIANCE)


@pytest.mark.parametrize(
    "password",
    [
        "ada.lovelace@example.org!",  # the whole address
        "Ada Lovelace harbour",  # the local part, spaces and case aside
        "my lovelace winter moon",  # a piece of the local part
    ],
)
def test_passwords_containing_the_email_are_refused(password):
    problem = password_problem(password, "ada.lovelace@example.org", ALLIANCE)
    assert problem and "email address" in problem


@pytest.mark.parametrize("password", ["open cyber accord rocks", "OpenCyberAccord-2026!x"])
def test_passwords_containing_the_alliance_name_are_refused(password):
    problem = password_problem(password, "ada@example.org", ALLIANCE)
    assert problem and "alliance's name" in problem


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "a long harbour password",
        "my long invitation password",
        "a brand new passphrase",
        "pactum-demo-2026",  # the demo's published password
        "Tr0ub4dor&3xyz",
    ],
)
def test_the_passwords_the_tests_and_the_demo_use_are_accepted(password):
    assert password_problem(password, "sec@example.org", ALLIANCE) is None


def test_very_long_passwords_are_checked_without_error():
    assert password_problem("x7 harbour " * 30, "ada@example.org", ALLIANCE) is None
    assert password_problem("password" * 20, "ada@example.org", ALLIANCE) is not None


def test_short_local_parts_do_not_refuse_ordinary_words():
    # "sec" (three letters) occurs in too many good passwords ("secure", "second …").
    assert password_problem("second harbour lantern", "sec@example.org", ALLIANCE) is None


# Everywhere a password is set -----------------------------------------------------------


def test_reset_refuses_a_common_password_next_to_the_field(client, secretariat, db):
    db.session.commit()
    path = f"/password/reset/{make_token(secretariat, 'reset')}"
    data = {"password": "password1234", "confirm": "password1234"}
    response = post_form(client, path, data, form_url=path)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="password-error"' in body and "most common passwords" in body
    db.session.expire_all()
    assert db.session.get(User, secretariat.id).check_password(PASSWORD)


def test_invitation_refuses_the_alliance_name(app, client, make_user, org_a, db):
    user = make_user(organisation=org_a, email="nia@alpha.example", password=None)
    db.session.commit()
    path = f"/invitation/{make_token(user, 'invite')}"
    weak = app.config["ALLIANCE_NAME"].lower() + " member"
    data = {"name": "Nia", "password": weak, "confirm": weak}
    response = post_form(client, path, data, form_url=path)
    assert response.status_code == 422
    assert "alliance&#39;s name" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash is None


def test_change_refuses_a_password_containing_the_email(client, make_user, org_a, db):
    user = make_user(organisation=org_a, email="nia.rep@alpha.example")
    db.session.commit()
    login_as(client, user)
    weak = "Nia.Rep harbour lantern"
    data = {"current_password": PASSWORD, "password": weak, "confirm": weak}
    response = post_form(client, "/account", data, form_url="/account")
    assert response.status_code == 422
    assert "email address" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_create_secretariat_refuses_a_common_password(runner, db):
    result = runner.invoke(
        args=["pactum", "create-secretariat", "new@example.org", "--password", "qwertyuiop"]
    )
    assert result.exit_code != 0
    assert "most common passwords" in result.output
    assert db.session.query(User).filter_by(email="new@example.org").count() == 0
