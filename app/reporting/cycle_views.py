"""The secretariat's reporting pages: cycles, their settings and the questionnaire builder."""

from __future__ import annotations

import datetime as dt

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select

from app import clock
from app.core.forms import apply_domain_error, error_status
from app.db import db
from app.errors import DomainError, NotFound, ValidationFailed
from app.members.models import Organisation
from app.reporting import answers, cycles, filling
from app.reporting.blueprint import _actor, _charter, _charter_choices, bp
from app.reporting.forms import (
    ConfirmForm,
    CopyForm,
    CycleForm,
    CycleSettingsForm,
    MoveForm,
    QuestionForm,
    SectionForm,
    options,
)
from app.reporting.models import (
    CycleStatus,
    Question,
    Report,
    ReportingCycle,
    Section,
)
from app.security import (
    secretariat_required,
)


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
