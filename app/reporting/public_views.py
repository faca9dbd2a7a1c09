"""Report versions and evidence files, for whoever may see them."""

from __future__ import annotations

import io

from flask import (
    abort,
    current_app,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.services import file_bytes
from app.db import db
from app.errors import NotFound
from app.members.models import Organisation
from app.reporting import cycles, filling, versions
from app.reporting import evidence as evidence_files
from app.reporting.blueprint import _actor, bp
from app.reporting.models import (
    Report,
    ReviewComment,
)
from app.reporting.translations import services as questionnaire_translations
from app.security import (
    is_secretariat,
    login_required,
)

# Versions and evidence ---------------------------------------------------------------------------


def _report_by_slug(year: int, slug: str) -> Report:
    cycle = cycles.get_cycle(year)
    report = db.session.scalar(
        select(Report)
        .join(Organisation, Organisation.id == Report.organisation_id)
        .where(Report.cycle_id == cycle.id, Organisation.slug == slug)
    )
    if report is None:
        raise NotFound(_("There is no such report."))
    versions.ensure_can_view(_actor(), report)
    return report


@bp.route("/reports/<int:year>/<slug>/versions/<int:number>")
@login_required
def version(year: int, slug: str, number: int):
    report = _report_by_slug(year, slug)
    version = versions.get_version(_actor(), report=report, number=number)
    all_versions = versions.versions_of(report.id, with_submitters=True)
    previous = next((v for v in all_versions if v.number == number - 1), None)
    changes = None
    if previous is not None:
        comparison = versions.compare_snapshots(previous.snapshot, version.snapshot)
        changes = versions.change_summary(comparison)
    comments = db.session.scalars(
        select(ReviewComment)
        .where(ReviewComment.version_id == version.id)
        .order_by(ReviewComment.at, ReviewComment.id)
    ).all()
    review_url = None
    if is_secretariat(_actor()) and "review.version" in current_app.view_functions:
        review_url = url_for("review.version", version_id=version.id)
    # The questionnaire's texts in the reader's language: one query (none in the source).
    texts = questionnaire_translations.reading_for(report.cycle)
    return render_template(
        "reporting/version.html",
        report=report,
        version=version,
        versions=all_versions,
        snapshot=version.snapshot,
        previous=previous,
        changes=changes,
        comments=comments,
        cycle=report.cycle,
        review_url=review_url,
        texts=texts,
        untranslated=texts.snapshot_untranslated(version.snapshot),
    )


@bp.route("/reports/<int:year>/<slug>/versions/<int:number>/pdf")
@login_required
def version_pdf(year: int, slug: str, number: int):
    report = _report_by_slug(year, slug)
    version = versions.get_version(_actor(), report=report, number=number)
    pdf = filling.report_pdf(version)
    response = send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=filling.pdf_filename(version),
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/reports/evidence/<int:evidence_id>")
def evidence(evidence_id: int):
    item = evidence_files.downloadable(_actor(), evidence_id)
    data = file_bytes(item.sha256)
    if data is None:  # pragma: no cover - the row references stored bytes
        abort(404)
    response = send_file(
        io.BytesIO(data),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
