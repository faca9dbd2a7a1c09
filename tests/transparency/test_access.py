"""Who may see which transparency page: the public archive and PDFs are public; the
annual report screens are the secretariat's."""

from app.core.services import store_file
from app.transparency.models import AnnualReport, BuildJob, Edition
from tests.access import LOGIN, make_world, walk
from tests.transparency.builders import make_cycle, make_report

PUBLIC = {"anon": 200, "rep_a": 200, "rep_b": 200, "sec": 200}
SECRETARIAT = {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 200}

ACCESS = {
    "transparency.archive": (lambda w: "/reports", PUBLIC),
    "transparency.report_html": (lambda w: "/reports/2025", PUBLIC),
    "transparency.edition_html": (lambda w: "/reports/2025/editions/1", PUBLIC),
    "transparency.report_pdf": (lambda w: "/reports/2025.pdf", PUBLIC),
    "transparency.edition_pdf": (lambda w: "/reports/2025/editions/1.pdf", PUBLIC),
    "transparency.member_report_pdf": (
        lambda w: f"/members/{w.org_a.slug}/reports/2025.pdf",
        PUBLIC,
    ),
    "transparency.admin_index": (lambda w: "/secretariat/annual-reports", SECRETARIAT),
    "transparency.admin_report": (lambda w: "/secretariat/annual-reports/2025", SECRETARIAT),
    "transparency.admin_preview": (
        lambda w: "/secretariat/annual-reports/2025/preview",
        SECRETARIAT,
    ),
    "transparency.admin_translation": (
        lambda w: "/secretariat/annual-reports/2025/translations/fr",
        SECRETARIAT,
    ),
    "transparency.admin_job": (
        lambda w: f"/secretariat/annual-reports/builds/{w.job.id}",
        SECRETARIAT,
    ),
    "transparency.admin_job_status": (
        lambda w: f"/secretariat/annual-reports/builds/{w.job.id}.json",
        SECRETARIAT,
    ),
    "transparency.admin_job_pdf": (
        lambda w: f"/secretariat/annual-reports/builds/{w.job.id}.pdf",
        SECRETARIAT,
    ),
}

# Not found, whoever asks.
MISSING = {
    "no report for that year": "/reports/1999",
    "no such edition": "/reports/2025/editions/9.pdf",
    "a language the alliance does not have": "/reports/2025.pdf?lang=xx",
    "no such year's PDF": "/reports/1999.pdf",
    "member without an accepted report": "/members/beta-org/reports/2025.pdf",
    "no such member": "/members/nobody/reports/2025.pdf",
}


def published_world(db, secretariat, org_a, org_b):
    cycle = make_cycle(2025)
    make_report(cycle, org_a)
    make_report(cycle, org_b, state="submitted")
    report = AnnualReport(cycle_id=cycle.id, executive_summary_md="Summary.", methodology_md="How.")
    db.session.add(report)
    db.session.flush()
    pdf = store_file(b"%PDF-1.7\n% a stand-in for a published report\n", "application/pdf")
    html = store_file(b"<p>The report.</p>", "text/html; charset=utf-8")
    db.session.add(
        Edition(
            annual_report_id=report.id,
            number=1,
            sha256=pdf.sha256,
            size=48,
            pages=1,
            html_sha256=html.sha256,
            published_by_id=secretariat.id,
        )
    )
    job = BuildJob(
        cycle_id=cycle.id,
        kind="draft",
        state="done",
        progress=100,
        message="Draft ready.",
        result_sha256=pdf.sha256,
        pages=1,
        requested_by_id=secretariat.id,
    )
    db.session.add(job)
    db.session.flush()
    return job


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    job = published_world(db, secretariat, org_a, org_b)
    db.session.commit()
    walk(app, make_world(secretariat, org_a, org_b, rep_a, rep_b, job=job), ACCESS)


def test_missing_things_are_404_for_everyone(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    published_world(db, secretariat, org_a, org_b)
    db.session.commit()
    world = make_world(secretariat, org_a, org_b, rep_a, rep_b)
    table = {
        name: (lambda w, url=url: url, dict.fromkeys(PUBLIC, 404)) for name, url in MISSING.items()
    }
    walk(app, world, table)
