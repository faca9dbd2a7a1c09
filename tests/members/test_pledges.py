"""Pledges: representatives create, edit, record progress and withdraw their own; the
secretariat verifies progress; nobody touches another organisation's pledges."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app import clock
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.members import pledges as services
from app.members.models import Pledge, PledgeUpdate
from tests.conftest import csrf_token, login_as, post_form
from tests.members import builders

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(TODAY)


def pledge_form(principles, **changes) -> dict:
    data = {
        "title": "Patch within 30 days",
        "principle_ids": [str(p.id) for p in principles],
        "description_md": "All *critical* bugs.",
        "target_date": "2027-12-31",
        "indicator": "Median days to fix",
        "visibility": "public",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def withdraw(client, url: str, note: str, form_url: str):
    """The withdraw form has the prefix "withdraw-" (it shares a page with another form)."""
    token = csrf_token(client, form_url)
    return client.post(url, data={"withdraw-note": note, "withdraw-csrf_token": token})


def n_pledges() -> int:
    from app.db import db

    return db.session.scalar(select(func.count()).select_from(Pledge))


def test_representative_makes_a_pledge(client, db, org_a, rep_a, principles):
    db.session.commit()
    login_as(client, rep_a)
    url = f"/members/{org_a.slug}/pledges/new"
    page = client.get(url).get_data(as_text=True)
    assert "1. Protect all users" in page and 'type="checkbox"' in page
    response = post_form(client, url, pledge_form(principles[:2]), form_url=url)
    assert response.status_code == 302
    pledge = db.session.scalar(select(Pledge))
    assert response.headers["Location"] == f"/members/{org_a.slug}/pledges/{pledge.id}"
    assert pledge.organisation_id == org_a.id and pledge.created_by_id == rep_a.id
    assert [p.id for p in pledge.principles] == [p.id for p in principles[:2]]
    assert pledge.status == "planned" and pledge.target_date == dt.date(2027, 12, 31)
    assert [(u.status, u.note) for u in pledge.updates] == [("planned", "Pledge made.")]
    public = client.application.test_client().get(f"/members/{org_a.slug}")
    assert "Patch within 30 days" in public.get_data(as_text=True)


def test_private_pledge_stays_off_the_public_profile(client, db, org_a, rep_a, principles):
    db.session.commit()
    login_as(client, rep_a)
    url = f"/members/{org_a.slug}/pledges/new"
    post_form(client, url, pledge_form(principles[:1], visibility="private"), form_url=url)
    anon = client.application.test_client()
    assert "Patch within 30 days" not in anon.get(f"/members/{org_a.slug}").get_data(as_text=True)
    assert "Patch within 30 days" not in anon.get(f"/api/v1/members/{org_a.slug}").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": " "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"indicator": ""}, "indicator"),
        ({"principle_ids": None}, "principle_ids"),
        ({"principle_ids": ["999999"]}, "principle_ids"),
        ({"principle_ids": ["abc"]}, "principle_ids"),
        ({"target_date": ""}, "target_date"),
        ({"target_date": "31/12/2027"}, "target_date"),
        ({"target_date": "2026-03-09"}, "target_date"),  # yesterday
        ({"target_date": "2046-03-11"}, "target_date"),  # more than 20 years ahead
        ({"target_date": "99999-01-01"}, "target_date"),
        ({"visibility": "everyone-and-their-dog"}, "visibility"),
    ],
)
def test_bad_pledges_are_refused(client, db, org_a, rep_a, principles, changes, field):
    db.session.commit()
    login_as(client, rep_a)
    url = f"/members/{org_a.slug}/pledges/new"
    response = post_form(client, url, pledge_form(principles[:1], **changes), form_url=url)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert n_pledges() == 0


def test_principles_of_a_superseded_version_are_refused(db, org_a, rep_a, version, principles):
    # Version 2 drops principle 3: a new pledge cannot cite it.
    builders.make_version(2, effective=dt.date(2025, 1, 1), principles=principles[:2])
    with pytest.raises(ValidationFailed) as error:
        services.create_pledge(
            rep_a, org_a, services.PledgeData("T", "I", dt.date(2027, 1, 1), [principles[2].id])
        )
    assert error.value.errors.keys() == {"principle_ids"}


def test_cannot_pledge_for_another_organisation(client, db, org_a, org_b, rep_a, principles):
    db.session.commit()
    login_as(client, rep_a)
    response = post_form(
        client,
        f"/members/{org_b.slug}/pledges/new",
        pledge_form(principles[:1]),
        form_url=f"/members/{org_a.slug}/pledges/new",
    )
    assert response.status_code == 403
    assert n_pledges() == 0


def test_tampered_pledge_ids_are_refused(client, db, org_a, org_b, rep_a, principles):
    theirs = builders.make_pledge(org_b, principles[:1], title="B's pledge")
    db.session.commit()
    login_as(client, rep_a)
    form_url = f"/members/{org_a.slug}/pledges/new"
    # B's pledge through A's address: not found; through B's address: forbidden.
    for slug, status in ((org_a.slug, 404), (org_b.slug, 403)):
        base = f"/members/{slug}/pledges/{theirs.id}"
        assert (
            post_form(
                client,
                f"{base}/edit",
                pledge_form(principles[:1], title="Mine now"),
                form_url=form_url,
            ).status_code
            == status
        )
        assert (
            post_form(
                client, f"{base}/progress", {"status": "missed", "note": "Ha"}, form_url=form_url
            ).status_code
            == status
        )
        assert withdraw(client, f"{base}/withdraw", "Gone", form_url).status_code == status
    db.session.expire_all()
    pledge = db.session.get(Pledge, theirs.id)
    assert pledge.title == "B's pledge" and pledge.status == "planned"
    assert len(pledge.updates) == 1


def test_edit_a_pledge(client, db, org_a, rep_a, principles):
    pledge = builders.make_pledge(org_a, principles[:1], target=dt.date(2026, 1, 31))
    db.session.commit()
    login_as(client, rep_a)
    url = f"/members/{org_a.slug}/pledges/{pledge.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Fix bugs fast"' in page
    # An existing target date that is now past may be kept…
    response = post_form(
        client,
        url,
        pledge_form(
            principles[1:3], title="Fix bugs faster", target_date="2026-01-31", visibility="private"
        ),
        form_url=url,
    )
    assert response.status_code == 302
    db.session.expire_all()
    pledge = db.session.get(Pledge, pledge.id)
    assert pledge.title == "Fix bugs faster" and not pledge.is_public
    assert [p.id for p in pledge.principles] == [p.id for p in principles[1:3]]
    # …but not moved to another past date.
    response = post_form(
        client, url, pledge_form(principles[:1], target_date="2026-02-01"), form_url=url
    )
    assert response.status_code == 422


def test_progress_and_withdrawal(client, db, org_a, rep_a, principles):
    pledge = builders.make_pledge(org_a, principles[:1])
    db.session.commit()
    login_as(client, rep_a)
    base = f"/members/{org_a.slug}/pledges/{pledge.id}"
    nothing = post_form(
        client, f"{base}/progress", {"status": "planned", "note": ""}, form_url=base
    )
    assert nothing.status_code == 422
    assert "Change the status or write a progress note." in nothing.get_data(as_text=True)
    bad = post_form(client, f"{base}/progress", {"status": "exploded", "note": "x"}, form_url=base)
    assert bad.status_code == 422
    ok = post_form(
        client, f"{base}/progress", {"status": "in_progress", "note": "Half done."}, form_url=base
    )
    assert ok.status_code == 302
    no_reason = withdraw(client, f"{base}/withdraw", " ", base)
    assert no_reason.status_code == 422
    assert 'id="withdraw-note-error"' in no_reason.get_data(as_text=True)
    gone = withdraw(client, f"{base}/withdraw", "Sold the business unit.", base)
    assert gone.status_code == 302
    db.session.expire_all()
    pledge = db.session.get(Pledge, pledge.id)
    assert pledge.status == "withdrawn"
    assert [u.status for u in pledge.updates] == ["planned", "in_progress", "withdrawn"]
    # A withdrawn pledge is final.
    assert (
        post_form(
            client, f"{base}/progress", {"status": "achieved", "note": "Back!"}, form_url=base
        ).status_code
        == 409
    )
    assert (
        post_form(client, f"{base}/edit", pledge_form(principles[:1]), form_url=base).status_code
        == 409
    )
    public = client.application.test_client().get(f"/members/{org_a.slug}").get_data(as_text=True)
    assert "Sold the business unit." in public and "Half done." in public


def test_secretariat_verifies_progress(client, db, org_a, rep_a, secretariat, principles):
    pledge = builders.make_pledge(org_a, principles[:1])
    update = pledge.updates[0]
    db.session.commit()
    base = f"/members/{org_a.slug}/pledges/{pledge.id}"
    login_as(client, rep_a)
    assert "Mark as verified" not in client.get(base).get_data(as_text=True)
    assert (
        post_form(client, f"{base}/updates/{update.id}/verify", {}, form_url=base).status_code
        == 403
    )
    login_as(client, secretariat)
    assert "Mark as verified" in client.get(base).get_data(as_text=True)
    assert (
        post_form(client, f"{base}/updates/{update.id}/verify", {}, form_url=base).status_code
        == 302
    )
    db.session.expire_all()
    update = db.session.get(PledgeUpdate, update.id)
    assert update.verified_by_id == secretariat.id and update.verified_at is not None
    assert (
        post_form(client, f"{base}/updates/{update.id}/verify", {}, form_url=base).status_code
        == 409
    )
    public = client.application.test_client().get(f"/members/{org_a.slug}").get_data(as_text=True)
    assert "Verified by the secretariat" in public


def test_verify_an_entry_of_another_pledge_is_not_found(db, org_a, org_b, secretariat, principles):
    other = builders.make_pledge(org_b, principles[:1])
    with pytest.raises(NotFound):
        services.verify_update(secretariat, org_a, other.updates[0].id)


def test_services_check_authorisation(db, org_a, rep_a, rep_b, principles):
    data = services.PledgeData("T", "I", dt.date(2027, 1, 1), [principles[0].id])
    with pytest.raises(PermissionDenied):
        services.create_pledge(rep_b, org_a, data)
    pledge = services.create_pledge(rep_a, org_a, data)
    with pytest.raises(PermissionDenied):
        services.update_pledge(rep_b, pledge, data)
    with pytest.raises(PermissionDenied):
        services.record_progress(rep_b, pledge, "achieved", "x")
    with pytest.raises(PermissionDenied):
        services.verify_update(rep_a, org_a, pledge.updates[0].id)


def test_only_members_make_pledges(db, make_org, secretariat, principles):
    applicant = make_org(name="Not Yet", status="applicant")
    with pytest.raises(Conflict):
        services.create_pledge(
            secretariat,
            applicant,
            services.PledgeData("T", "I", dt.date(2027, 1, 1), [principles[0].id]),
        )


def test_pledge_pages_plan_their_queries(client, db, org_a, rep_a, principles):
    from tests.querycount import count_queries

    for i in range(3):
        builders.make_pledge(org_a, principles, title=f"Pledge {i}")
    db.session.commit()
    login_as(client, rep_a)
    client.get(f"/members/{org_a.slug}")
    db.session.expire_all()
    with count_queries() as few:
        client.get(f"/members/{org_a.slug}")
        client.get(f"/members/{org_a.slug}/pledges")
    for i in range(3, 20):
        builders.make_pledge(org_a, principles, title=f"Pledge {i}")
    db.session.commit()
    with count_queries() as many:
        client.get(f"/members/{org_a.slug}")
        client.get(f"/members/{org_a.slug}/pledges")
    assert many.count == few.count
