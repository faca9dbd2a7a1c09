"""The secretariat's reporting pages: cycles, their settings, opening and closing, one
organisation's report (the questionnaire builder is in `builder_views.py`).

Routes of the `reporting` blueprint (`app/reporting/blueprint.py`). Each view parses its
form, makes one service call and renders or redirects; the unit of work (`app.core.uow`)
commits or rolls back after the response.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app import clock
from app.charter import services as charter_services
from app.core import languages
from app.core.forms import error_status
from app.core.uow import refusal_into
from app.reporting import cycles, filling, versions
from app.reporting.blueprint import _actor, bp
from app.reporting.cycles.forms import (
    ConfirmForm,
    CopyForm,
    CycleForm,
    CycleSettingsForm,
    MoveForm,
)
from app.reporting.form_fields import options
from app.reporting.models import CycleStatus, ReportingCycle
from app.reporting.translations import services as questionnaire_translations
from app.security import secretariat_required

# Cycles ------------------------------------------------------------------------------------


@bp.route("/secretariat/cycles")
@secretariat_required
def admin_cycles():
    items = cycles.list_cycles()
    return render_template(
        "reporting/admin_cycles.html", cycles=items, counts=cycles.question_counts()
    )


def _charter_choices():
    return options(
        [(0, _("None"))]
        + [
            (v.id, _("Version %(n)d: %(title)s", n=v.number, title=v.title))
            for v in charter_services.published_versions()
        ]
    )


def _new_cycle_defaults(form: CycleForm, existing: list[ReportingCycle]) -> None:
    """The form as first shown: the next free year, last cycle's categories and questions."""
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


@bp.route("/secretariat/cycles/new", methods=["GET", "POST"])
@secretariat_required
def admin_cycle_new():
    existing = cycles.list_cycles()
    form = CycleForm()
    form.taken_years = frozenset(c.year for c in existing)
    form.charter_version_id.choices = _charter_choices()
    form.copy_from.choices = options(
        [(0, _("An empty questionnaire"))]
        + [(c.id, _("A copy of the %(year)d questionnaire", year=c.year)) for c in existing]
    )
    if request.method == "GET":
        _new_cycle_defaults(form, existing)
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            cycle = cycles.create_cycle(
                _actor(),
                form.year.data,
                form.title.data,
                form.opens_on.data,
                form.due_on.data,
                grace_days=form.grace_days.data,
                categories=form.categories.data,
                charter_version=cycles.charter_version(form.charter_version_id.data),
                reminder_offsets=form.offsets(),
                copy_from_id=form.copy_from.data or None,
            )
        if not refused:
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
        with refusal_into(form) as refused:
            cycles.update_cycle(
                _actor(),
                cycle,
                form.title.data,
                form.opens_on.data,
                form.due_on.data,
                form.grace_days.data,
                form.categories.data,
                charter_version=cycles.charter_version(form.charter_version_id.data),
                reminder_offsets=form.offsets(),
            )
        if not refused:
            flash(_("The cycle's settings were saved."), "success")
            return redirect(url_for("reporting.admin_cycle", year=cycle.year))
    return render_template("reporting/admin_cycle_form.html", form=form, cycle=cycle), error_status(
        form
    )


def _review_queue_url(cycle: ReportingCycle) -> str | None:
    """Engineer B's review queue for this cycle, when that blueprint is registered."""
    if cycle.status == CycleStatus.DRAFT or "review.queue" not in current_app.view_functions:
        return None
    return url_for("review.queue", year=cycle.year)


