"""The secretariat: organisations list, adding an organisation, status changes with
reasons, representatives, sectors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.members.models import Organisation, Sector, StatusChange
from tests.conftest import csrf_token, login_as, post_form
from tests.factories import make_org, make_sector


@pytest.fixture
def sec_client(client, db, secretariat):
    db.session.commit()
    login_as(client, secretariat)
    return client


def test_organisations_list_includes_applications(sec_client, db):
    make_org(name="Member One")
    make_org(name="Applicant Two", status="applicant")
    db.session.commit()
    body = sec_client.get("/secretariat/organisations").get_data(as_text=True)
    assert "Member One" in body and "Applicant Two" in body
    only = sec_client.get("/secretariat/organisations?status=applicant").get_data(as_text=True)
    assert "Applicant Two" in only and "Member One" not in only
    search = sec_client.get("/secretariat/organisations?q=ONE").get_data(as_text=True)
    assert "Member One" in search and "Applicant Two" not in search
    # Junk in the query string does not break the page.
    assert sec_client.get("/secretariat/organisations?page=x&status=evil").status_code == 200


def test_add_an_organisation_then_activate_it(sec_client, db):
    url = "/secretariat/organisations/new"
    response = post_form(
        sec_client,
        url,
        {"name": "Paper Signatory", "country": "KE", "category": "academia", "sector_id": ""},
        form_url=url,
    )
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Paper Signatory"))
    assert org.status == "applicant"
    admin = f"/secretariat/organisations/{org.slug}"
    response = post_form(
        sec_client,
        f"{admin}/status",
        {"status": "active", "reason": "Signed on paper.", "public_reason": ""},
        form_url=admin,
    )
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert org.status == "active" and org.joined_on is not None
    assert "Paper Signatory" in sec_client.get("/members").get_data(as_text=True)


def test_duplicate_name_when_adding(sec_client, db):
    make_org(name="Taken Name")
    db.session.commit()
    url = "/secretariat/organisations/new"
    response = post_form(
        sec_client,
        url,
        {"name": "TAKEN  name", "country": "KE", "category": "academia"},
        form_url=url,
    )
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_status_change_records_reasons(sec_client, db, org_a, secretariat):
    db.session.commit()
    admin = f"/secretariat/organisations/{org_a.slug}"
    page = sec_client.get(admin).get_data(as_text=True)
    assert '<option value="suspended">' in page and '<option value="delisted">' not in page
    # Suspension needs a public reason.
    response = post_form(
        sec_client,
        f"{admin}/status",
        {"status": "suspended", "reason": "Complaint #7", "public_reason": ""},
        form_url=admin,
    )
    assert response.status_code == 422
    assert 'id="public_reason-error"' in response.get_data(as_text=True)
    response = post_form(
        sec_client,
        f"{admin}/status",
        {
            "status": "suspended",
            "reason": "Complaint #7",
            "public_reason": "Suspended while a complaint is reviewed.",
        },
        form_url=admin,
    )
    assert response.status_code == 302
    change = db.session.scalar(select(StatusChange).order_by(StatusChange.id.desc()))
    assert (change.from_status, change.to_status) == ("active", "suspended")
    assert change.by_user_id == secretariat.id and change.reason == "Complaint #7"
    assert change.is_public
    public = sec_client.application.test_client().get(f"/members/{org_a.slug}")
    text = public.get_data(as_text=True)
    assert "Suspended while a complaint is reviewed." in text and "Complaint #7" not in text


@pytest.mark.parametrize(
    "data, field",
    [
        ({"status": "delisted", "reason": "x"}, "status"),  # active -> delisted is not allowed
        ({"status": "bogus", "reason": "x"}, "status"),
        ({"status": "", "reason": "x"}, "status"),
        ({"status": "withdrawn", "reason": ""}, "reason"),
    ],
)
def test_bad_status_changes(sec_client, db, org_a, data, field):
    db.session.commit()
    admin = f"/secretariat/organisations/{org_a.slug}"
    response = post_form(sec_client, f"{admin}/status", data, form_url=admin)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, org_a.id).status == "active"
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) == 0


def test_representatives_cannot_change_statuses(client, db, org_a, rep_a):
    db.session.commit()
    login_as(client, rep_a)
    response = post_form(
        client,
        f"/secretariat/organisations/{org_a.slug}/status",
        {"status": "withdrawn", "reason": "x"},
        form_url="/dashboard",
    )
    assert response.status_code == 403


def test_invite_and_remove_representatives(sec_client, db, org_a, org_b, rep_b, mailbox):
    db.session.commit()
    admin = f"/secretariat/organisations/{org_a.slug}"
    response = post_form(
        sec_client,
        f"{admin}/representatives",
        {"email": "New@Alpha.example", "name": "Nina New", "job_title": "CISO"},
        form_url=admin,
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@alpha.example"))
    assert user.organisation_id == org_a.id
    mailbox.wait(1)
    assert "/invitation/" in mailbox.body(mailbox.to("new@alpha.example")[0])
    page = sec_client.get(admin).get_data(as_text=True)
    assert "Invited, has not set a password yet" in page
    taken = post_form(
        sec_client, f"{admin}/representatives", {"email": rep_b.email}, form_url=admin
    )
    assert taken.status_code == 409 and 'id="email-error"' in taken.get_data(as_text=True)
    bad = post_form(sec_client, f"{admin}/representatives", {"email": "nope"}, form_url=admin)
    assert bad.status_code == 422
    # Removing someone of another organisation through this one is refused.
    wrong = post_form(sec_client, f"{admin}/representatives/{rep_b.id}/remove", {}, form_url=admin)
    assert wrong.status_code == 404
    db.session.expire_all()
    assert db.session.get(User, rep_b.id).active
    ok = post_form(sec_client, f"{admin}/representatives/{user.id}/remove", {}, form_url=admin)
    assert ok.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, user.id).active


def test_sectors_crud(sec_client, db):
    url = "/secretariat/sectors"
    assert post_form(sec_client, url, {"name": "Space"}, form_url=url).status_code == 302
    dup = post_form(sec_client, url, {"name": "  SPACE "}, form_url=url)
    assert dup.status_code == 409 and "already a sector" in dup.get_data(as_text=True)
    empty = post_form(sec_client, url, {"name": " "}, form_url=url)
    assert empty.status_code == 422
    sector = db.session.scalar(select(Sector).where(Sector.name == "Space"))
    edit = f"/secretariat/sectors/{sector.id}/edit"
    assert post_form(sec_client, edit, {"name": "Space industry"}, form_url=edit).status_code == 302
    db.session.expire_all()
    sector = db.session.get(Sector, sector.id)
    assert (sector.name, sector.slug) == ("Space industry", "space-industry")
    used = make_sector("Used")
    make_org(name="Uses It", sector="Used")
    db.session.commit()
    refused = post_form(sec_client, f"/secretariat/sectors/{used.id}/delete", {}, form_url=url)
    assert refused.status_code == 409
    assert "1 organisations are in this sector" in refused.get_data(as_text=True)
    assert (
        post_form(
            sec_client, f"/secretariat/sectors/{sector.id}/delete", {}, form_url=url
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Sector, sector.id) is None and db.session.get(Sector, used.id)


def test_secretariat_dashboard_lists_recent_status_changes(sec_client, db, org_a, secretariat):
    from app.members.services import change_status

    change_status(secretariat, org_a, "suspended", reason="r", public_reason="p")
    db.session.commit()
    body = sec_client.get("/dashboard").get_data(as_text=True)
    assert "Recent status changes" in body and "Alpha Org" in body


def test_posts_need_csrf(sec_client, db, org_a):
    db.session.commit()
    response = sec_client.post(
        f"/secretariat/organisations/{org_a.slug}/status",
        data={"status": "withdrawn", "reason": "x"},
    )
    assert response.status_code == 400
    assert csrf_token(sec_client, "/secretariat/sectors")
