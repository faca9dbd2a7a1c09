"""Reporting pages: the secretariat's cycles and questionnaire builder, and the
representative's report (sections, pledges, evidence, preview, submission, versions).

Views parse the request, call one service, commit once (or roll back and show the error
next to the field), and render or redirect.
"""

from __future__ import annotations

import datetime as dt
import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import defer

from app import clock
from app.charter.models import CharterVersion, VersionStatus
from app.core.dashboard import panel
from app.core.forms import apply_domain_error, error_status
from app.core.templating import short_time
from app.db import db
from app.errors import DomainError, NotFound, ValidationFailed
from app.members.models import Organisation
from app.reporting import answers, cycles, filling
from app.reporting import evidence as evidence_files
from app.reporting.forms import (
    ConfirmForm,
    CopyForm,
    CycleForm,
    CycleSettingsForm,
    MoveForm,
    NewPledgeForm,
    PledgesForm,
    PrefillForm,
    QuestionForm,
    SectionAnswersForm,
    SectionForm,
    SubmitForm,
    options,
)
from app.reporting.models import (
    CycleStatus,
    Evidence,
    Question,
    QuestionType,
    Report,
    ReportingCycle,
    ReportState,
    ReportVersion,
    ReviewComment,
    Section,
)
from app.security import (
    is_secretariat,
    login_required,
    representative_required,
    secretariat_required,
)

bp = Blueprint("reporting", __name__)


def _actor():
    return current_user._get_current_object()


@bp.app_template_filter("answer_number")
def _answer_number(value) -> str:
    return answers.format_number(value) if value is not None else ""


# Secretariat: cycles ------------------------------------------------------------------------


def _charter_choices():
    versions = db.session.scalars(
        select(CharterVersion)
        .where(CharterVersion.status == VersionStatus.PUBLISHED)
        .order_by(CharterVersion.number.desc())
    ).all()
    return options(
        [(0, _("None"))]
        + [(v.id, _("Version %(n)d: %(title)s", n=v.number, title=v.title)) for v in versions]
    )


def _charter(version_id: int | None):
    if not version_id:
        return None
    version = db.session.get(CharterVersion, version_id)
    if version is None:
        raise ValidationFailed(_("Choose a published charter version."), field="charter_version_id")
    return version


@bp.route("/secretariat/cycles")
@secretariat_required
def admin_cycles():
    items = cycles.list_cycles()
    return render_template(
        "reporting/admin_cycles.html", cycles=items, counts=cycles.question_counts()
    )


@bp.route("/secretariat/cycles/new", methods=["GET", "POST"])
@secretariat_required
def admin_cycle_new():
    existing = cycles.list_cycles()
    form = CycleForm()
    form.charter_version_id.choices = _charter_choices()
    form.copy_from.choices = options(
        [(0, _("An empty questionnaire"))]
        + [(c.id, _("A copy of the %(year)d questionnaire", year=c.year)) for c in existing]
    )
    if request.method == "GET":
        year = clock.today().year
        taken = {c.year for c in existing}
        while year in taken:
            year += 1
        form.year.data = year
        form.opens_on.data = dt.date(year, 1, 15)
        form.due_on.data = dt.date(year, 3, 31)
        form.categories.data = ["company"]
        form.reminder_offsets.data = ", ".join(str(n) for n in cycles.default_reminder_offsets())
        if existing:
            form.copy_from.data = existing[0].id
            form.categories.data = list(existing[0].categories or [])
        if len(form.charter_version_id.choices) > 1:
            form.charter_version_id.data = form.charter_version_id.choices[1].value
    if form.validate_on_submit():
        actor = _actor()
        try:
            cycle = cycles.create_cycle(
                actor,
                form.year.data,
                form.title.data,
                form.opens_on.data,
                form.due_on.data,
                grace_days=form.grace_days.data,
                categories=form.categories.data,
                charter_version=_charter(form.charter_version_id.data),
                reminder_offsets=form.offsets(),
            )
            if form.copy_from.data:
                source = db.session.get(ReportingCycle, form.copy_from.data)
                if source is None:
                    raise ValidationFailed(_("Choose a cycle to copy."), field="copy_from")
                cycles.copy_questionnaire(actor, source, cycle)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The %(year)d cycle was created as a draft.", year=cycle.year), "success")
            return redirect(url_for("reporting.admin_cycle", year=cycle.year))
    return render_template("reporting/admin_cycle_form.html", form=form, cycle=None), error_status(
        form
    )


