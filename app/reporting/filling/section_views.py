"""The representative's report, section by section: the section page and its autosave
(report-form.js). Routes on the reporting blueprint (app/reporting/blueprint.py)."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app import clock
from app.core.templating import short_time
from app.core.uow import refusal_into
from app.db import db
from app.errors import NotFound
from app.reporting import answers, filling
from app.reporting.blueprint import _actor, bp
from app.reporting.filling import evidence as evidence_files
from app.reporting.filling.views import editable, report_context
from app.reporting.forms import SectionAnswersForm
from app.reporting.models import QuestionType
from app.security import representative_required


def _section_at(data, index: int):
    if not 1 <= index <= len(data.sections):
        raise NotFound(_("This report has no section %(n)d.", n=index))
    return data.sections[index - 1]


def _form_values(section, data) -> dict[int, object]:
    return {q.id: answers.form_value(q, data.values.get(q.id)) for q in section.questions}


def _render_section(
    cycle,
    report,
    data,
    section,
    index,
    form,
    values,
    errors=None,
    conflict=None,
    notes=None,
    file_errors=None,
    status=200,
    summary=None,
):
    return render_template(
        "reporting/section.html",
        **report_context(cycle, report, data),
        section=section,
        index=index,
        form=form,
        values=values,
        errors=errors or {},
        conflict=conflict,
        notes=notes or {},
        file_errors=file_errors or {},
        summary=summary,
        accept=evidence_files.ACCEPT_ATTRIBUTE,
        max_mb=_max_bytes() // (1024 * 1024),
    ), status


def _max_bytes() -> int:
    return current_app.config["EVIDENCE_MAX_BYTES"]


def _merge_conflict(section, data, raw, error: filling.StaleDraft):
    """After a refused stale save: keep what the person changed, show what others saved.

    An answer the person left as it was when they loaded the page takes the newer saved
    value; an answer both changed keeps the person's input and says what the other saved.
    """
    values = {}
    notes = {}
    changed_by = {}
    for change in error.changes:
        for item in change["questions"]:
            changed_by[item["id"]] = change
    for question in section.questions:
        saved = answers.form_value(question, data.values.get(question.id))
        if question.type == QuestionType.EVIDENCE:
            values[question.id] = saved
            continue
        posted = raw.get(question.id)
        if question.id not in error.base_values:
            values[question.id] = posted
            continue
        try:
            mine = answers.parse(question, posted)
        except answers.AnswerInvalid:
            mine = object()
        change = changed_by.get(question.id)
        who = change["by"] if change else ""
        theirs = data.display(question)
        if mine == error.base_values[question.id]:
            values[question.id] = saved
            notes[question.id] = ("updated", who, theirs)
        else:
            values[question.id] = posted
            notes[question.id] = ("conflict", who, theirs)
    return values, notes


def _uploads(section) -> list[tuple]:
    """The files chosen for the section's evidence questions: (question, filename, bytes),
    each read up to one byte more than allowed (so a larger one is refused, not cut)."""
    chosen = []
    for question in section.questions:
        if question.type != QuestionType.EVIDENCE:
            continue
        for upload in request.files.getlist(f"file-{question.id}"):
            if upload and upload.filename:
                chosen.append((question, upload.filename, upload.read(_max_bytes() + 1)))
    return chosen


def _removal() -> int | None:
    """The file the "remove" button names, if it was the one pressed."""
    action = request.form.get("action", "")
    if not action.startswith("remove:"):
        return None
    evidence_id = action.partition(":")[2]
    if not (evidence_id.isascii() and evidence_id.isdigit()):
        abort(400)
    return int(evidence_id)


@bp.route("/my/reports/<int:year>/sections/<int:index>", methods=["GET", "POST"])
@representative_required
def report_section(year: int, index: int):
    cycle, report, _exists = filling.my_report(_actor(), year)
    # A save needs the questionnaire only (its error pages load everything again).
    posting = request.method == "POST"
    data = filling.load(report, with_pledges=not posting, with_comments=not posting)
    section = _section_at(data, index)
    form = SectionAnswersForm()
    if request.method == "GET":
        if not editable(cycle):
            flash(
                _("The %(year)d cycle is closed: the report can no longer change.", year=year),
                "info",
            )
            return redirect(url_for("reporting.report", year=year))
        form.base_revision.data = str(report.revision)
        return _render_section(
            cycle, report, data, section, index, form, _form_values(section, data)
        )
    if not form.validate_on_submit():
        abort(400)
    raw = filling.answers_from_form(section.questions, request.form.to_dict(flat=False))
    uploads, remove_id = _uploads(section), _removal()
    with refusal_into(catch=(filling.StaleDraft, filling.AnswersInvalid)) as refused:
        saved = filling.save_section(
            _actor(), report, section, raw, form.base_revision.data, uploads, remove_id
        )
    if refused:
        return _refused_section(year, index, form, raw, refused.error)
    if saved.file_errors:
        db.session.commit()  # the answers are kept, though a refused file makes this a 422
        return _files_refused(year, index, form, saved.file_errors)
    return _after_section_save(year, index, len(data.sections))


def _files_refused(year: int, index: int, form, file_errors: dict[int, str]):
    """The section page again after a save that kept the answers but refused some files:
    the answers as saved, a message next to each refused file's question (422)."""
    cycle, report, _exists = filling.my_report(_actor(), year)
    data = filling.load(report)
    section = _section_at(data, index)
    form.base_revision.data = str(report.revision)
    return _render_section(
        cycle,
        report,
        data,
        section,
        index,
        form,
        _form_values(section, data),
        file_errors=file_errors,
        status=422,
        summary=_(
            "Your answers were saved, but some files could not be attached. Please choose "
            "them again after reading the message next to each."
        ),
    )


