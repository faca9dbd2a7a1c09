"""The membership lifecycle service (`change_status`), used by other domains too."""

from __future__ import annotations

import datetime as dt

import pytest

from app import clock
from app.core import signals
from app.errors import PermissionDenied, ValidationFailed
from app.members.services import TRANSITIONS, allowed_transitions, change_status


def test_every_status_has_transitions():
    from app.members.models import Status

    assert set(TRANSITIONS) == {s.value for s in Status}


def test_change_records_who_when_why(db, org_a, secretariat):
    clock.freeze(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC))
    change = change_status(
        secretariat,
        org_a,
        "non_communicating",
        reason="No report",
        public_reason="Did not report for 2025.",
    )
    assert change.by_user_id == secretariat.id and change.at == clock.now()
    assert org_a.status == "non_communicating" and org_a.status_since == clock.now()
    assert change.is_public


def test_automatic_changes_have_no_actor(db, org_a):
    change = change_status(None, org_a, "non_communicating", reason="Deadline passed")
    assert change.by_user_id is None


def test_representatives_cannot_change_status(db, org_a, rep_a):
    with pytest.raises(PermissionDenied):
        change_status(rep_a, org_a, "withdrawn")


@pytest.mark.parametrize("to", ["delisted", "applicant", "active", "nonsense"])
def test_forbidden_moves(db, org_a, secretariat, to):
    with pytest.raises(ValidationFailed):
        change_status(secretariat, org_a, to)
    assert org_a.status == "active"


def test_full_path_back_to_active(db, org_a, secretariat):
    joined = org_a.joined_on
    for status in ("non_communicating", "delisted", "active"):
        assert status in allowed_transitions(org_a.status)
        change_status(secretariat, org_a, status, reason="r")
    assert org_a.joined_on == joined  # rejoining keeps the first join date


def test_activation_sets_join_date_once(db, make_org, secretariat):
    org = make_org(name="New One", status="applicant")
    clock.freeze(dt.date(2026, 2, 3))
    change = change_status(secretariat, org, "active")
    assert org.joined_on == dt.date(2026, 2, 3) and change.is_public


def test_application_stage_changes_are_private(db, make_org, secretariat):
    org = make_org(name="New One", status="applicant")
    assert not change_status(secretariat, org, "rejected", reason="No").is_public


def test_signal_is_sent(db, org_a, secretariat):
    seen = []

    def receiver(sender, **kwargs):
        seen.append((sender, kwargs["from_status"], kwargs["to_status"]))

    signals.organisation_status_changed.connect(receiver)
    try:
        change_status(secretariat, org_a, "suspended")
    finally:
        signals.organisation_status_changed.disconnect(receiver)
    assert seen == [(org_a, "active", "suspended")]
