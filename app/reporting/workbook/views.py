"""The workbook pages (edge), on the reporting blueprint: the representative's download,
upload, preview and confirmation; the secretariat's blank workbook and all-reports
workbook. One service call per action (app.reporting.workbook)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _

from app.core.uow import refusal_into
from app.errors import ValidationFailed
from app.reporting import cycles, filling
from app.reporting.blueprint import _actor, bp
from app.reporting.workbook import all_reports
from app.reporting.workbook.apply import ChoicesMissing, PreviewOutdated, confirm_upload
from app.reporting.workbook.build import CONTENT_TYPE, blank_workbook, representative_workbook
from app.reporting.workbook.compare import preview_upload
from app.reporting.workbook.forms import WorkbookConfirmForm, WorkbookUploadForm
from app.reporting.workbook.read import WorkbookRefused, WorkbookTooLarge
from app.security import representative_required, secretariat_required


def _attachment(data, name: str) -> Response:
    response = Response(data, mimetype=CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/my/reports/<int:year>/workbook.xlsx")
@representative_required
def report_workbook_download(year: int):
    data, name = representative_workbook(_actor(), year)
    return _attachment(data, name)


def _upload_page(year: int, form, problems=(), status: int = 200):
    cycle, report, _exists = filling.my_report(_actor(), year)
    filling.ensure_cycle_accepts_reports(cycle)
    return render_template(
        "reporting/workbook.html",
        cycle=cycle,
        report=report,
        form=form,
        problems=list(problems),
        max_mb=current_app.config["WORKBOOK_MAX_BYTES"] // (1024 * 1024),
    ), status


def _preview_page(year: int, preview, errors=None, message: str = "", status: int = 200):
    cycle, report, _exists = filling.my_report(_actor(), year)
    form = WorkbookConfirmForm(formdata=None, token=preview.token, revision=preview.revision)
    return render_template(
        "reporting/workbook_preview.html",
        cycle=cycle,
        report=report,
        preview=preview,
        form=form,
        choice_errors=errors or {},
        message=message or preview.notice,
        choices=request.form if request.method == "POST" else {},
    ), status


@bp.route("/my/reports/<int:year>/workbook", methods=["GET", "POST"])
@representative_required
def report_workbook(year: int):
    form = WorkbookUploadForm()
    if request.method == "GET":
        return _upload_page(year, form)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _upload_page(year, form, status=422)
    upload = form.workbook.data
    data = upload.read(current_app.config["WORKBOOK_MAX_BYTES"] + 1)
    with refusal_into(catch=(WorkbookRefused, WorkbookTooLarge)) as refused:
        preview = preview_upload(_actor(), year, data, upload.filename or "")
    if refused:
        problems = getattr(refused.error, "problems", [refused.message])
        return _upload_page(year, form, problems, refused.status)
    return _preview_page(year, preview, status=422 if preview.errors else 200)


def _choices() -> dict[int, str]:
    return {
        int(key[5:]): value
        for key, value in request.form.items()
        if key.startswith("keep-") and key[5:].isascii() and key[5:].isdigit()
    }


@bp.post("/my/reports/<int:year>/workbook/confirm")
@representative_required
def report_workbook_confirm(year: int):
    form = WorkbookConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    with refusal_into(catch=(PreviewOutdated, ChoicesMissing, ValidationFailed)) as refused:
        applied = confirm_upload(_actor(), year, form.token.data, form.revision.data, _choices())
    if refused:
        error = refused.error
        if isinstance(error, PreviewOutdated | ChoicesMissing):
            return _preview_page(year, error.preview, error.errors, error.message, refused.status)
        return _upload_page(year, WorkbookUploadForm(formdata=None), [error.message], 422)
    if applied.changed:
        flash(
            _("%(n)d answer(s) from the workbook were saved in your draft.", n=applied.changed),
            "success",
        )
    else:
        flash(_("The workbook holds no changes: your draft stays as it was."), "info")
    return redirect(url_for("reporting.report", year=year))


# The secretariat's workbooks ------------------------------------------------------------------


@bp.route("/secretariat/cycles/<int:year>/workbook.xlsx")
@secretariat_required
def admin_cycle_workbook(year: int):
    data, name = blank_workbook(_actor(), cycles.get_cycle(year))
    return _attachment(data, name)


@bp.route("/secretariat/cycles/<int:year>/answers.xlsx")
@secretariat_required
def admin_cycle_answers_workbook(year: int):
    cycle = cycles.get_cycle(year)
    chunks = all_reports.export_workbook(_actor(), cycle)
    return _attachment(stream_with_context(chunks), all_reports.filename(cycle))
