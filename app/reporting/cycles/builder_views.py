"""The secretariat's questionnaire builder: sections, questions (with the conditions that
show them) and the preview of a cycle's questionnaire.

Routes of the `reporting` blueprint, next to the cycle pages of `cycles/views.py`, whose
buttons helper `cycle_action` they share.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.core import languages
from app.core.forms import error_status
from app.core.languages import previews_content
from app.core.params import int_arg
from app.core.uow import refusal_into
from app.reporting import answers, cycles
from app.reporting.blueprint import _actor, bp
from app.reporting.cycles.forms import QuestionForm, SectionForm
from app.reporting.cycles.views import cycle_action
from app.reporting.form_fields import options
from app.reporting.models import ReportingCycle
from app.reporting.translations import services as questionnaire_translations
from app.security import secretariat_required

# Sections ----------------------------------------------------------------------------------


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
        with refusal_into(form) as refused:
            section = cycles.add_section(
                _actor(),
                cycle,
                form.title.data,
                form.description_md.data,
                principle=form.principle_id.data or None,
            )
        if not refused:
            flash(_("Section “%(t)s” added.", t=section.shown_title), "success")
            return redirect(url_for("reporting.admin_cycle", year=year) + f"#section-{section.id}")
    return render_template(
        "reporting/admin_section_form.html", form=form, cycle=cycle, section=None
    ), error_status(form)


@bp.route("/secretariat/cycles/<int:year>/sections/<int:section_id>", methods=["GET", "POST"])
@secretariat_required
def admin_section_edit(year: int, section_id: int):
    cycle = cycles.get_cycle(year)
    section = cycles.get_section(cycle, section_id)
    cycles.ensure_editable(cycle)
    form = SectionForm(obj=section if request.method == "GET" else None)
    form.principle_id.choices = _principle_choices(cycle)
    if request.method == "GET":
        form.principle_id.data = section.principle_id or 0
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            cycles.update_section(
                _actor(),
                section,
                form.title.data,
                form.description_md.data,
                principle=form.principle_id.data or None,
            )
        if not refused:
            flash(_("Section saved."), "success")
            return redirect(url_for("reporting.admin_cycle", year=year) + f"#section-{section.id}")
    return render_template(
        "reporting/admin_section_form.html", form=form, cycle=cycle, section=section
    ), error_status(form)


def _direction() -> str:
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)
    return direction


@bp.post("/secretariat/cycles/<int:year>/sections/<int:section_id>/move")
@secretariat_required
def admin_section_move(year: int, section_id: int):
    direction = _direction()
    return cycle_action(
        year,
        lambda c: cycles.move_section(_actor(), cycles.get_section(c, section_id), direction),
        anchor=f"#section-{section_id}",
    )


@bp.post("/secretariat/cycles/<int:year>/sections/<int:section_id>/delete")
@secretariat_required
def admin_section_delete(year: int, section_id: int):
    return cycle_action(
        year,
        lambda c: cycles.delete_section(_actor(), cycles.get_section(c, section_id)),
        _("Section deleted."),
    )


# Questions ---------------------------------------------------------------------------------


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
                        q=cycles.short_text(candidate.text, 60),
                        v=label,
                    ),
                )
            )
    return options(choices)


def _bound(question, value) -> str:
    return answers.form_value(question, value) if value is not None else ""


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
        form.min_value.data = _bound(question, question.min_value)
        form.max_value.data = _bound(question, question.max_value)
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
    section = cycles.get_section(cycle, section_id)
    cycles.ensure_editable(cycle)
    form = _question_form(cycle, section, None)
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            question = cycles.add_question(_actor(), section, **_question_values(form))
        if not refused:
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
    question = cycles.get_question(cycle, question_id)
    cycles.ensure_editable(cycle)
    form = _question_form(cycle, question.section, question)
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            cycles.update_question(_actor(), question, **_question_values(form))
        if not refused:
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
    direction = _direction()
    return cycle_action(
        year,
        lambda c: cycles.move_question(_actor(), cycles.get_question(c, question_id), direction),
        anchor=f"#q-{question_id}",
    )


@bp.post("/secretariat/cycles/<int:year>/questions/<int:question_id>/delete")
@secretariat_required
def admin_question_delete(year: int, question_id: int):
    return cycle_action(
        year,
        lambda c: cycles.delete_question(_actor(), cycles.get_question(c, question_id)),
        _("Question deleted."),
    )


# Preview ----------------------------------------------------------------------------------


@bp.route("/secretariat/cycles/<int:year>/preview")
@previews_content  # ?lang= names the questionnaire's language, not the interface's
@secretariat_required
def admin_preview(year: int):
    cycle = cycles.get_cycle(year)
    sections = cycles.load_questionnaire(cycle)
    if not sections:
        flash(_("Add a section and questions before previewing."), "info")
        return redirect(url_for("reporting.admin_cycle", year=year))
    index = int_arg(request.args, "section", 1)
    if not 1 <= index <= len(sections):
        abort(404)
    questions = cycles.ordered_questions(sections)
    texts = questionnaire_translations.reading_for(cycle, request.args.get("lang"))
    return render_template(
        "reporting/admin_preview.html",
        cycle=cycle,
        sections=sections,
        section=sections[index - 1],
        index=index,
        numbers=cycles.numbering(sections),
        shown=answers.shown_map(questions, {}),
        # In the language asked for (?lang=), else the secretariat's: the page's links keep it.
        texts=texts,
        content_lang=texts.language if languages.is_language(request.args.get("lang")) else None,
    )
