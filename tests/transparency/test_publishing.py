"""Editing, previewing, publishing and serving the annual report (with a stand-in for the
PDF layout, which test_annual_pdf covers)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from sqlalchemy import func, select

from app import clock
from app.core.models import AuditEvent
from app.transparency import jobs, pdfengine, queries, services
from app.transparency.models import AnnualReport, BuildJob, Edition
from app.transparency.present import document
from tests.conftest import login_as, post_form
from tests.transparency.builders import make_cycle

PAGE = "/secretariat/annual-reports/2025"


def publish(secretariat, note="") -> BuildJob:
    job, created = services.request_build(secretariat, 2025, "publish", note)
    assert created
    from app.db import db

    db.session.commit()
    assert jobs.run_job(job.id) == "done"
    return job


def test_publishing_twice_makes_a_second_edition_and_keeps_the_first(
    client, db, world, secretariat, fast_build
):
    clock.freeze(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    publish(secretariat, "First.")
    clock.freeze(dt.datetime(2026, 4, 9, 9, tzinfo=dt.UTC))
    publish(secretariat, "Corrected the pledge figures.")
    editions = db.session.scalars(select(Edition).order_by(Edition.number)).all()
    assert [e.number for e in editions] == [1, 2]
    assert editions[0].sha256 != editions[1].sha256
    latest = client.get("/reports/2025.pdf")
    assert latest.status_code == 200 and b"edition 2 draft False" in latest.data
    first = client.get("/reports/2025/editions/1.pdf")
    assert b"edition 1 draft False" in first.data
    assert client.get("/reports/2025.pdf?variant=pdf-a").data.startswith(
        b"%PDF-1.7\n% pdf/a-3b edition 2"
    )
    archive = client.get("/reports").get_data(as_text=True)
    assert archive.count('<code class="checksum">') == 2
    assert editions[1].sha256 in archive and editions[0].sha256 in archive
    assert "Corrected the pledge figures." in archive and "superseded" in archive
    page = client.get("/reports/2025").get_data(as_text=True)
    assert "Edition 2, published April 9, 2026." in page
    old = client.get("/reports/2025/editions/1").get_data(as_text=True)
    assert "A newer edition exists." in old
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "annual_report.published")
        )
        == 2
    )
    assert fast_build[-1].draft is False and fast_build[-1].edition_number == 2


def test_pdfs_answer_conditional_requests_with_304(client, db, world, secretariat, fast_build):
    publish(secretariat)
    edition = db.session.scalar(select(Edition))
    response = client.get("/reports/2025.pdf")
    assert response.headers["ETag"] == f'"{edition.sha256}"'
    assert response.headers["Content-Type"] == "application/pdf"
    assert "no-cache" in response.headers["Cache-Control"]
    last_modified = response.headers["Last-Modified"]
    again = client.get("/reports/2025.pdf", headers={"If-None-Match": f'"{edition.sha256}"'})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/reports/2025.pdf", headers={"If-Modified-Since": last_modified})
    assert since.status_code == 304
    other = client.get("/reports/2025.pdf", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == response.data
    fixed = client.get("/reports/2025/editions/1.pdf")
    assert "immutable" in fixed.headers["Cache-Control"]
    assert client.head("/reports/2025.pdf").status_code == 200


def test_an_unknown_variant_is_a_clear_400(client, db, world, secretariat, fast_build):
    publish(secretariat)
    response = client.get("/reports/2025.pdf?variant=pdf-x")
    assert response.status_code == 400
    assert "Unknown PDF variant" in response.get_data(as_text=True)


def test_texts_are_saved_sanitised_and_shown_in_the_preview(client, db, world, secretariat):
    db.session.commit()
    login_as(client, secretariat)
    response = post_form(
        client,
        PAGE,
        {
            "executive_summary_md": "A **strong** year.<script>alert('x')</script>"
            '<a href="javascript:alert(1)">click</a>',
            "methodology_md": "We *counted*.",
        },
        form_url=PAGE,
    )
    assert response.status_code == 302
    preview = client.get(f"{PAGE}/preview")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "<strong>strong</strong>" in html and "<em>counted</em>" in html
    assert "alert(" not in html and "javascript:" not in html
    assert "Preview of the current data." in html
    assert "Alpha Security" in html and 'role="img"' in html


def test_too_long_texts_are_refused_next_to_the_field(client, db, world, secretariat):
    db.session.commit()
    login_as(client, secretariat)
    client.get(PAGE)
    before = db.session.scalar(select(AnnualReport)).executive_summary_md
    response = post_form(
        client,
        PAGE,
        {"executive_summary_md": "x" * 20_001, "methodology_md": "Fine."},
        form_url=PAGE,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="executive_summary_md-error"[^>]*>Please keep this under 20,000', html)
    db.session.expire_all()
    report = db.session.scalar(select(AnnualReport))
    assert report.executive_summary_md == before and report.methodology_md != "Fine."


def test_an_open_cycle_cannot_be_built(client, db, secretariat):
    make_cycle(2026, status="open")
    db.session.commit()
    login_as(client, secretariat)
    page = "/secretariat/annual-reports/2026"
    response = post_form(client, f"{page}/build", {}, form_url=page)
    assert response.status_code == 422
    assert "once the 2026 cycle is closed" in response.get_data(as_text=True)
    response = post_form(client, f"{page}/publish", {"note": ""}, form_url=page)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(BuildJob)) == 0


def test_a_long_note_is_refused(client, db, world, secretariat):
    db.session.commit()
    login_as(client, secretariat)
    response = post_form(client, f"{PAGE}/publish", {"note": "n" * 1001}, form_url=PAGE)
    assert response.status_code == 422
    assert "Please keep the note under 1,000 characters." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BuildJob)) == 0


def test_buttons_need_the_csrf_token(client, db, world, secretariat):
    db.session.commit()
    login_as(client, secretariat)
    assert client.post(f"{PAGE}/build").status_code == 400
    assert client.post(f"{PAGE}/publish").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(BuildJob)) == 0


def test_unknown_year_is_404(client, db, secretariat):
    db.session.commit()
    login_as(client, secretariat)
    assert client.get("/secretariat/annual-reports/1999").status_code == 404


def test_overview_and_dashboard_panel(client, db, world, secretariat, fast_build):
    make_cycle(2026, status="open")
    publish(secretariat)
    services.request_build(secretariat, 2025, "draft")
    db.session.commit()
    login_as(client, secretariat)
    index = client.get("/secretariat/annual-reports").get_data(as_text=True)
    assert "2025" in index and "Building" in index and "2024" in index and "Not started" in index
    assert "/secretariat/annual-reports/2026" not in index  # still open
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert (
        "Annual reports" in dashboard and "Report 2025" in dashboard and "Report 2024" in dashboard
    )


def test_the_screens_do_not_query_per_build_or_edition(client, db, world, secretariat):
    from tests.factories import make_user
    from tests.querycount import count_queries

    login_as(client, secretariat)

    def add_builds(n):
        for i in range(n):
            person = make_user(role="secretariat", name=f"Person {i}")
            db.session.add(
                BuildJob(
                    cycle_id=world.c2025.id,
                    kind="draft",
                    state="failed",
                    message="The build failed: test",
                    requested_by_id=person.id,
                )
            )
        db.session.commit()

    def queries(url):
        db.session.commit()  # the same state before every request (it shares this session)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    add_builds(2)
    pages = [PAGE, "/secretariat/annual-reports", "/dashboard", "/reports"]
    for url in pages:  # the first visit creates the annual report's row
        queries(url)
    before = [queries(url) for url in pages]
    add_builds(6)
    assert [queries(url) for url in pages] == before


def test_a_publication_reads_its_data_once_for_the_pdf_and_the_screen_edition(
    db, world, secretariat, monkeypatch
):
    """The print parts and the screen edition come from one pass over the report's data:
    an appendix part's answers are loaded once and the charts drawn once; the screen
    edition is the one the preview shows."""
    calls = Counter()

    def counted(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    def layout(front, chunks, chunk_count, *, variants, **_options):
        assert len(list(chunks)) == chunk_count
        return pdfengine.Built(pdfs=dict.fromkeys(variants, b"%PDF-1.7\n"), pages=3)

    monkeypatch.setattr(
        queries, "accepted_snapshots", counted("snapshots", queries.accepted_snapshots)
    )
    monkeypatch.setattr(document, "report_charts", counted("charts", document.report_charts))
    monkeypatch.setattr(pdfengine, "build_report", layout)
    publish(secretariat)
    assert calls == {"snapshots": 1, "charts": 1}
    edition = db.session.scalar(select(Edition))
    stored = services.stored_bytes(edition.html_sha256).decode()
    report = edition.annual_report
    assert "Alpha Security" in stored
    assert stored == document.AnnualDocument(report.cycle, report, draft=True).screen_html()
