"""The PDF copy of a submitted version (attached to the receipt, downloadable from the
version page): the HTML template, rendered without a request, then app.core.pdf."""

from __future__ import annotations

from flask import current_app, render_template

from app.core.pdf import render_pdf
from app.core.print_css import page_number_css
from app.reporting.models import ReportVersion


def report_pdf(version: ReportVersion) -> bytes:
    """The PDF copy of a submitted version, as attached to the receipt."""
    html = render_template(
        "reporting/pdf/report.html",
        snapshot=version.snapshot,
        version=version,
        alliance_name=current_app.config["ALLIANCE_NAME"],
    )
    return render_pdf(html, [page_number_css()])


def pdf_filename(version: ReportVersion) -> str:
    snapshot = version.snapshot
    return f"{snapshot['organisation']['slug']}-report-{snapshot['cycle']['year']}-v{version.number}.pdf"
