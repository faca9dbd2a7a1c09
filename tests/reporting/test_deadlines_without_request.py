"""The deadline tick runs from cron: an application context, no request. Its mail carries
absolute links built from PACTUM_SERVER_URL (mount point included, never doubled)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import has_request_context

from app import clock
from app.reporting.deadlines import run_tick
from tests.reporting.builders_review import at, make_cycle


@pytest.fixture
def server_url(app):
    original = app.config["SERVER_URL"]
    app.config["SERVER_URL"] = "https://pactum.example.org/alliance"
    yield app.config["SERVER_URL"]
    app.config["SERVER_URL"] = original


def test_reminders_and_consequences_go_without_a_request(db, secretariat, rep_a, mailbox):
    cycle = make_cycle(secretariat)
    db.session.commit()
    assert not has_request_context()
    clock.freeze(at(dt.date(2026, 3, 1), 6))
    summary = run_tick()
    db.session.commit()
    assert summary.count("reminder") == 1
    [reminder] = mailbox.wait(1)
    body = mailbox.body(reminder)
    assert "http://localhost/my/reports/2026" in body
    assert "http://localhost/my/extensions/2026" in body
    assert "March 31, 2026" in body
    mailbox.clear()
    clock.freeze(at(dt.date(2026, 4, 15), 6))
    summary = run_tick()
    db.session.commit()
    assert summary.count("non_communicating") == 1
    [notice] = mailbox.wait(1)
    assert "non-communicating" in notice["Subject"]
    assert "http://localhost/my/reports/2026" in mailbox.body(notice)
    assert cycle.deadline_processed_at is None


def test_links_follow_the_mount_point_of_the_public_address(
    db, secretariat, rep_a, mailbox, server_url
):
    make_cycle(secretariat)
    db.session.commit()
    clock.freeze(at(dt.date(2026, 3, 24), 6))
    run_tick()
    db.session.commit()
    body = mailbox.body(mailbox.wait(1)[0])
    assert f"{server_url}/my/reports/2026" in body
    assert f"{server_url}/my/extensions/2026" in body
    assert "/alliance/alliance/" not in body
