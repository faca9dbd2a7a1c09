"""Profiles: what the public sees, what representatives and the secretariat see, editing a
profile and its logo, and the logo's caching."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.core.models import StoredFile
from app.members.models import Organisation, StatusChange
from app.members.services import change_status
from tests.conftest import csrf_token, login_as, post_form
from tests.factories import make_org, make_sector
from tests.members import builders


def edit_data(org, **changes) -> dict:
    data = {
        "name": org.name,
        "legal_name": org.legal_name or "",
        "country": org.country,
        "sector_id": str(org.sector_id or ""),
        "category": org.category,
        "size_band": org.size_band or "",
        "website": org.website or "",
        "description_md": org.description_md or "",
    }
    data.update(changes)
    return data


def post_edit(client, org, data, **files):
    """A multipart POST, encoded in memory (the test client spools large bodies to temporary
    files it does not close)."""
    token = csrf_token(client, f"/members/{org.slug}/edit")
    payload = {**data, "csrf_token": token}
    for name, (content, filename) in files.items():
        payload[name] = FileStorage(io.BytesIO(content), filename=filename)
    boundary, body = encode_multipart(payload)
    return client.post(
        f"/members/{org.slug}/edit",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_public_profile_shows_public_things_only(
    client, db, org_a, version, principles, secretariat
):
    builders.endorse(org_a, version)
    builders.make_pledge(org_a, principles[:2], title="Public pledge")
    builders.make_pledge(org_a, principles[:1], title="Quiet pledge", is_public=False)
    change_status(
        secretariat,
        org_a,
        "suspended",
        reason="Internal: complaint #42",
        public_reason="Suspended pending review.",
    )
    db.session.add(
        StatusChange(
            organisation_id=org_a.id,
            from_status=None,
            to_status="applicant",
            is_public=False,
            reason="Applied online.",
        )
    )
    db.session.commit()
    body = client.get(f"/members/{org_a.slug}").get_data(as_text=True)
    assert "Public pledge" in body and "Quiet pledge" not in body
    assert "1. Protect all users" in body and "2. Disclose vulnerabilities responsibly" in body
    assert "Suspended pending review." in body
    assert "complaint #42" not in body and "Applied online." not in body
    assert "Version 1" in body and "signed by Ada Signer, CEO" in body
    assert "Edit profile" not in body


@pytest.mark.parametrize("who", ["rep_a", "secretariat"])
def test_representatives_and_secretariat_see_everything(
    client, db, org_a, rep_a, secretariat, principles, who
):
    builders.make_pledge(org_a, principles[:1], title="Quiet pledge", is_public=False)
    change_status(
        secretariat,
        org_a,
        "suspended",
        reason="Internal: complaint #42",
        public_reason="Suspended pending review.",
    )
    db.session.commit()
    login_as(client, {"rep_a": rep_a, "secretariat": secretariat}[who])
    body = client.get(f"/members/{org_a.slug}").get_data(as_text=True)
    assert "Quiet pledge" in body and "Secretariat only" in body
    assert "complaint #42" in body
    assert "Edit profile" in body


def test_other_representatives_see_the_public_profile(client, db, org_a, rep_b, principles):
    builders.make_pledge(org_a, principles[:1], title="Quiet pledge", is_public=False)
    db.session.commit()
    login_as(client, rep_b)
    body = client.get(f"/members/{org_a.slug}").get_data(as_text=True)
    assert "Quiet pledge" not in body and "Edit profile" not in body


def test_profile_links_public_reports_when_the_transparency_page_exists(client, db, org_a, app):
    import datetime as dt

    from app.reporting.models import Report, ReportingCycle

    for year, state in ((2024, "accepted"), (2025, "submitted")):
        cycle = ReportingCycle(
            year=year,
            title=f"{year}",
            opens_on=dt.date(year, 1, 1),
            due_on=dt.date(year, 3, 1),
            status="closed",
        )
        db.session.add(cycle)
        db.session.flush()
        db.session.add(Report(cycle_id=cycle.id, organisation_id=org_a.id, state=state))
    db.session.commit()
    body = client.get(f"/members/{org_a.slug}").get_data(as_text=True)
    assert "Report for 2024" in body and "Report for 2025" not in body
    if "transparency.member_report_pdf" in app.view_functions:
        assert f"/{org_a.slug}" in body and "2024" in body


def test_representative_edits_own_profile(client, db, org_a, rep_a):
    sector = make_sector("Energy")
    db.session.commit()
    login_as(client, rep_a)
    response = post_edit(
        client,
        org_a,
        edit_data(
            org_a,
            name="Alpha Organisation",
            sector_id=str(sector.id),
            website="www.alpha.example",
            description_md="We **protect**.",
            country="KE",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, org_a.id)
    assert org.name == "Alpha Organisation" and org.name_key == "alpha organisation"
    assert org.slug == "alpha-organisation"
    assert org.website == "https://www.alpha.example" and org.country == "KE"
    assert response.headers["Location"] == "/members/alpha-organisation"


def test_representative_cannot_edit_another_organisation(client, db, org_a, org_b, rep_a):
    db.session.commit()
    login_as(client, rep_a)
    assert client.get(f"/members/{org_b.slug}/edit").status_code == 403
    response = post_form(
        client,
        f"/members/{org_b.slug}/edit",
        edit_data(org_b, name="Hijacked"),
        form_url="/dashboard",
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Organisation, org_b.id).name == "Beta Org"


@pytest.mark.parametrize(
    "changes, field, status",
    [
        ({"name": "beta   ORG"}, "name", 409),
        ({"country": "ZZ"}, "country", 422),
        ({"website": "http://"}, "website", 422),
        ({"website": "https://exa mple.org"}, "website", 422),
        ({"category": "nonsense"}, "category", 422),
        ({"sector_id": "-5"}, "sector_id", 422),
        ({"description_md": "x" * 5001}, "description_md", 422),
    ],
)
def test_bad_edits_change_nothing(client, db, org_a, org_b, rep_a, changes, field, status):
    db.session.commit()
    login_as(client, rep_a)
    response = post_edit(client, org_a, edit_data(org_a, legal_name="Changed Ltd", **changes))
    assert response.status_code == status
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, org_a.id).legal_name == ""


def test_logo_upload_and_serving(client, db, org_a, rep_a):
    db.session.commit()
    login_as(client, rep_a)
    jpeg = builders.image_bytes("JPEG", size=(900, 300))
    response = post_edit(client, org_a, edit_data(org_a), logo=(jpeg, "logo.png"))
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, org_a.id)
    assert org.logo_sha256
    body = client.get(f"/members/{org.slug}").get_data(as_text=True)
    versioned = f"/members/{org.slug}/logo?v={org.logo_sha256[:12]}"
    assert versioned in body
    anon = client.application.test_client()
    logo = anon.get(versioned)
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert logo.data.startswith(b"\x89PNG")
    assert (
        "immutable" in logo.headers["Cache-Control"] and "public" in logo.headers["Cache-Control"]
    )
    assert logo.headers["ETag"].strip('"') == org.logo_sha256
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    again = anon.get(f"/members/{org.slug}/logo", headers={"If-None-Match": logo.headers["ETag"]})
    assert again.status_code == 304
    assert "max-age=3600" in anon.get(f"/members/{org.slug}/logo").headers["Cache-Control"]


@pytest.mark.parametrize(
    "content, filename, message",
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.svg", "SVG logos are not accepted"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.png", "SVG logos are not accepted"),
        (b"%PDF-1.4 not an image", "logo.jpg", "not a PNG, JPEG or WebP"),
        (b"\x89PNG\r\n\x1a\nnot really", "logo.png", "could not be read"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024), "big.png", "larger than 2 MB"),
    ],
)
def test_bad_logos_are_refused_and_nothing_is_saved(
    client, db, org_a, rep_a, content, filename, message
):
    db.session.commit()
    login_as(client, rep_a)
    response = post_edit(
        client, org_a, edit_data(org_a, legal_name="Changed Ltd"), logo=(content, filename)
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="logo-error"' in body and message in body
    db.session.expire_all()
    org = db.session.get(Organisation, org_a.id)
    assert org.logo_sha256 is None and org.legal_name == ""
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_request_larger_than_the_server_limit_is_413(client, db, org_a, rep_a, app):
    db.session.commit()
    login_as(client, rep_a)
    huge = b"\x00" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        f"/members/{org_a.slug}/edit", data=huge, content_type="multipart/form-data; boundary=xyz"
    )
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


def test_remove_logo(client, db, org_a, rep_a):
    from app.core.services import store_file

    org_a.logo_sha256 = store_file(builders.image_bytes(), "image/png").sha256
    db.session.commit()
    login_as(client, rep_a)
    response = post_edit(client, org_a, edit_data(org_a, remove_logo="y"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, org_a.id).logo_sha256 is None
    assert client.get(f"/members/{org_a.slug}/logo").status_code == 404


def test_applicant_profile_is_hidden_but_previewable(client, db, secretariat):
    org = make_org(name="Waiting Org", status="applicant")
    db.session.commit()
    assert client.get(f"/members/{org.slug}").status_code == 404
    login_as(client, secretariat)
    body = client.get(f"/members/{org.slug}").get_data(as_text=True)
    assert "not in the public directory" in body


def test_markdown_description_is_sanitised(client, db, org_a):
    org_a.description_md = (
        "[click](javascript:alert(1)) <script>alert(2)</script> "
        '<a href="https://ok.example" onclick="x()">ok</a> *fine*'
    )
    db.session.commit()
    body = client.get(f"/members/{org_a.slug}").get_data(as_text=True)
    assert "javascript:" not in body and "<script>alert(2)" not in body and "onclick" not in body
    assert "<em>fine</em>" in body
