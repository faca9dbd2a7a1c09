"""A member's public report PDF: from its accepted submission, public answers only,
cached under a fingerprint of its data, with ETag / Last-Modified and 304s."""

from __future__ import annotations

import hashlib
import io

import pikepdf
import pytest
from sqlalchemy import func, select

from app.members.models import Pledge
from app.transparency import pdfengine as build
from app.transparency.models import MemberReportPdf
from tests.querycount import count_queries
from tests.transparency.pdftools import page_texts, structure_problems

URL = "/members/alpha-security/reports/2025.pdf"


def test_the_report_shows_public_answers_pledges_and_status(client, db, world):
    db.session.commit()
    response = client.get(URL)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page_texts(response.data))
    assert "Alpha Security" in text and "2025" in text
    assert "Is multi-factor authentication on by default? Yes" in text
    assert "10 days" in text and "We shipped MFA." in text
    assert "ciso@alpha.example" not in text and "Internal contact" not in text
    assert "MFA for everyone" in text and "Made in 2026" in text  # public pledges, today
    assert "Version 1" in text and "Active" in text
    assert "Page 1 of" in text
    with pikepdf.open(io.BytesIO(response.data)) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Alpha Security: report 2025"
        assert str(pdf.Root.Lang) == "en" and "/StructTreeRoot" in pdf.Root
    assert structure_problems(response.data) == []


def test_the_latest_accepted_version_is_used(client, db, world):
    db.session.commit()
    text = " ".join(page_texts(client.get("/members/beta-telecom/reports/2025.pdf").data))
    assert "Beta's year." in text and "30 days" in text


@pytest.mark.parametrize(
    "url",
    [
        "/members/zeta-payments/reports/2025.pdf",  # submitted, never accepted
        "/members/gamma-rights/reports/2025.pdf",  # no report at all
        "/members/alpha-security/reports/2023.pdf",  # no such cycle
        "/members/nobody/reports/2025.pdf",
    ],
)
def test_no_accepted_report_is_404(client, db, world, url):
    db.session.commit()
    assert client.get(url).status_code == 404


def test_an_applicant_has_no_public_report(client, db, world):
    from tests.factories import make_org

    make_org(name="Applicant Org", status="applicant")
    db.session.commit()
    assert client.get("/members/applicant-org/reports/2025.pdf").status_code == 404


def test_a_cache_hit_serves_the_stored_bytes_quickly(client, db, world, monkeypatch):
    db.session.commit()
    first = client.get(URL)
    etag = first.headers["ETag"]
    assert etag == f'"{hashlib.sha256(first.data).hexdigest()}"'
    monkeypatch.setattr(build, "render_pdf", lambda *a, **k: pytest.fail("rendered again"))
    # A hit renders nothing and reads a bounded number of rows; how fast it is belongs to
    # `make bench` (a timed assertion here failed CI under load: 148 ms against 100 ms).
    for _ in range(3):
        again = client.get(URL)
        assert again.data == first.data and again.headers["ETag"] == etag
    with count_queries() as counter:
        client.get(URL)
    assert counter.count <= 9
    assert db.session.scalar(select(func.count()).select_from(MemberReportPdf)) == 1


def test_conditional_requests_get_304(client, db, world):
    db.session.commit()
    first = client.get(URL)
    not_modified = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""
    since = client.get(URL, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    assert (
        "no-cache" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]
    )


def test_the_cache_follows_the_data(client, db, world):
    db.session.commit()
    first = client.get(URL)
    pledge = db.session.scalar(select(Pledge).where(Pledge.title == "Made in 2026"))
    pledge.title = "Made in 2026, renamed"
    db.session.commit()
    second = client.get(URL)
    assert second.headers["ETag"] != first.headers["ETag"]
    assert "renamed" in " ".join(page_texts(second.data))
    stale = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert stale.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(MemberReportPdf)) == 1


def test_the_pdfa_variant(client, db, world):
    db.session.commit()
    response = client.get(URL + "?variant=pdf-a")
    assert response.status_code == 200
    with pikepdf.open(io.BytesIO(response.data)) as pdf:
        xmp = str(pdf.open_metadata())
        assert 'pdfaid:part="3"' in xmp and "/OutputIntents" in pdf.Root
    assert client.get(URL + "?variant=nope").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(MemberReportPdf)) == 1


def test_the_pdf_is_in_the_site_language_whoever_asks_first(client, db, world):
    db.session.commit()
    response = client.get(URL, headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    text = " ".join(page_texts(response.data))
    assert "Page 1 of" in text and "Page 1 sur" not in text
    with pikepdf.open(io.BytesIO(response.data)) as pdf:
        assert str(pdf.Root.Lang) == "en"