@bp.route("/secretariat/cycles/<int:year>/settings", methods=["GET", "POST"])
@secretariat_required
def admin_cycle_settings(year: int):
    cycle = cycles.get_cycle(year)
    form = CycleSettingsForm(obj=cycle if request.method == "GET" else None)
    form.charter_version_id.choices = _charter_choices()
    if request.method == "GET":
        form.charter_version_id.data = cycle.charter_version_id or 0
        form.reminder_offsets.data = ", ".join(str(n) for n in cycle.reminder_offsets or [])
    if form.validate_on_submit():
        try:
            cycles.update_cycle(
                _actor(),
                cycle,
                form.title.data,
                form.opens_on.data,
                form.due_on.data,
                form.grace_days.data,
                form.categories.data,
                charter_version=_charter(form.charter_version_id.data),
                reminder_offsets=form.offsets(),
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The cycle's settings were saved."), "success")
            return redirect(url_for("reporting.admin_cycle", year=cycle.year))
    return render_template("reporting/admin_cycle_form.html", form=form, cycle=cycle), error_status(
        form
    )


# The cycle page lists the first organisations only: the review queue (filters, search, pages)
# is where the secretariat goes through all of them, 25,000 in a large alliance.
CYCLE_PAGE_ROWS = 50


def _organisation_rows(cycle: ReportingCycle) -> tuple[list[dict], int]:
    """The first organisations (by name) that must report, with their report's state, and
    how many must report in all."""
    obligated_query = cycles.obligated_organisations(cycle)
    obligated = db.session.scalars(obligated_query.limit(CYCLE_PAGE_ROWS)).all()
    total = db.session.scalar(
        select(func.count()).select_from(obligated_query.order_by(None).subquery())
    )
    reports = {
        r.organisation_id: r
        for r in db.session.scalars(
            select(Report).where(
                Report.cycle_id == cycle.id,
                Report.organisation_id.in_([org.id for org in obligated]),
            )
        )
    }
    rows = [
        {"organisation": org, "report": reports.get(org.id), "obligated": True} for org in obligated
    ]
    return rows, total or 0


def _cycle_page(year: int, refusal: str | None = None, status: int = 200):
    cycle = cycles.get_cycle(year)
    sections = cycles.load_questionnaire(cycle)
    others = [c for c in cycles.list_cycles() if c.id != cycle.id]
    copy_form = CopyForm()
    copy_form.source.choices = options((c.id, str(c.year)) for c in others)
    started = cycle.status != CycleStatus.DRAFT
    stats = cycles.progress(cycle) if started else None
    rows, total = _organisation_rows(cycle) if started else ([], 0)
    return render_template(
        "reporting/admin_cycle.html",
        cycle=cycle,
        sections=sections,
        numbers=cycles.numbering(sections),
        confirm=ConfirmForm(),
        move=MoveForm(),
        copy_form=copy_form,
        stats=stats,
        rows=rows,
        rows_total=total,
        refusal=refusal,
        has_principles=bool(cycle.charter_version_id),
        review_url=_review_queue_url(cycle),
    ), status


@bp.route("/secretariat/cycles/<int:year>")
@secretariat_required
def admin_cycle(year: int):
    return _cycle_page(year)


def _review_queue_url(cycle: ReportingCycle) -> str | None:
    """Engineer B's review queue for this cycle, when that blueprint is registered."""
    if cycle.status == CycleStatus.DRAFT or "review.queue" not in current_app.view_functions:
        return None
    return url_for("review.queue", year=cycle.year)


def _refused(year: int, error: DomainError):
    """A refused POST: the cycle page with the message, and the error's status."""
    db.session.rollback()
    return _cycle_page(year, refusal=error.message, status=error.status_code)


def _do(year: int, action, success: str, anchor: str = ""):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(cycles.get_cycle(year))
    except DomainError as error:
        return _refused(year, error)
    db.session.commit()
    if success:
        flash(success, "success")
    return redirect(url_for("reporting.admin_cycle", year=year) + anchor)


@bp.post("/secretariat/cycles/<int:year>/open")
@secretariat_required
def admin_cycle_open(year: int):
    return _do(
        year,
        lambda c: cycles.open_cycle(_actor(), c),
        _(
            "The %(year)d cycle is open: representatives can now report. Its questionnaire "
            "is frozen.",
            year=year,
        ),
    )


@bp.post("/secretariat/cycles/<int:year>/close")
@secretariat_required
def admin_cycle_close(year: int):
    return _do(
        year,
        lambda c: cycles.close_cycle(_actor(), c),
        _("The %(year)d cycle is closed.", year=year),
    )


@bp.post("/secretariat/cycles/<int:year>/principle-sections")
@secretariat_required
def admin_principle_sections(year: int):
    added = []

    def action(cycle):
        added.extend(cycles.add_principle_sections(_actor(), cycle))

    response = _do(year, action, "")
    if not isinstance(response, tuple):
        flash(
            _("%(n)d section(s) added, one per principle.", n=len(added))
            if added
            else _("Every principle already has a section."),
            "success",
        )
    return response


@bp.post("/secretariat/cycles/<int:year>/copy")
@secretariat_required
def admin_cycle_copy(year: int):
    cycle = cycles.get_cycle(year)
    form = CopyForm()
    form.source.choices = options(
        (c.id, str(c.year)) for c in cycles.list_cycles() if c.id != cycle.id
    )
    if not form.validate_on_submit():
        return _refused(year, ValidationFailed(_("Choose a cycle to copy from.")))
    source = db.session.get(ReportingCycle, form.source.data)
    try:
        copied = cycles.copy_questionnaire(_actor(), source, cycle)
    except DomainError as error:
        return _refused(year, error)
    db.session.commit()
    flash(_("%(n)d question(s) copied from %(year)d.", n=copied, year=source.year), "success")
    return redirect(url_for("reporting.admin_cycle", year=year))


# Secretariat: sections ---------------------------------------------------------------------


def _section(cycle: ReportingCycle, section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.cycle_id != cycle.id:
        raise NotFound(
            _("This section is not part of the %(year)d questionnaire.", year=cycle.year)
        )
    return section


def _principle_choices(cycle: ReportingCycle):
    return options(
        [(0, _("None (a general section)"))]
        + [
            (t.principle_id, _("Principle %(n)d: %(title)s", n=t.number, title=t.title))
            for t in cycles.principle_texts(cycle)
        ]
    )


@bp.route("/secretariat/cycles/<int:year>/sections/new", methods=["GET", "POST"])
@secretariat_required
def admin_section_new(year: int):
    cycle = cycles.get_cycle(year)
    cycles.ensure_editable(cycle)
    form = SectionForm()
    form.principle_id.choices = _principle_choices(cycle)
    if form.validate_on_submit():
        try:
            section = cycles.add_section(
                _actor(),
                cycle,
                form.title.data,
                form.description_md.data,
                principle=form.principle_id.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Section “%(t)s” added.", t=section.title), "success")
            return redirect(url_for("reporting.admin_cycle", year=year) + f"#section-{section.id}")
    return render_template(
        "reporting/admin_section_form.html", form=form, cycle=cycle, section=None
    ), error_status(form)


@bp.route("/secretariat/cycles/<int:year>/sections/<int:section_id>", methods=["GET", "POST"])
@secretariat_required
def admin_section_edit(year: int, section_id: int):
    cycle = cycles.get_cycle(year)
    section = _section(cycle, section_id)
    cycles.ensure_editable(cycle)
    form = SectionForm(obj=section if request.method == "GET" else None)
    form.principle_id.choices = _principle_choices(cycle)
    if request.method == "GET":
        form.principle_id.data = section.principle_id or 0
    if form.validate_on_submit():
        try:
            cycles.update_section(
                _actor(),
                section,
                form.title.data,
                form.description_md.data,
                principle=form.principle_id.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Section saved."), "success")
            return redirect(url_for("reporting.admin_cycle", year=year) + f"#section-{section.id}")
    return render_template(
        "reporting/admin_section_form.html", form=form, cycle=cycle, section=section
    ), error_status(form)


@bp.post("/secretariat/cycles/<int:year>/sections/<int:section_id>/move")
@secretariat_required
def admin_section_move(year: int, section_id: int):
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)

    def action(cycle):
        cycles.move_section(_actor(), _section(cycle, section_id), direction)

    return _do(year, action, "", anchor=f"#section-{section_id}")


@bp.post("/secretariat/cycles/<int:year>/sections/<int:section_id>/delete")
@secretariat_required
def admin_section_delete(year: int, section_id: int):
    return _do(
        year,
        lambda c: cycles.delete_section(_actor(), _section(c, section_id)),
        _("Section deleted."),
    )


# Secretariat: questions --------------------------------------------------------------------


def _question(cycle: ReportingCycle, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.section.cycle_id != cycle.id:
        raise NotFound(
            _("This question is not part of the %(year)d questionnaire.", year=cycle.year)
        )
    return question


def _condition_choices(cycle, section, question, numbers):
    choices = [("", _("Always show it"))]
    for candidate, values in cycles.condition_options(cycle, section, question):
        for value, label in values:
            choices.append(
                (
                    f"{candidate.id}:{value}",
                    _(
                        "%(n)s “%(q)s” is %(v)s",
                        n=numbers.get(candidate.id, ""),
                        q=cycles._short(candidate.text, 60),
                        v=label,
                    ),
                )
            )
    return options(choices)


def _question_form(cycle, section, question) -> QuestionForm:
    numbers = cycles.numbering(cycles.load_questionnaire(cycle))
    if request.method == "GET" and question is not None:
        form = QuestionForm(obj=question)
        form.choices.data = "\n".join(question.choices or [])
        form.condition.data = (
            f"{question.condition_question_id}:{question.condition_value}"
            if question.condition_question_id
            else ""
        )
        form.min_value.data = (
            answers.form_value(question, question.min_value)
            if question.min_value is not None
            else ""
        )
        form.max_value.data = (
            answers.form_value(question, question.max_value)
            if question.max_value is not None
            else ""
        )
    else:
        form = QuestionForm()
    form.condition.choices = _condition_choices(cycle, section, question, numbers)
    return form


def _question_values(form: QuestionForm) -> dict:
    controller, _sep, value = (form.condition.data or "").partition(":")
    return {
        "text": form.text.data,
        "type": form.type.data,
        "required": form.required.data,
        "help_text": form.help_text.data,
        "choices": form.choices.data,
        "unit": form.unit.data,
        "min_value": form.min_value.value(),
        "max_value": form.max_value.value(),
        "condition_question": int(controller) if controller.isdigit() else None,
        "condition_value": value,
        "is_indicator": form.is_indicator.data,
        "is_public": form.is_public.data,
    }


@bp.route(
    "/secretariat/cycles/<int:year>/sections/<int:section_id>/questions/new",
    methods=["GET", "POST"],
)
@secretariat_required
def admin_question_new(year: int, section_id: int):
    cycle = cycles.get_cycle(year)
    section = _section(cycle, section_id)
    cycles.ensure_editable(cycle)
    form = _question_form(cycle, section, None)
    if form.validate_on_submit():
        try:
            question = cycles.add_question(_actor(), section, **_question_values(form))
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Question added."), "success")
            if request.form.get("then") == "another":
                return redirect(
                    url_for("reporting.admin_question_new", year=year, section_id=section.id)
                )
            return redirect(url_for("reporting.admin_cycle", year=year) + f"#q-{question.id}")
    return render_template(
        "reporting/admin_question_form.html", form=form, cycle=cycle, section=section, question=None
    ), error_status(form)


@bp.route("/secretariat/cycles/<int:year>/questions/<int:question_id>", methods=["GET", "POST"])
@secretariat_required
def admin_question_edit(year: int, question_id: int):
    cycle = cycles.get_cycle(year)
    question = _question(cycle, question_id)
    cycles.ensure_editable(cycle)
    form = _question_form(cycle, question.section, question)
    if form.validate_on_submit():
        try:
            cycles.update_question(_actor(), question, **_question_values(form))
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(url_for("reporting.admin_cycle", year=year) + f"#q-{question.id}")
    return render_template(
        "reporting/admin_question_form.html",
        form=form,
        cycle=cycle,
        section=question.section,
        question=question,
    ), error_status(form)


@bp.post("/secretariat/cycles/<int:year>/questions/<int:question_id>/move")
@secretariat_required
def admin_question_move(year: int, question_id: int):
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)

    def action(cycle):
        cycles.move_question(_actor(), _question(cycle, question_id), direction)

    return _do(year, action, "", anchor=f"#q-{question_id}")


@bp.post("/secretariat/cycles/<int:year>/questions/<int:question_id>/delete")
@secretariat_required
def admin_question_delete(year: int, question_id: int):
    return _do(
        year,
        lambda c: cycles.delete_question(_actor(), _question(c, question_id)),
        _("Question deleted."),
    )


@bp.route("/secretariat/cycles/<int:year>/preview")
@secretariat_required
def admin_preview(year: int):
    cycle = cycles.get_cycle(year)
    sections = cycles.load_questionnaire(cycle)
    if not sections:
        flash(_("Add a section and questions before previewing."), "info")
        return redirect(url_for("reporting.admin_cycle", year=year))
    index = request.args.get("section", "1")
    index = int(index) if index.isascii() and index.isdigit() else 1
    if not 1 <= index <= len(sections):
        abort(404)
    questions = cycles.ordered_questions(sections)
    return render_template(
        "reporting/admin_preview.html",
        cycle=cycle,
        sections=sections,
        section=sections[index - 1],
        index=index,
        numbers=cycles.numbering(sections),
        shown=answers.shown_map(questions, {}),
    )


@bp.route("/secretariat/cycles/<int:year>/reports/<slug>")
@secretariat_required
def admin_report(year: int, slug: str):
    cycle = cycles.get_cycle(year)
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        abort(404)
    report = filling.find_report(cycle, organisation.id)
    data = filling.load(report, with_pledges=False) if report is not None else None
    return render_template(
        "reporting/admin_report.html",
        cycle=cycle,
        organisation=organisation,
        report=report,
        data=data,
        versions=filling.versions_of(report) if report else [],
        due=cycles.effective_due_date(cycle, organisation.id),
        obligated=cycles.must_report(cycle, organisation),
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
    filling.ensure_can_view(_actor(), report)
    return report


@bp.route("/reports/<int:year>/<slug>/versions/<int:number>")
@login_required
def version(year: int, slug: str, number: int):
    report = _report_by_slug(year, slug)
    version = filling.get_version(_actor(), report, number)
    versions = filling.versions_of(report)
    previous = next((v for v in versions if v.number == number - 1), None)
    changes = filling.compare_snapshots(previous.snapshot, version.snapshot) if previous else None
    comments = db.session.scalars(
        select(ReviewComment)
        .where(ReviewComment.version_id == version.id)
        .order_by(ReviewComment.at, ReviewComment.id)
    ).all()
    review_url = None
    if is_secretariat(_actor()) and "review.version" in current_app.view_functions:
        review_url = url_for("review.version", version_id=version.id)
    return render_template(
        "reporting/version.html",
        report=report,
        version=version,
        versions=versions,
        snapshot=version.snapshot,
        previous=previous,
        changes=changes,
        comments=comments,
        cycle=report.cycle,
        review_url=review_url,
    )


@bp.route("/reports/<int:year>/<slug>/versions/<int:number>/pdf")
@login_required
def version_pdf(year: int, slug: str, number: int):
    report = _report_by_slug(year, slug)
    version = filling.get_version(_actor(), report, number)
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
    from app.core.services import file_bytes

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


# Dashboard panels ---------------------------------------------------------------------------------


@panel(20, "representative")
def obligations_panel(user):
    organisation = user.organisation
    if organisation is None:
        return None
    cycle = cycles.open_cycle_now()
    current = None
    if cycle is not None:
        report = filling.find_report(cycle, organisation.id)
        if report is not None or cycles.may_report(cycle, organisation):
            due = cycles.effective_due_date(cycle, organisation.id)
            progress = filling.draft_progress(report) if report is not None else None
            current = {
                "cycle": cycle,
                "report": report,
                "due": due,
                "days_left": (due - clock.today()).days,
                "state": report.state if report is not None else "not_started",
                "progress": progress,
            }
    past = db.session.execute(
        select(ReportingCycle, Report, ReportVersion)
        .join(Report, Report.cycle_id == ReportingCycle.id)
        .outerjoin(ReportVersion, ReportVersion.id == Report.current_version_id)
        .where(
            Report.organisation_id == organisation.id,
            ReportingCycle.id != (cycle.id if cycle is not None else 0),
        )
        .order_by(ReportingCycle.year.desc())
        .limit(10)
        .options(defer(ReportVersion.snapshot))  # 10-15 kB of JSON each; the list shows none
    ).all()
    if current is None and not past:
        return None
    return {
        "template": "reporting/_panel_obligations.html",
        "current": current,
        "past": past,
        "organisation": organisation,
    }


@panel(20, "secretariat")
def cycle_progress_panel(user):
    cycle = cycles.open_cycle_now()
    if cycle is None:
        draft = db.session.scalar(
            select(ReportingCycle)
            .where(ReportingCycle.status == CycleStatus.DRAFT)
            .order_by(ReportingCycle.year.desc())
            .limit(1)
        )
        return {
            "template": "reporting/_panel_cycle_progress.html",
            "cycle": None,
            "draft": draft,
            "stats": None,
        }
    return {
        "template": "reporting/_panel_cycle_progress.html",
        "cycle": cycle,
        "draft": None,
        "stats": cycles.progress(cycle),
        "today": clock.today(),
    }
