"""A member's public report as a PDF: the facts from `member_reports`, rendered from
`templates/transparency/member_report.html` in one of the alliance's languages (its own
words through `force_locale`, the questions and principles from their translations, the
answers as written), laid out in one pass, and cached per variant and language (a request
finds the stored PDF while its data has not changed)."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import force_locale

from app import clock
from app.core import languages
from app.reporting.translations.public import snapshot_texts
from app.transparency import member_reports, pdfengine
from app.transparency.member_reports import MemberPdf, MemberReport
from app.transparency.present.print_css import page_number_css
from app.transparency.public_answers import public_answers


def member_report_pdf(
    slug: str, year: int, variant: str = pdfengine.VARIANT_UA, language: str | None = None
) -> MemberPdf:
    """A member's public report for a year, from its accepted submission, in `language`
    (default: the source language); cached. The questionnaire's translations of an opened
    cycle and a published charter's never change, so the fingerprint need not read them."""
    report = member_reports.member_report(slug, year, variant, language)
    if report.current is not None:
        return report.current
    snapshot = member_reports.submitted_snapshot(report)
    lang = report.language
    # One PDF per language serves every visitor (`<html lang>` gives its /Lang).
    with force_locale(lang):
        html = member_report_html(report, snapshot, lang)
        page_css = page_number_css()
    pdf, _pages = pdfengine.render_pdf(html, variant, extra_css=page_css)
    return member_reports.store_pdf(report, pdf)


def member_report_html(report: MemberReport, snapshot: dict, lang: str) -> str:
    config = current_app.config
    keys = report.principle_keys
    texts = snapshot_texts([snapshot], lang, report.cycle.charter_version_id)
    answers = public_answers(snapshot, texts)
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
        texts=texts,
        language_names=languages.languages(),
        alliance_name=config["ALLIANCE_NAME"],
        site_url=site_url,
        generated_on=clock.today(),
        # The same citation as the report's page (`centre.views.member_report`).
        stable_url=site_url
        + url_for("centre.member_report", slug=report.organisation.slug, year=report.year),
        checksum=member_reports.content_checksum(report, answers),
    )