def _cycle_page(year: int, refusal: str | None = None, status: int = 200):
    cycle = cycles.get_cycle(year)
    sections = cycles.load_questionnaire(cycle)
    others = [c for c in cycles.list_cycles() if c.id != cycle.id]
    copy_form = CopyForm()
    copy_form.source.choices = options((c.id, str(c.year)) for c in others)
    started = cycle.status != CycleStatus.DRAFT
    stats = cycles.progress(cycle) if started else None
    rows, total = cycles.organisation_rows(cycle) if started else ([], 0)
    in_force = charter_services.current_version()
    return render_template(
        "reporting/admin_cycle.html",
        cycle=cycle,
        # A newer charter came into force after the cycle chose its version: say which is which.
        newer_charter=(
            in_force
            if in_force is not None
            and cycle.charter_version is not None
            and in_force.number > cycle.charter_version.number
            else None
        ),
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


def cycle_action(year: int, action: Callable, success: str | Callable = "", anchor: str = ""):
    """A button on the cycle page: run `action(cycle)` and go back to the page, with the
    `success` message (or `success(result)`); a refusal shows the page with its message."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with refusal_into() as refused:
        result = action(cycles.get_cycle(year))
    if refused:
        return _cycle_page(year, refusal=refused.message, status=refused.status)
    message = success(result) if callable(success) else success
    if message:
        flash(message, "success")
    return redirect(url_for("reporting.admin_cycle", year=year) + anchor)


@bp.get("/secretariat/cycles/<int:year>/open")
@secretariat_required
def admin_cycle_open_confirm(year: int):
    """The confirmation before opening: what opening does (the questionnaire and its
    translations freeze) and, per language, what is not translated yet (a warning: the
    cycle can still be opened). Its button posts to `admin_cycle_open`."""
    cycle = cycles.get_cycle(year)
    if cycle.status != CycleStatus.DRAFT:
        return redirect(url_for("reporting.admin_cycle", year=year))
    sections = cycles.load_questionnaire(cycle)
    statuses = questionnaire_translations.statuses(cycle, sections)
    return render_template(
        "reporting/admin_cycle_open.html",
        cycle=cycle,
        sections=sections,
        questions=sum(len(s.questions) for s in sections),
        statuses=statuses,
        unfinished=[s for s in statuses if not s.complete],
        source_language=languages.source_language(),
    )


@bp.post("/secretariat/cycles/<int:year>/open")
@secretariat_required
def admin_cycle_open(year: int):
    return cycle_action(
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
    return cycle_action(
        year,
        lambda c: cycles.close_cycle(_actor(), c),
        _("The %(year)d cycle is closed.", year=year),
    )


@bp.post("/secretariat/cycles/<int:year>/principle-sections")
@secretariat_required
def admin_principle_sections(year: int):
    return cycle_action(
        year,
        lambda c: cycles.add_principle_sections(_actor(), c),
        lambda added: (
            ngettext(
                "%(num)d section added, one per principle.",
                "%(num)d sections added, one per principle.",
                len(added),
            )
            if added
            else _("Every principle already has a section.")
        ),
    )


@bp.post("/secretariat/cycles/<int:year>/copy")
@secretariat_required
def admin_cycle_copy(year: int):
    cycle = cycles.get_cycle(year)
    form = CopyForm()
    form.source.choices = options(
        (c.id, str(c.year)) for c in cycles.list_cycles() if c.id != cycle.id
    )
    if not form.validate_on_submit():
        return _cycle_page(year, refusal=_("Choose a cycle to copy from."), status=422)
    with refusal_into() as refused:
        source = cycles.copy_source(form.source.data, field="source")
        copied = cycles.copy_questionnaire(_actor(), source, cycle)
    if refused:
        return _cycle_page(year, refusal=refused.message, status=refused.status)
    flash(
        ngettext(
            "%(num)d question copied from %(year)d.",
            "%(num)d questions copied from %(year)d.",
            copied,
            year=source.year,
        ),
        "success",
    )
    return redirect(url_for("reporting.admin_cycle", year=year))


# One organisation's report ----------------------------------------------------------------


@bp.route("/secretariat/cycles/<int:year>/reports/<slug>")
@secretariat_required
def admin_report(year: int, slug: str):
    cycle = cycles.get_cycle(year)
    organisation = cycles.find_organisation(slug)
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
        versions=versions.versions_of(report.id, with_submitters=True) if report else [],
        due=cycles.effective_due_date(cycle, organisation.id),
        obligated=cycles.must_report(cycle, organisation),
    )
