"""`pactum create-secretariat` and `pactum demo`: thin commands over the services, each one
unit of work (`app.core.uow.unit_of_work`): committed when it succeeds, nothing kept when the
service refuses."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.db import db

PASSWORD = "a long enough passphrase 2026"


def _users(email: str) -> int:
    db.session.rollback()  # read what the command committed, not this session's leftovers
    return db.session.scalar(select(func.count(User.id)).where(User.email == email))


def test_create_secretariat_commits_the_account(runner):
    result = runner.invoke(
        args=["pactum", "create-secretariat", "new@example.org", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "Secretariat account created for new@example.org." in result.output
    assert _users("new@example.org") == 1


def test_a_refused_account_is_an_error_and_keeps_nothing(runner, secretariat):
    db.session.commit()
    again = runner.invoke(
        args=["pactum", "create-secretariat", "sec@example.org", "--password", PASSWORD]
    )
    assert again.exit_code != 0 and "already exists" in again.output
    assert _users("sec@example.org") == 1
    weak = runner.invoke(
        args=["pactum", "create-secretariat", "weak@example.org", "--password", "x"]
    )
    assert weak.exit_code != 0 and "Error:" in weak.output
    assert _users("weak@example.org") == 0
