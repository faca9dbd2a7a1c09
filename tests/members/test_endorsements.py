"""Endorsements: a new charter version asks active members (email and dashboard) to endorse
it; a representative endorses; the directory shows the last endorsed version."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core import signals
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.members import services
from app.members.models import Endorsement, Organisation
from tests.conftest import login_as, post_form
from tests.factories import make_org, make_user
from tests.members import builders


@pytest.fixture
def v2(db, version, principles):
    return builders.make_version(
        2, effective=dt.date(2025, 6, 1), principles=principles, extra_principle=True
    )


def test_publishing_a_version_emails_active_members_representatives(
    db, version, secretariat, mailbox, v2
):
    active = make_org(name="Active Org")
    quiet = make_org(name="Quiet Org", status="non_communicating")
    gone = make_org(name="Gone Org", status="withdrawn")
    applicant = make_org(name="Hopeful Org", status="applicant")
    make_user(organisation=active, email="one@active.example")
    make_user(organisation=active, email="two@active.example")
    make_user(organisation=active, email="invited@active.example", password=None)
    make_user(organisation=active, email="removed@active.example", active=False)
    make_user(organisation=quiet, email="rep@quiet.example")
    make_user(organisation=gone, email="rep@gone.example")
    make_user(organisation=applicant, email="rep@hopeful.example")
    signals.charter_published.send(v2, actor=secretariat)
    db.session.commit()
    messages = mailbox.wait(2)
    recipients = sorted(m["To"] for m in messages)
    assert recipients == ["one@active.example, two@active.example", "rep@quiet.example"]
    body = mailbox.body(mailbox.to("rep@quiet.example")[0])
    assert "Version 2" in body and "/members/quiet-org/endorse" in body


def test_dashboard_asks_until_endorsed(client, db, org_a, rep_a, version, v2):
    builders.endorse(org_a, version)
    db.session.commit()
    login_as(client, rep_a)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Endorse version 2 of the charter" in dashboard
    assert f"/members/{org_a.slug}/endorse" in dashboard
    page = client.get(f"/members/{org_a.slug}/endorse").get_data(as_text=True)
    assert "Charter v2" in page
    response = post_form(
        client,
        f"/members/{org_a.slug}/endorse",
        {
            "version_id": str(v2.id),
            "signatory_name": "Ada Boss",
            "signatory_title": "CEO",
            "authorised": "y",
        },
        form_url=f"/members/{org_a.slug}/endorse",
    )
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, org_a.id)
    assert org.endorsed_version_id == v2.id
    endorsement = db.session.scalar(
        select(Endorsement).where(Endorsement.charter_version_id == v2.id)
    )
    assert (endorsement.signatory_name, endorsement.recorded_by_id) == ("Ada Boss", rep_a.id)
    assert "Endorse version 2 of the charter" not in client.get("/dashboard").get_data(as_text=True)
    directory = client.get("/members").get_data(as_text=True)
    assert "Endorsed the current charter (version 2)" in directory


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"authorised": None}, "authorised"),
        ({"signatory_name": " "}, "signatory_name"),
        ({"version_id": "OLD"}, "version_id"),
        ({"version_id": "abc"}, "version_id"),
    ],
)
def test_bad_endorsements_are_refused(client, db, org_a, rep_a, version, v2, changes, field):
    builders.endorse(org_a, version)
    db.session.commit()
    login_as(client, rep_a)
    data = {
        "version_id": str(v2.id),
        "signatory_name": "Ada",
        "signatory_title": "CEO",
        "authorised": "y",
        **changes,
    }
    if data["version_id"] == "OLD":
        data["version_id"] = str(version.id)
    data = {k: v for k, v in data.items() if v is not None}
    url = f"/members/{org_a.slug}/endorse"
    response = post_form(client, url, data, form_url=url)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True) or field == "version_id"
    db.session.expire_all()
    assert db.session.get(Organisation, org_a.id).endorsed_version_id == version.id


def test_cannot_endorse_for_another_organisation(client, db, org_a, org_b, rep_a, version):
    db.session.commit()
    login_as(client, rep_a)
    response = post_form(
        client,
        f"/members/{org_b.slug}/endorse",
        {
            "version_id": str(version.id),
            "signatory_name": "A",
            "signatory_title": "B",
            "authorised": "y",
        },
        form_url="/dashboard",
    )
    assert response.status_code == 403
    assert db.session.scalar(select(Endorsement)) is None


def test_endorse_service_rules(db, org_a, rep_a, rep_b, secretariat, version):
    with pytest.raises(PermissionDenied):
        services.endorse(rep_b, org_a, version.id, "A", "B", True)
    with pytest.raises(ValidationFailed):
        services.endorse(rep_a, org_a, version.id, "A", "B", False)
    services.endorse(rep_a, org_a, version.id, "A", "B", True)
    with pytest.raises(Conflict):
        services.endorse(secretariat, org_a, version.id, "A", "B", True)
    suspended = make_org(name="Paused Org", status="suspended")
    with pytest.raises(Conflict):
        services.endorse(secretariat, suspended, version.id, "A", "B", True)


def test_upcoming_version_can_be_endorsed_before_it_takes_effect(
    db, org_a, rep_a, version, principles
):
    upcoming = builders.make_version(2, effective=dt.date(2099, 1, 1), principles=principles)
    builders.endorse(org_a, version)
    assert services.endorsement_due(org_a, services.latest_published_version())
    services.endorse(rep_a, org_a, upcoming.id, "A", "B", True)
    assert org_a.endorsed_version_id == upcoming.id


def test_endorsed_version_is_the_newest_endorsed(db, org_a, secretariat, version, v2):
    services.record_endorsement(secretariat, org_a, v2, "A", "B", dt.date(2025, 7, 1))
    services.record_endorsement(secretariat, org_a, version, "A", "B", dt.date(2023, 1, 2))
    assert org_a.endorsed_version_id == v2.id
