"""The PDF copy of a submitted version (attached to the receipt, downloadable from the
version page): the HTML template, rendered without a request, then app.core.pdf."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy.orm import object_session

from app.core.pdf import render_pdf
from app.core.print_css import page_number_css
from app.reporting.models import ReportVersion
from app.reporting.translations import services as questionnaire_translations


def report_pdf(version: ReportVersion) -> bytes:
    """The PDF copy of a submitted version, as attached to the receipt: its questions and
    section titles in the reader's language (for a receipt, the locale the mail was written
    in) when the questionnaire was translated. The translations are read in the version's
    own session (the mail deliverer's, after the submission's commit)."""
    texts = questionnaire_translations.reading_for(
        version.report.cycle, session=object_session(version)
    )
    html = render_template(
        "reporting/pdf/report.html",
        snapshot=version.snapshot,
        version=version,
        alliance_name=current_app.config["ALLIANCE_NAME"],
        texts=texts,
        untranslated=texts.snapshot_untranslated(version.snapshot),
    )
    return render_pdf(html, [page_number_css()])


def pdf_filename(version: ReportVersion) -> str:
    snapshot = version.snapshot
    return f"{snapshot['organisation']['slug']}-report-{snapshot['cycle']['year']}-v{version.number}.pdf"