def _refused_section(year: int, index: int, form, raw: dict, error):
    """The section page again, as the draft now is, with what was refused."""
    cycle, report, _exists = filling.my_report(_actor(), year)
    data = filling.load(report)
    section = _section_at(data, index)
    if isinstance(error, filling.StaleDraft):
        values, notes = _merge_conflict(section, data, raw, error)
        form.base_revision.data = str(report.revision)
        return _render_section(
            cycle,
            report,
            data,
            section,
            index,
            form,
            values,
            conflict=error,
            notes=notes,
            status=409,
        )
    return _render_section(
        cycle,
        report,
        data,
        section,
        index,
        form,
        raw,
        errors=error.errors,
        file_errors=error.file_errors,
        status=422,
        summary=_(
            "Nothing was saved: please correct the answers marked below, choose any files "
            "again and save."
        )
        if error.file_errors
        else error.message,
    )


def _after_section_save(year: int, index: int, sections: int):
    action = request.form.get("action", "")
    if action == "next" and index < sections:
        return redirect(url_for("reporting.report_section", year=year, index=index + 1))
    if action == "next":
        return redirect(url_for("reporting.report_pledges", year=year))
    if action.startswith("remove:"):
        flash(_("The file was removed from your draft."), "success")
    elif action.startswith("upload:") or any(f.filename for f in request.files.values()):
        flash(_("Your answers were saved and the file attached."), "success")
    else:
        flash(_("Your answers were saved at %(time)s.", time=short_time(clock.now())), "success")
    return redirect(url_for("reporting.report_section", year=year, index=index))


@bp.post("/my/reports/<int:year>/sections/<int:index>/autosave")
@representative_required
def report_autosave(year: int, index: int):
    """The JSON twin of a section save, for report-form.js (files are not sent here): one
    service call (`filling.autosave`), nothing rendered."""
    with refusal_into() as refused:
        saved = filling.autosave(
            _actor(),
            year,
            index,
            request.form.to_dict(flat=False),
            request.form.get("base_revision", ""),
        )
    if refused:
        return _autosave_refused(refused.error)
    answered, required = saved.progress()
    s_answered, s_required = saved.progress(saved.section)
    saved_at = short_time(clock.now())
    return jsonify(
        status="saved",
        revision=saved.revision,
        saved_at=saved_at,
        message=_("Saved at %(time)s", time=saved_at),
        progress={
            "answered": answered,
            "required": required,
            "text": _("%(a)d of %(r)d required answers given", a=answered, r=required),
        },
        section_progress={"answered": s_answered, "required": s_required},
        shown={str(q.id): bool(saved.shown.get(q.id)) for q in saved.section},
    )


def _autosave_refused(error):
    if isinstance(error, filling.NoSuchPage):
        raise error  # no such cycle or section: the error page, not a refusal in the page
    if isinstance(error, filling.StaleDraft):
        return jsonify(
            status="conflict",
            message=error.message,
            revision=error.revision,
            changes=[
                {
                    "by": c["by"],
                    "at": short_time(c["at"]),
                    "questions": [q["number"] for q in c["questions"]],
                    "parts": c["parts"],
                }
                for c in error.changes
            ],
        ), 409
    if isinstance(error, filling.AnswersInvalid):
        return jsonify(
            status="invalid",
            message=error.message,
            errors={str(k): v for k, v in error.errors.items()},
        ), 422
    return jsonify(status="error", message=error.message), error.status_code
