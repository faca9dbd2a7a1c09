"""/reports/feed.atom: valid Atom listing accepted member reports (their latest accepted
version) and published annual report editions, newest first, with their pages, PDFs and
dates; never a submitted, returned or draft report."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from sqlalchemy import select

from app.core.services import store_file
from app.reporting.models import Report, ReportVersion
from app.transparency.models import AnnualReport, Edition
from tests.centre.conftest import build_centre_world
from tests.transparency.builders import at, make_member, make_report

A = "{http://www.w3.org/2005/Atom}"


def _edition(db, cycle, number: int, published: dt.datetime) -> None:
    report = db.session.scalar(select(AnnualReport).where(AnnualReport.cycle_id == cycle.id))
    if report is None:
        report = AnnualReport(cycle_id=cycle.id)
        db.session.add(report)
        db.session.flush()
    pdf = store_file(f"%PDF-1.7\n% {cycle.year} {number}\n".encode(), "application/pdf")
    db.session.add(
        Edition(
            annual_report_id=report.id,
            number=number,
            sha256=pdf.sha256,
            size=pdf.size,
            pages=1,
            published_at=published,
        )
    )
    db.session.flush()


def _feed(client) -> ET.Element:
    response = client.get("/reports/feed.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.data)  # noqa: S314  (our own output, not a stranger's)


def _stamp(text: str) -> dt.datetime:
    assert text.endswith("Z"), text
    return dt.datetime.fromisoformat(text[:-1] + "+00:00")


def _entries(feed: ET.Element) -> list[dict]:
    found = []
    for entry in feed.findall(f"{A}entry"):
        links = {link.get("rel"): link for link in entry.findall(f"{A}link")}
        found.append(
            {
                "id": entry.findtext(f"{A}id"),
                "title": entry.findtext(f"{A}title"),
                "updated": _stamp(entry.findtext(f"{A}updated")),
                "summary": entry.findtext(f"{A}summary"),
                "page": links["alternate"].get("href"),
                "page_type": links["alternate"].get("type"),
                "pdf": links["enclosure"].get("href"),
                "pdf_type": links["enclosure"].get("type"),
            }
        )
    return found


def test_the_feed_is_valid_atom(client, db):
    w = build_centre_world(db)
    _edition(db, w.c2025, 1, at(2026, 5, 1))
    db.session.commit()
    feed = _feed(client)
    assert feed.tag == f"{A}feed"
    # RFC 4287 4.1.1: a feed has exactly one id, title and updated, an author, a self link.
    for tag in ("id", "title", "updated", "author"):
        assert len(feed.findall(f"{A}{tag}")) == 1, tag
    assert feed.findtext(f"{A}id").startswith("urn:uuid:")
    assert feed.find(f"{A}author").findtext(f"{A}name")
    self_link = [link for link in feed.findall(f"{A}link") if link.get("rel") == "self"]
    assert self_link and self_link[0].get("href").endswith("/reports/feed.atom")
    entries = _entries(feed)
    assert entries
    # 4.1.2: each entry an id (unique), a title, an updated date, an alternate link.
    assert len({e["id"] for e in entries}) == len(entries)
    assert all(e["id"].startswith("urn:uuid:") and e["title"] and e["summary"] for e in entries)
    # The feed's updated date is its newest entry's; entries come newest first.
    assert _stamp(feed.findtext(f"{A}updated")) == entries[0]["updated"]
    dates = [e["updated"] for e in entries]
    assert dates == sorted(dates, reverse=True)
    # The same feed twice is the same document (readers use the ids to skip known entries).
    assert ET.tostring(_feed(client)) == ET.tostring(feed)


def test_accepted_reports_and_published_editions_only(client, db):
    w = build_centre_world(db)
    # Beyond the centre's world (accepted reports; Gamma's 2025 report accepted at version 2
    # after a returned version 1; its 2024 one submitted, never accepted; Alpha's draft
    # answers): a report returned and not resubmitted, one awaiting review after an earlier
    # version was returned, and two annual report editions.
    epsilon = make_member("Epsilon Returned", country="NL")
    make_report(w.c2025, epsilon, {w.q2025.mfa: True}, state="returned", review_state="returned")
    zeta = make_member("Zeta Waiting", country="NL")
    make_report(w.c2025, zeta, {w.q2025.mfa: True}, state="submitted", versions=2)
    _edition(db, w.c2024, 1, at(2025, 5, 1))
    _edition(db, w.c2024, 2, at(2025, 6, 1))
    db.session.commit()

    entries = _entries(_feed(client))
    titles = [e["title"] for e in entries]
    assert sorted(titles) == sorted(
        [
            "Alpha Security: report 2024",
            "Beta Rights: report 2024",
            "Alpha Security: report 2025",
            "Beta Rights: report 2025",
            "Delta Telecom: report 2025",
            "Gamma Cloud: report 2025",
            "Annual report 2024, edition 1",
            "Annual report 2024, edition 2",
        ]
    )
    for absent in ("Gamma Cloud: report 2024", "Epsilon Returned", "Zeta Waiting"):
        assert not any(absent in t for t in titles), absent

    by_title = {e["title"]: e for e in entries}
    gamma = by_title["Gamma Cloud: report 2025"]
    assert "Version 2 of the 2025 report of Gamma Cloud" in gamma["summary"]
    assert gamma["page"] == "http://localhost/members/gamma-cloud/reports/2025"
    assert gamma["page_type"] == "text/html"
    assert gamma["pdf"] == "http://localhost/members/gamma-cloud/reports/2025.pdf"
    assert gamma["pdf_type"] == "application/pdf"
    accepted = db.session.scalar(
        select(ReportVersion.reviewed_at)
        .join(Report, Report.current_version_id == ReportVersion.id)
        .where(Report.organisation_id == w.gamma.id, Report.cycle_id == w.c2025.id)
    )
    assert gamma["updated"] == accepted.replace(tzinfo=accepted.tzinfo or dt.UTC)
    second = by_title["Annual report 2024, edition 2"]
    assert second["page"] == "http://localhost/reports/2024/editions/2"
    assert second["pdf"] == "http://localhost/reports/2024/editions/2.pdf"
    assert second["updated"] == at(2025, 6, 1)
    # Every link opens, as the reader will follow it.
    for entry in entries:
        for link in (entry["page"], entry["pdf"]):
            assert client.get(link.removeprefix("http://localhost")).status_code == 200, link


def test_an_empty_alliance_has_a_valid_empty_feed(client, db):
    feed = _feed(client)
    assert feed.findall(f"{A}entry") == []
    assert _stamp(feed.findtext(f"{A}updated"))
