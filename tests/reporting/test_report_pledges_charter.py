"""A charter published while a cycle is open: the report stays on its cycle's version, and so
does "Add a new pledge" inside it; where the two versions meet, the page says which is which
(issue 16)."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.errors import ValidationFailed
from app.members.services import principle_labels
from app.reporting import filling
from tests.conftest import csrf_token, login_as
from tests.reporting.builders_filling import (  # noqa: F401  (fixtures)
    cycle,
    make_charter,
    newer_charter_during,
    world,
)

PAGE = "/my/reports/2026/pledges"


@pytest.fixture
def two_charters(db, world):
    charters = newer_charter_during(db, world.cycle)
    db.session.commit()
    world.v1, world.v2 = charters.v1, charters.v2
    world.old_only, world.new_only = charters.old_only, charters.new_only
    return world


def _new_pledge(client, principle_id):
    return client.post(
        PAGE + "/new",
        data={
            "csrf_token": csrf_token(client, PAGE),
            "title": "Publish a transparency report",
            "indicator": "One a year",
            "principle_ids": [str(principle_id)],
            "is_public": "y",
            "target_date": "2026-12-31",
        },
    )


def test_the_new_pledge_form_offers_the_cycles_principles_and_names_both_versions(
    app, two_charters
):
    client = app.test_client()
    login_as(client, two_charters.rep_a)
    body = client.get(PAGE).get_data(as_text=True)
    assert "Principle 2 title" in body and "Principle 3 title" in body
    assert "Only in the new charter" not in body
    assert f'value="{two_charters.new_only}"' not in body
    assert "Principles it serves (charter version 1)" in body
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
    assert "This report follows version 1 of the charter" in text
    assert "Version 2, in force from" in text and "applies to the next reporting cycle" in text


def test_a_pledge_made_in_the_report_serves_the_cycles_version(app, db, two_charters):
    client = app.test_client()
    login_as(client, two_charters.rep_a)
    refused = _new_pledge(client, two_charters.new_only)
    assert refused.status_code == 422  # not one of the choices the form offered
    assert 'id="principle_ids-error"' in refused.get_data(as_text=True)
    assert filling.find_report(two_charters.cycle, two_charters.org_a.id) is None
    accepted = _new_pledge(client, two_charters.old_only)
    assert accepted.status_code == 302
    report = filling.find_report(two_charters.cycle, two_charters.org_a.id)
    pledge = filling.load(report).pledges[-1]
    assert [p.key for p in pledge.principles] == ["P2"]


def test_the_service_checks_against_the_cycles_version(db, two_charters):
    report = filling.get_or_start_report(two_charters.rep_a, two_charters.cycle, two_charters.org_a)
    with pytest.raises(ValidationFailed) as refused:
        filling.add_pledge(
            two_charters.rep_a, report, "T", "I", dt.date(2026, 12, 31), [two_charters.new_only]
        )
    assert refused.value.errors["principle_ids"] == [
        "Choose principles of version 1 of the charter."
    ]
    pledge = filling.add_pledge(
        two_charters.rep_a, report, "T", "I", dt.date(2026, 12, 31), [two_charters.old_only]
    )
    assert [p.key for p in pledge.principles] == ["P2"]


def test_without_a_newer_charter_the_page_names_one_version(app, db, world):
    world.cycle.charter_version_id = make_charter(db).id
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    body = client.get(PAGE).get_data(as_text=True)
    assert "This report follows version 1 of the charter" in body
    assert "applies to the next reporting cycle" not in body


def test_elsewhere_a_principle_of_the_older_version_says_so(app, db, two_charters):
    """The pledge made in the report serves P2, which version 2 (in force) no longer has: the
    organisation's pledges page names it with its version, not as version 2's number 2."""
    client = app.test_client()
    login_as(client, two_charters.rep_a)
    assert _new_pledge(client, two_charters.old_only).status_code == 302
    labels = principle_labels({two_charters.old_only, two_charters.v1.texts[0].principle_id})
    assert labels[two_charters.old_only] == "2. Principle 2 title (charter version 1)"
    assert labels[two_charters.v1.texts[0].principle_id] == "1. Principle 1 title"
    page = client.get(f"/members/{two_charters.org_a.slug}/pledges").get_data(as_text=True)
    assert "2. Principle 2 title (charter version 1)" in page


def test_the_cycle_page_says_which_version_is_which(app, db, two_charters):
    client = app.test_client()
    login_as(client, two_charters.sec)
    body = client.get("/secretariat/cycles/2026").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
    assert "Version 1: The charter" in text
    assert (
        "Version 2 has been in force since January 15, 2026; this cycle’s reports, and the "
        "pledges made in them, stay on version 1." in text
    )
