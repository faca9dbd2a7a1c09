"""The representative's report: sections, autosave, pledges, prefill, preview and submission."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.core.forms import apply_domain_error, error_status
from app.core.templating import short_time
from app.db import db
from app.errors import DomainError, NotFound, ValidationFailed
from app.reporting import answers, cycles, filling
from app.reporting import evidence as evidence_files
from app.reporting.blueprint import _actor, bp
from app.reporting.forms import (
    NewPledgeForm,
    PledgesForm,
    PrefillForm,
    SectionAnswersForm,
    SubmitForm,
    options,
)
from app.reporting.models import (
    CycleStatus,
    Evidence,
    QuestionType,
    Report,
    ReportingCycle,
    ReportState,
)
from app.security import (
    representative_required,
)

# Representative: finding one's report --------------------------------------------------------


def _visible_cycle(year: int) -> ReportingCycle:
    cycle = cycles.get_cycle(year)
    if cycle.status == CycleStatus.DRAFT:
        raise NotFound(_("There is no reporting cycle for %(year)s.", year=year))
    return cycle


def _my_report(year: int) -> tuple[ReportingCycle, Report, bool]:
    """The cycle and the representative's report in it; an unsaved empty report when the
    organisation has not started yet (it is created by the first save)."""
    user = _actor()
    cycle = _visible_cycle(year)
    organisation = user.organisation
    report = filling.find_report(cycle, organisation.id)
    if report is not None:
        return cycle, report, True
    if cycle.status != CycleStatus.OPEN or not cycles.may_report(cycle, organisation):
        raise NotFound(
            _("%(org)s has no report in the %(year)d cycle.", org=organisation.name, year=year)
        )
    report = Report(
        cycle_id=cycle.id, organisation_id=organisation.id, state=ReportState.DRAFT, revision=0
    )
    report.cycle = cycle
    report.organisation = organisation
    return cycle, report, False


def _started(cycle: ReportingCycle, report: Report, exists: bool) -> Report:
    if exists:
        return report
    if report in db.session:
        db.session.expunge(report)
    return filling.get_or_start_report(_actor(), cycle, _actor().organisation)


def _editable(cycle: ReportingCycle) -> bool:
    return cycle.status == CycleStatus.OPEN


def _report_context(cycle: ReportingCycle, report: Report, data) -> dict:
    due = cycles.effective_due_date(cycle, report.organisation_id)
    return {
        "cycle": cycle,
        "report": report,
        "data": data,
        "due": due,
        "days_left": (due - clock.today()).days,
        "editable": _editable(cycle),
        "state": report.state if report.id else "not_started",
    }


@bp.route("/my/reports")
@representative_required
def my_reports():
    user = _actor()
    organisation = user.organisation
    reports = {
        r.cycle_id: r
        for r in db.session.scalars(select(Report).where(Report.organisation_id == organisation.id))
    }
    rows = []
    for cycle in cycles.list_cycles():
        if cycle.status == CycleStatus.DRAFT:
            continue
        report = reports.get(cycle.id)
        if report is None and not (
            cycle.status == CycleStatus.OPEN and cycles.may_report(cycle, organisation)
        ):
            if cycle.status == CycleStatus.CLOSED and cycles.must_report(cycle, organisation):
                rows.append({"cycle": cycle, "report": None, "missing": True})
            continue
        rows.append({"cycle": cycle, "report": report, "missing": False})
    return render_template("reporting/my_reports.html", rows=rows, organisation=organisation)


@bp.route("/my/reports/<int:year>")
@representative_required
def report(year: int):
    cycle, report, exists = _my_report(year)
    data = filling.load(report)
    previous = filling.last_submitted_version(report) if _editable(cycle) else None
    return render_template(
        "reporting/report.html",
        **_report_context(cycle, report, data),
        versions=filling.versions_of(report) if exists else [],
        previous=previous,
        prefill_form=PrefillForm(base_revision=report.revision),
    )


# Representative: a section of the report ------------------------------------------------------


def _section_at(data, index: int):
    if not 1 <= index <= len(data.sections):
        raise NotFound(_("This report has no section %(n)d.", n=index))
    return data.sections[index - 1]


def _posted_answers(questions) -> dict[int, object]:
    """The answers to these questions (a section's) as posted; answers to any other question
    are refused."""
    expected = {f"q-{q.id}": q for q in questions if q.type != QuestionType.EVIDENCE}
    for key in request.form:
        if key.startswith("q-") and key not in expected:
            raise filling.ForeignAnswers(
                _(
                    "Some answers belong to another questionnaire or section. Reload the page "
                    "and try again."
                )
            )
    raw = {}
    for name, question in expected.items():
        if question.type == QuestionType.MULTIPLE_CHOICE:
            raw[question.id] = request.form.getlist(name)
        else:
            raw[question.id] = request.form.get(name, "")
    return raw


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
        **_report_context(cycle, report, data),
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
        max_mb=_max_mb(),
    ), status


def _max_mb() -> int:
    return current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024)


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


class _FilesRefused(ValidationFailed):
    """Some chosen files could not be attached; `file_errors` maps question id -> message."""

    def __init__(self, file_errors: dict[int, str]):
        super().__init__(
            _(
                "Some files could not be attached. Your answers were not saved "
                "either: please check them and save again."
            )
        )
        self.file_errors = file_errors


def _save_section(cycle, report, exists, section, raw, base_revision) -> Report:
    """Save answers, then attach chosen files and remove files as asked. Raises DomainError."""
    actor = _actor()
    report = _started(cycle, report, exists)
    filling.save_answers(actor, report, raw, base_revision)
    file_errors: dict[int, str] = {}
    for question in section.questions:
        if question.type != QuestionType.EVIDENCE:
            continue
        for upload in request.files.getlist(f"file-{question.id}"):
            if not upload or not upload.filename:
                continue
            data = upload.read(_max_bytes() + 1)
            try:
                filling.attach_evidence(actor, report, question, upload.filename, data)
            except ValidationFailed as error:
                file_errors[question.id] = error.message
    if file_errors:
        raise _FilesRefused(file_errors)
    action = request.form.get("action", "")
    if action.startswith("remove:"):
        evidence_id = action.partition(":")[2]
        if not (evidence_id.isascii() and evidence_id.isdigit()):
            abort(400)
        item = db.session.get(Evidence, int(evidence_id))
        if item is None or item.report_id != report.id or item.question.section_id != section.id:
            raise NotFound(_("This file is not attached to this section of your report."))
        filling.remove_evidence(actor, report, int(evidence_id))
    return report


def _max_bytes() -> int:
    return current_app.config["EVIDENCE_MAX_BYTES"]


@bp.route("/my/reports/<int:year>/sections/<int:index>", methods=["GET", "POST"])
@representative_required
def report_section(year: int, index: int):
    cycle, report, exists = _my_report(year)
    # A save needs the questionnaire only (its error pages load everything again).
    posting = request.method == "POST"
    data = filling.load(report, with_pledges=not posting, with_comments=not posting)
    section = _section_at(data, index)
    form = SectionAnswersForm()
    if request.method == "GET":
        if not _editable(cycle):
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
    raw = _posted_answers(section.questions)
    try:
        report = _save_section(cycle, report, exists, section, raw, form.base_revision.data)
    except filling.StaleDraft as error:
        db.session.rollback()
        cycle, report, exists = _my_report(year)
        data = filling.load(report)
        section = _section_at(data, index)
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
    except (filling.AnswersInvalid, _FilesRefused) as error:
        db.session.rollback()
        cycle, report, exists = _my_report(year)
        data = filling.load(report)
        section = _section_at(data, index)
        return _render_section(
            cycle,
            report,
            data,
            section,
            index,
            form,
            raw,
            errors=error.errors if isinstance(error, filling.AnswersInvalid) else {},
            file_errors=getattr(error, "file_errors", {}),
            status=422,
            summary=error.message,
        )
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    action = request.form.get("action", "")
    if action == "next" and index < len(data.sections):
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
    """The JSON twin of a section save, for report-form.js (files are not sent here).

    It runs while people type, so it stays lean: one query for the cycle, the report and its
    answers, the questionnaire from the per-process cache, nothing rendered, nothing loaded again
    after the save (filling.store_answers returns what the answer needs)."""
    actor = _actor()
    cycle, report, stored = filling.find_draft(year, actor.organisation_id)
    if cycle is None or cycle.status == CycleStatus.DRAFT:
        raise NotFound(_("There is no reporting cycle for %(year)s.", year=year))
    questionnaire = filling.questionnaire_for_saving(cycle)
    if not 1 <= index <= len(questionnaire.sections):
        raise NotFound(_("This report has no section %(n)d.", n=index))
    section = questionnaire.sections[index - 1]
    try:
        raw = _posted_answers(section)
        if report is None:  # the first save starts the report
            cycle, report, exists = _my_report(year)
            report = _started(cycle, report, exists)
        saved = filling.store_answers(
            actor,
            report,
            raw,
            request.form.get("base_revision", ""),
            questionnaire,
            with_progress=True,
            stored=stored,
        )
    except filling.StaleDraft as error:
        db.session.rollback()
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
    except filling.AnswersInvalid as error:
        db.session.rollback()
        return jsonify(
            status="invalid",
            message=error.message,
            errors={str(k): v for k, v in error.errors.items()},
        ), 422
    except DomainError as error:
        db.session.rollback()
        return jsonify(status="error", message=error.message), error.status_code
    db.session.commit()
    answered, required = saved.progress()
    s_answered, s_required = saved.progress(section)
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
        shown={str(q.id): bool(saved.shown.get(q.id)) for q in section},
    )


# Representative: pledges, prefill, preview, attestation and submission -----------------------


def _principle_options():
    from app.members.pledges import principle_choices

    return options(principle_choices())


def _render_pledges(
    cycle, report, data, form, new_form, posted=None, errors=None, conflict=None, status=200
):
    new_form.principle_ids.choices = _principle_options()
    return render_template(
        "reporting/pledges.html",
        **_report_context(cycle, report, data),
        form=form,
        new_form=new_form,
        posted=posted,
        errors=errors or {},
        conflict=conflict,
    ), status


@bp.route("/my/reports/<int:year>/pledges", methods=["GET", "POST"])
@representative_required
def report_pledges(year: int):
    cycle, report, exists = _my_report(year)
    data = filling.load(report)
    form = PledgesForm()
    new_form = NewPledgeForm(formdata=None)
    new_form.principle_ids.choices = _principle_options()
    if request.method == "GET":
        if not _editable(cycle):
            return redirect(url_for("reporting.report", year=year))
        form.base_revision.data = str(report.revision)
        return _render_pledges(cycle, report, data, form, new_form)
    if not form.validate_on_submit():
        abort(400)
    entries = {
        p.id: (request.form.get(f"status-{p.id}", ""), request.form.get(f"note-{p.id}", ""))
        for p in data.pledges
    }
    posted = {pid: {"status": s, "note": n} for pid, (s, n) in entries.items()}
    try:
        report = _started(cycle, report, exists)
        filling.save_pledges(_actor(), report, entries, form.base_revision.data)
    except filling.StaleDraft as error:
        db.session.rollback()
        cycle, report, exists = _my_report(year)
        data = filling.load(report)
        form.base_revision.data = str(report.revision)
        return _render_pledges(
            cycle, report, data, form, new_form, posted=posted, conflict=error, status=409
        )
    except ValidationFailed as error:
        db.session.rollback()
        cycle, report, exists = _my_report(year)
        data = filling.load(report)
        return _render_pledges(
            cycle, report, data, form, new_form, posted=posted, errors=error.errors, status=422
        )
    db.session.commit()
    if request.form.get("action") == "next":
        return redirect(url_for("reporting.report_submit", year=year))
    flash(_("Your pledge updates were saved."), "success")
    return redirect(url_for("reporting.report_pledges", year=year))


@bp.post("/my/reports/<int:year>/pledges/new")
@representative_required
def report_pledge_new(year: int):
    cycle, report, exists = _my_report(year)
    new_form = NewPledgeForm()
    new_form.principle_ids.choices = _principle_options()
    if new_form.validate_on_submit():
        try:
            report = _started(cycle, report, exists)
            pledge = filling.add_pledge(
                _actor(),
                report,
                new_form.title.data,
                new_form.indicator.data,
                new_form.target_date.data,
                new_form.principle_ids.data,
                new_form.description_md.data,
                new_form.is_public.data,
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(new_form, error)
        else:
            db.session.commit()
            flash(_("Pledge “%(t)s” added.", t=pledge.title), "success")
            return redirect(url_for("reporting.report_pledges", year=year) + f"#pledge-{pledge.id}")
    cycle, report, exists = _my_report(year)
    data = filling.load(report)
    form = PledgesForm(formdata=None, base_revision=str(report.revision))
    return _render_pledges(cycle, report, data, form, new_form, status=error_status(new_form))


@bp.post("/my/reports/<int:year>/prefill")
@representative_required
def report_prefill(year: int):
    cycle, report, exists = _my_report(year)
    form = PrefillForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        report = _started(cycle, report, exists)
        count = filling.prefill_from_last_year(_actor(), report, form.base_revision.data)
    except filling.StaleDraft as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("reporting.report", year=year)), 409
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("reporting.report", year=year))
    db.session.commit()
    if count:
        flash(_("%(n)d answer(s) copied from last year. Please check them.", n=count), "success")
    else:
        flash(_("Nothing to copy: every unchanged question already has an answer."), "info")
    return redirect(url_for("reporting.report", year=year))


@bp.route("/my/reports/<int:year>/preview")
@representative_required
def report_preview(year: int):
    cycle, report, exists = _my_report(year)
    data = filling.load(report)
    snapshot = filling.build_snapshot(report, data=data)
    return render_template(
        "reporting/preview.html",
        **_report_context(cycle, report, data),
        snapshot=snapshot,
        public=filling.public_snapshot(snapshot),
        issues=filling.submission_issues(data),
    )


def _issue_link(year: int, issue) -> str:
    if issue.page == "section":
        return (
            url_for("reporting.report_section", year=year, index=issue.section_index)
            + f"#{issue.anchor}"
        )
    if issue.page == "pledges":
        return url_for("reporting.report_pledges", year=year)
    return url_for("reporting.report_submit", year=year) + f"#{issue.anchor}"


@bp.route("/my/reports/<int:year>/submit", methods=["GET", "POST"])
@representative_required
def report_submit(year: int):
    cycle, report, exists = _my_report(year)
    data = filling.load(report)
    if request.method == "GET":
        if not _editable(cycle):
            return redirect(url_for("reporting.report", year=year))
        form = SubmitForm(obj=report)
        form.base_revision.data = str(report.revision)
        return render_template(
            "reporting/submit.html",
            **_report_context(cycle, report, data),
            form=form,
            issues=filling.submission_issues(data),
            issue_link=_issue_link,
            conflict=None,
        )
    form = SubmitForm()
    if not form.validate_on_submit():
        return render_template(
            "reporting/submit.html",
            **_report_context(cycle, report, data),
            form=form,
            issues=filling.submission_issues(data),
            issue_link=_issue_link,
            conflict=None,
        ), 422
    actor = _actor()
    submitting = request.form.get("action") == "submit"
    try:
        report = _started(cycle, report, exists)
        filling.set_attestation(
            actor,
            report,
            form.officer_name.data,
            form.officer_title.data,
            form.support_statement.data,
            form.base_revision.data,
        )
    except filling.StaleDraft as error:
        db.session.rollback()
        cycle, report, exists = _my_report(year)
        data = filling.load(report)
        form.base_revision.data = str(report.revision)
        return render_template(
            "reporting/submit.html",
            **_report_context(cycle, report, data),
            form=form,
            issues=filling.submission_issues(data),
            issue_link=_issue_link,
            conflict=error,
        ), 409
    except ValidationFailed as error:
        db.session.rollback()
        apply_domain_error(form, error)
        cycle, report, exists = _my_report(year)
        data = filling.load(report)
        return render_template(
            "reporting/submit.html",
            **_report_context(cycle, report, data),
            form=form,
            issues=filling.submission_issues(data),
            issue_link=_issue_link,
            conflict=None,
        ), 422
    if not submitting:
        db.session.commit()
        flash(_("The attestation was saved."), "success")
        return redirect(url_for("reporting.report_submit", year=year))
    savepoint = db.session.begin_nested()
    try:
        version = filling.submit_report(actor, report, form.authorised.data)
    except filling.SubmissionIncomplete as error:
        savepoint.rollback()
        db.session.commit()  # the attestation typed on this page is kept as a draft
        cycle, report, exists = _my_report(year)
        data = filling.load(report)
        form.base_revision.data = str(report.revision)
        return render_template(
            "reporting/submit.html",
            **_report_context(cycle, report, data),
            form=form,
            issues=error.issues,
            issue_link=_issue_link,
            conflict=None,
            refused=error.message,
        ), 422
    except DomainError:
        savepoint.rollback()
        db.session.rollback()
        raise
    savepoint.commit()
    db.session.commit()
    flash(
        _(
            "Thank you. Version %(n)d of your report was submitted; a receipt with a PDF copy "
            "was emailed to your organisation's representatives.",
            n=version.number,
        ),
        "success",
    )
    return redirect(
        url_for(
            "reporting.version", year=year, slug=report.organisation.slug, number=version.number
        )
    )
