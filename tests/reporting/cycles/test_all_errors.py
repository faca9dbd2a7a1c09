"""A form shows every mistake at once (issue 16): a cycle with a negative grace period and a
due date before its opening shows both errors, each next to its field, and a summary at the
top that links to each. The service refuses both at once too (command line, API)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app import clock
from app.errors import ValidationFailed
from app.reporting import cycles
from app.reporting.models import ReportingCycle

FIELDS = {
    "year": "2027",
    "title": "",
    "charter_version_id": "0",
    "opens_on": "2027-03-01",
    "due_on": "2027-01-31",
    "grace_days": "-3",
    "categories": ["company"],
    "reminder_offsets": "30, 7, 1",
    "copy_from": "0",
}


def _summary(body: str) -> str:
    start = body.index('<div class="error-summary"')
    return body[start : body.index("</div>", start)]


@pytest.fixture
def sec(client, login, secretariat, db):
    clock.freeze(dt.date(2026, 11, 2))
    db.session.commit()
    login(client, secretariat)
    return client


def test_new_cycle_shows_both_errors_next_to_their_fields(sec, post, db):
    response = post(sec, "/secretariat/cycles/new", FIELDS)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    due = re.search(r'<p class="error-message" id="due_on-error">([^<]*)</p>', body)
    grace = re.search(r'<p class="error-message" id="grace_days-error">([^<]*)</p>', body)
    assert due and due.group(1) == "The due date must come after the opening date."
    assert grace and grace.group(1) == "Enter between 0 and 365 days."
    summary = _summary(body)
    links = re.findall(r'<a href="#([^"]+)">([^<]*)</a>', summary)
    assert links == [
        ("due_on", "Due date: The due date must come after the opening date."),
        ("grace_days", "Grace period (days): Enter between 0 and 365 days."),
    ]
    assert body.index("error-summary") < body.index('id="year"')  # at the top of the form
    assert db.session.query(ReportingCycle).count() == 0


def test_cycle_settings_show_both_errors(sec, post, secretariat, db):
    cycles.create_cycle(
        secretariat, 2027, "", dt.date(2027, 1, 15), dt.date(2027, 3, 31), categories=["company"]
    )
    db.session.commit()
    response = post(
        sec,
        "/secretariat/cycles/2027/settings",
        {k: v for k, v in FIELDS.items() if k not in ("year", "copy_from")},
    )
    assert response.status_code == 422
    links = re.findall(r'<a href="#([^"]+)">', _summary(response.get_data(as_text=True)))
    assert links == ["due_on", "grace_days"]


def test_the_service_refuses_both_at_once(secretariat, db):
    with pytest.raises(ValidationFailed) as refused:
        cycles.create_cycle(
            secretariat, 2027, "", dt.date(2027, 3, 1), dt.date(2027, 1, 31), grace_days=-3
        )
    assert set(refused.value.errors) == {"due_on", "grace_days"}
