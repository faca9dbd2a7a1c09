"""A member's public report as a PDF: the facts from `member_reports`, rendered from
`templates/transparency/member_report.html` in the site's language, laid out in one pass,
and cached (a request finds the stored PDF while its data has not changed)."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import force_locale

from app import clock
from app.transparency import member_reports, pdfengine
from app.transparency.member_reports import MemberPdf, MemberReport
from app.transparency.present.print_css import page_number_css
from app.transparency.public_answers import public_answers


def member_report_pdf(slug: str, year: int, variant: str = pdfengine.VARIANT_UA) -> MemberPdf:
    """A member's public report for a year, from its accepted submission; cached."""
    report = member_reports.member_report(slug, year, variant)
    if report.current is not None:
        return report.current
    snapshot = member_reports.submitted_snapshot(report)
    config = current_app.config
    lang = config.get("BABEL_DEFAULT_LOCALE") or "en"
    # One PDF serves every visitor: written in the site's language, whoever asks first.
    with force_locale(lang):
        html = member_report_html(report, snapshot, lang)
        page_css = page_number_css()
    pdf, _pages = pdfengine.render_pdf(html, variant, extra_css=page_css)
    return member_reports.store_pdf(report, pdf)


def member_report_html(report: MemberReport, snapshot: dict, lang: str) -> str:
    config = current_app.config
    keys = report.principle_keys
    answers = public_answers(snapshot)
    site_url = config["SERVER_URL"].rstrip("/")
    return render_template(
        "transparency/member_report.html",
        org=report.organisation,
        sector=report.sector,
        endorsed=report.endorsed,
        year=report.year,
        cycle=report.cycle,
        version=report.version,
        answers=answers,
        pledges=[(p, keys.get(p.id, [])) for p in report.pledges],
        lang=lang,
        alliance_name=config["ALLIANCE_NAME"],
        site_url=site_url,
        generated_on=clock.today(),
        # The same citation as the report's page (`centre.views.member_report`).
        stable_url=site_url
        + url_for("centre.member_report", slug=report.organisation.slug, year=report.year),
        checksum=member_reports.content_checksum(report, answers),
    )
