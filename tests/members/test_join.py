"""Applying through /join, and the secretariat's decision: approve or reject."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.members.models import Application, Endorsement, Organisation, StatusChange
from tests.conftest import login_as, post_form
from tests.factories import make_org, make_sector


def join_data(version, **changes) -> dict:
    data = {
        "name": "Harbour Lights",
        "legal_name": "Harbour Lights GmbH",
        "country": "DE",
        "sector_id": "",
        "category": "company",
        "size_band": "10-49",
        "website": "harbour-lights.example",
        "description_md": "We *guard* harbours.",
        "contact_name": "Carla Contact",
        "contact_title": "Director",
        "contact_email": "Carla@Harbour.example",
        "motivation": "Because.",
        "charter_version_id": str(version.id),
        "signatory_name": "Sam Signer",
        "signatory_title": "CEO",
        "authorised_to_sign": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def apply(client, data):
    return post_form(client, "/join", data, form_url="/join")


def count(model) -> int:
    from app.db import db

    return db.session.scalar(select(func.count()).select_from(model))


def test_join_page_names_the_current_version(client, db, version):
    db.session.commit()
    body = client.get("/join").get_data(as_text=True)
    assert "endorses version 1 of the charter" in body
    assert f'name="charter_version_id" type="hidden" value="{version.id}"' in body
    assert '<option value="DE">Germany</option>' in body


def test_application_creates_applicant_and_emails_both(client, db, version, mailbox, app):
    sector = make_sector("Maritime")
    db.session.commit()
    response = apply(client, join_data(version, sector_id=str(sector.id)))
    assert response.status_code == 302
    assert response.headers["Location"] == "/join/submitted"
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Harbour Lights"))
    assert org.status == "applicant" and org.joined_on is None
    assert org.slug == "harbour-lights" and org.website == "https://harbour-lights.example"
    assert org.sector_id == sector.id
    application = org.application
    assert application.state == "pending"
    assert application.contact_email == "carla@harbour.example"
    assert application.charter_version_id == version.id
    assert application.signatory_name == "Sam Signer" and application.authorised_to_sign
    history = db.session.scalars(
        select(StatusChange).where(StatusChange.organisation_id == org.id)
    ).all()
    assert [(h.from_status, h.to_status, h.is_public) for h in history] == [
        (None, "applicant", False)
    ]
    mailbox.wait(2)
    to_secretariat = mailbox.to(app.config["SECRETARIAT_EMAIL"])
    assert len(to_secretariat) == 1
    assert "Harbour Lights" in to_secretariat[0]["Subject"]
    assert f"/secretariat/applications/{application.id}" in mailbox.body(to_secretariat[0])
    to_contact = mailbox.to("carla@harbour.example")
    assert len(to_contact) == 1
    assert "version 1 of the charter" in mailbox.body(to_contact[0])
    # Not public until approved.
    assert client.get("/members/harbour-lights").status_code == 404
    assert "Harbour Lights" not in client.get("/members").get_data(as_text=True)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": "  "}, "name", "Please fill in"),
        ({"country": "XX"}, "country", "Choose a country from the list."),
        ({"country": "Germany"}, "country", "Choose a country from the list."),
        ({"category": "spy"}, "category", "Choose a category from the list."),
        ({"size_band": "huge"}, "size_band", "Choose a size from the list."),
        ({"sector_id": "999999"}, "sector_id", "Choose a sector from the list."),
        ({"sector_id": "abc"}, "sector_id", "Choose a sector from the list."),
        ({"website": "not a website"}, "website", "Enter the full address of a website"),
        ({"website": "javascript:alert(1)"}, "website", "Enter the full address of a website"),
        ({"website": "ftp://files.example.org"}, "website", "Enter the full address of a website"),
        ({"website": "https://localhost"}, "website", "Enter the full address of a website"),
        ({"website": "https://user:pw@example.org"}, "website", "Enter the full address"),
        ({"website": "https://example.org:99999"}, "website", "Enter the full address"),
        ({"contact_email": "not-an-email"}, "contact_email", "Enter a valid email address."),
        ({"authorised_to_sign": None}, "authorised_to_sign", "Only a person authorised to sign"),
        ({"signatory_title": ""}, "signatory_title", "Please fill in"),
        ({"charter_version_id": "abc"}, "charter_version_id", "A new version of the charter"),
        ({"charter_version_id": "999"}, "charter_version_id", "A new version of the charter"),
        ({"name": "x" * 201}, "name", "200"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(
    client, db, version, mailbox, changes, field, message
):
    db.session.commit()
    response = apply(client, join_data(version, **changes))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body
    assert message in body
    assert count(Organisation) == 0 and count(Application) == 0 and count(StatusChange) == 0
    assert mailbox.messages == []


def test_duplicate_name_is_a_conflict_whatever_the_case_and_spaces(client, db, version, mailbox):
    make_org(name="Harbour Lights", status="active")
    db.session.commit()
    response = apply(client, join_data(version, name="  harbour   LIGHTS "))
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert 'id="name-error"' in body and "already a member or has applied" in body
    assert count(Organisation) == 1 and count(Application) == 0
    assert mailbox.messages == []


def test_closed_when_no_charter_is_published(client, db):
    db.session.commit()
    assert "Applications are not open yet" in client.get("/join").get_data(as_text=True)
    response = post_form(
        client,
        "/join",
        {
            "name": "X",
            "country": "DE",
            "category": "company",
            "contact_name": "A",
            "contact_email": "a@b.example",
            "signatory_name": "A",
            "signatory_title": "B",
            "authorised_to_sign": "y",
            "charter_version_id": "1",
        },
    )
    assert response.status_code == 409
    assert count(Organisation) == 0


def test_join_needs_csrf(client, db, version):
    db.session.commit()
    assert client.post("/join", data=join_data(version)).status_code == 400
    assert count(Organisation) == 0


def test_markup_in_the_application_is_escaped(client, db, version, secretariat):
    db.session.commit()
    apply(
        client,
        join_data(
            version,
            name="<script>alert(1)</script> Org",
            description_md="<img src=x onerror=alert(1)> **bold**",
        ),
    )
    application = db.session.scalar(select(Application))
    login_as(client, secretariat)
    body = client.get(f"/secretariat/applications/{application.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    assert "onerror" not in body and "<strong>bold</strong>" in body


# The secretariat decides -------------------------------------------------------------------


@pytest.fixture
def pending(client, db, version, mailbox):
    db.session.commit()
    apply(client, join_data(version))
    mailbox.wait(2)
    mailbox.clear()
    return db.session.scalar(select(Application))


def test_queue_lists_pending_applications(client, pending, secretariat, db):
    db.session.commit()
    login_as(client, secretariat)
    body = client.get("/secretariat/applications").get_data(as_text=True)
    assert "1 application waiting" in body and "Harbour Lights" in body
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "<strong>1</strong> application waiting for a decision" in dashboard


def test_approve_activates_records_endorsement_and_invites(
    client, pending, secretariat, db, mailbox, version
):
    db.session.commit()
    login_as(client, secretariat)
    url = f"/secretariat/applications/{pending.id}"
    response = post_form(
        client, f"{url}/approve", {"invite_email": "carla@harbour.example"}, form_url=url
    )
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, pending.organisation_id)
    assert org.status == "active" and org.joined_on is not None
    assert org.endorsed_version_id == version.id
    endorsement = db.session.scalar(select(Endorsement))
    assert (endorsement.signatory_name, endorsement.signatory_title) == ("Sam Signer", "CEO")
    assert endorsement.endorsed_on == pending.created_at.date()
    assert db.session.get(Application, pending.id).state == "approved"
    rep = db.session.scalar(select(User).where(User.email == "carla@harbour.example"))
    assert rep.organisation_id == org.id and rep.role == "representative"
    assert rep.name == "Carla Contact" and rep.job_title == "Director"
    assert rep.password_hash is None
    mailbox.wait(2)
    bodies = [mailbox.body(m) for m in mailbox.to("carla@harbour.example")]
    assert any("/invitation/" in b for b in bodies)
    assert any("is now a member" in m["Subject"] for m in mailbox.to("carla@harbour.example"))
    # Public now, with a public history entry.
    public = client.get("/members/harbour-lights").get_data(as_text=True)
    assert "Joined the alliance." in public and "Version 1" in public
    # Deciding twice is refused.
    again = post_form(
        client,
        f"{url}/approve",
        {"invite_email": "x@harbour.example"},
        form_url="/secretariat/applications",
    )
    assert again.status_code == 409


def test_approve_with_an_email_already_in_use_changes_nothing(
    client, pending, secretariat, db, mailbox, make_user
):
    make_user(email="taken@example.org", role="secretariat")
    db.session.commit()
    login_as(client, secretariat)
    url = f"/secretariat/applications/{pending.id}"
    response = post_form(
        client, f"{url}/approve", {"invite_email": "taken@example.org"}, form_url=url
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert 'id="invite_email-error"' in body and "already exists" in body
    db.session.expire_all()
    assert db.session.get(Organisation, pending.organisation_id).status == "applicant"
    assert count(Endorsement) == 0
    assert db.session.get(Application, pending.id).state == "pending"
    assert mailbox.messages == []


def test_reject_needs_a_reason_and_emails_it(client, pending, secretariat, db, mailbox):
    db.session.commit()
    login_as(client, secretariat)
    url = f"/secretariat/applications/{pending.id}"
    empty = post_form(client, f"{url}/reject", {"reason": "  "}, form_url=url)
    assert empty.status_code == 422 and 'id="reason-error"' in empty.get_data(as_text=True)
    response = post_form(
        client, f"{url}/reject", {"reason": "Not an organisation we admit."}, form_url=url
    )
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, pending.organisation_id)
    assert org.status == "rejected"
    assert (
        db.session.get(Application, pending.id).decision_reason == "Not an organisation we admit."
    )
    mailbox.wait(1)
    assert "Not an organisation we admit." in mailbox.body(mailbox.to("carla@harbour.example")[0])
    assert client.get("/members/harbour-lights").status_code == 200  # the secretariat sees it
    client.get("/logout")
    fresh = client.application.test_client()
    assert fresh.get("/members/harbour-lights").status_code == 404
    assert "Harbour Lights" not in fresh.get("/members.csv").get_data(as_text=True)


def test_representatives_cannot_decide(client, pending, rep_a, db):
    db.session.commit()
    login_as(client, rep_a)
    url = f"/secretariat/applications/{pending.id}/approve"
    response = post_form(client, url, {"invite_email": "x@y.example"}, form_url="/dashboard")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Application, pending.id).state == "pending"


def test_control_characters_are_dropped(client, db, version):
    db.session.commit()
    response = apply(
        client, join_data(version, name="Nul\x00 Org\x07", description_md="Line one\nLine\x00 two")
    )
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation))
    assert org.name == "Nul Org" and org.description_md == "Line one\nLine two"
