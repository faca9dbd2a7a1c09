"""The representative's report: the overview, pledges, prefill, preview, attestation and
submission (the section pages and the autosave are in section_views.py). Routes on the
reporting blueprint (app/reporting/blueprint.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app import clock
from app.charter.services import current_version
from app.core.forms import apply_domain_error, error_status
from app.core.uow import refusal_into
from app.db import db
from app.errors import ValidationFailed
from app.members.pledges import principle_choices
from app.reporting import cycles, filling, versions
from app.reporting.blueprint import _actor, bp
from app.reporting.forms import (
    NewPledgeForm,
    PledgesForm,
    PrefillForm,
    SubmitForm,
    options,
)
from app.reporting.models import CycleStatus, Report, ReportingCycle
from app.reporting.translations import services as questionnaire_translations
from app.security import representative_required


@bp.app_template_filter("version_state")
def _version_state(version, report) -> str:
    """`version|version_state(report)`: the state a versions table shows (filling.version_state)."""
    return filling.version_state(version, report)


def editable(cycle: ReportingCycle) -> bool:
    return cycle.status == CycleStatus.OPEN


def report_context(cycle: ReportingCycle, report: Report, data) -> dict:
    """What every page of the report shows around its form."""
    due = cycles.effective_due_date(cycle, report.organisation_id)
    return {
        "cycle": cycle,
        "report": report,
        "data": data,
        "due": due,
        "days_left": (due - clock.today()).days,
        "editable": editable(cycle),
        "state": report.state if report.id else "not_started",
        # The questionnaire's texts in the reader's language: one query (none in the source).
        "texts": questionnaire_translations.reading_for(cycle),
    }


@bp.route("/my/reports")
@representative_required
def my_reports():
    organisation = _actor().organisation
    rows = filling.reports_overview(organisation)
    return render_template("reporting/my_reports.html", rows=rows, organisation=organisation)


@bp.route("/my/reports/<int:year>")
@representative_required
def report(year: int):
    cycle, report, exists = filling.my_report(_actor(), year)
    data = filling.load(report)
    previous = filling.last_submitted_version(report) if editable(cycle) else None
    return render_template(
        "reporting/report.html",
        **report_context(cycle, report, data),
        versions=versions.versions_of(report.id, with_submitters=True) if exists else [],
        previous=previous,
        prefill_form=PrefillForm(base_revision=report.revision),
    )


# Pledges and prefill -----------------------------------------------------------------------


def _render_pledges(
    cycle, report, data, form, new_form, posted=None, errors=None, conflict=None, status=200
):
    new_form.principle_ids.choices = options(principle_choices(cycle.charter_version))
    if cycle.charter_version is not None:
        new_form.principle_ids.label.text = _(
            "Principles it serves (charter version %(n)d)", n=cycle.charter_version.number
        )
    in_force = current_version()
    return render_template(
        "reporting/pledges.html",
        **report_context(cycle, report, data),
        charter=cycle.charter_version,
        # A newer charter came into force during the cycle: the page says which is which.
        newer_charter=(
            in_force
            if in_force is not None
            and cycle.charter_version is not None
            and in_force.number != cycle.charter_version.number
            else None
        ),
        form=form,
        new_form=new_form,
        posted=posted,
        errors=errors or {},
        conflict=conflict,
    ), status


@bp.route("/my/reports/<int:year>/pledges", methods=["GET", "POST"])
@representative_required
def report_pledges(year: int):
    cycle, report, _exists = filling.my_report(_actor(), year)
    data = filling.load(report)
    form = PledgesForm()
    new_form = NewPledgeForm(formdata=None)
    new_form.principle_ids.choices = options(principle_choices(cycle.charter_version))
    if request.method == "GET":
        if not editable(cycle):
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
    with refusal_into(catch=(filling.StaleDraft, ValidationFailed)) as refused:
        filling.save_pledges(_actor(), report, entries, form.base_revision.data)
    if refused:
        cycle, report, _exists = filling.my_report(_actor(), year)
        data = filling.load(report)
        if isinstance(refused.error, filling.StaleDraft):
            form.base_revision.data = str(report.revision)
            return _render_pledges(
                cycle,
                report,
                data,
                form,
                new_form,
                posted=posted,
                conflict=refused.error,
                status=409,
            )
        return _render_pledges(
            cycle, report, data, form, new_form, posted=posted, errors=refused.errors, status=422
        )
    if request.form.get("action") == "next":
        return redirect(url_for("reporting.report_submit", year=year))
    flash(_("Your pledge updates were saved."), "success")
    return redirect(url_for("reporting.report_pledges", year=year))


@bp.post("/my/reports/<int:year>/pledges/new")
@representative_required
def report_pledge_new(year: int):
    cycle, report, _exists = filling.my_report(_actor(), year)
    new_form = NewPledgeForm()
    new_form.principle_ids.choices = options(principle_choices(cycle.charter_version))
    if new_form.validate_on_submit():
        with refusal_into(new_form) as refused:
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
        if not refused:
            flash(_("Pledge “%(t)s” added.", t=pledge.title), "success")
            return redirect(url_for("reporting.report_pledges", year=year) + f"#pledge-{pledge.id}")
    cycle, report, _exists = filling.my_report(_actor(), year)
    data = filling.load(report)
    form = PledgesForm(formdata=None, base_revision=str(report.revision))
    return _render_pledges(cycle, report, data, form, new_form, status=error_status(new_form))


@bp.post("/my/reports/<int:year>/prefill")
@representative_required
def report_prefill(year: int):
    _cycle, report, _exists = filling.my_report(_actor(), year)
    form = PrefillForm()
    if not form.validate_on_submit():
        abort(400)
    with refusal_into() as refused:
        count = filling.prefill_from_last_year(_actor(), report, form.base_revision.data)
    if refused:
        flash(refused.message, "error")
        stale = isinstance(refused.error, filling.StaleDraft)
        return redirect(url_for("reporting.report", year=year)), (409 if stale else 302)
    if count:
        flash(
            ngettext(
                "%(num)d answer copied from last year. Please check it.",
                "%(num)d answers copied from last year. Please check them.",
                count,
            ),
            "success",
        )
    else:
        flash(_("Nothing to copy: every unchanged question already has an answer."), "info")
    return redirect(url_for("reporting.report", year=year))


@bp.post("/my/reports/<int:year>/comments/<int:comment_id>/addressed")
@representative_required
def report_comment_addressed(year: int, comment_id: int):
    """Mark one of the secretariat's comments as addressed (or not yet), from the overview
    or from the section page; back to where the button was."""
    _cycle, report, _exists = filling.my_report(_actor(), year)
    addressed = request.form.get("addressed") != "0"
    comment = filling.set_comment_addressed(_actor(), report, comment_id, addressed)
    if addressed:
        flash(_("The comment is marked as addressed."), "success")
    else:
        flash(_("The comment is marked as not addressed yet."), "info")
    back = request.form.get("back", "")
    if back.isascii() and back.isdigit():
        return redirect(
            url_for("reporting.report_section", year=year, index=int(back))
            + f"#comment-{comment.id}"
        )
    return redirect(url_for("reporting.report", year=year) + "#comments")


# Preview, attestation and submission -------------------------------------------------------


@bp.route("/my/reports/<int:year>/preview")
@representative_required
def report_preview(year: int):
    cycle, report, _exists = filling.my_report(_actor(), year)
    data = filling.load(report)
    snapshot = filling.build_snapshot(report, data=data)
    return render_template(
        "reporting/preview.html",
        **report_context(cycle, report, data),
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


def _render_submit(cycle, report, form, issues=None, conflict=None, refused=None, status=200):
    data = filling.load(report)
    extra = {"refused": refused} if refused is not None else {}
    return render_template(
        "reporting/submit.html",
        **report_context(cycle, report, data),
        form=form,
        issues=filling.submission_issues(data) if issues is None else issues,
        issue_link=_issue_link,
        conflict=conflict,
        **extra,
    ), status


@bp.route("/my/reports/<int:year>/submit", methods=["GET", "POST"])
@representative_required
def report_submit(year: int):
    cycle, report, _exists = filling.my_report(_actor(), year)
    if request.method == "GET":
        if not editable(cycle):
            return redirect(url_for("reporting.report", year=year))
        form = SubmitForm(obj=report)
        form.base_revision.data = str(report.revision)
        return _render_submit(cycle, report, form)
    form = SubmitForm()
    if not form.validate_on_submit():
        return _render_submit(cycle, report, form, status=422)
    attestation = filling.Attestation(
        form.officer_name.data, form.officer_title.data, form.support_statement.data
    )
    with refusal_into(catch=(filling.StaleDraft, ValidationFailed)) as refused:
        outcome = filling.attest_and_submit(
            _actor(),
            report,
            attestation,
            form.base_revision.data,
            submit=request.form.get("action") == "submit",
            authorised=form.authorised.data,
        )
    if refused or outcome.refused is not None:
        return _refused_submission(year, form, refused.error or outcome.refused)
    if outcome.version is None:
        flash(_("The attestation was saved."), "success")
        return redirect(url_for("reporting.report_submit", year=year))
    flash(
        _(
            "Thank you. Version %(n)d of your report was submitted; a receipt with a PDF copy "
            "was emailed to your organisation's representatives.",
            n=outcome.version.number,
        ),
        "success",
    )
    return redirect(
        url_for(
            "reporting.version",
            year=year,
            slug=outcome.report.organisation.slug,
            number=outcome.version.number,
        )
    )


def _refused_submission(year: int, form, error):
    """The submit page again after a refusal: a conflict (409), an attestation to correct or
    a submission refused (422; the attestation is kept then)."""
    if isinstance(error, filling.SubmissionIncomplete):
        db.session.commit()  # the attestation typed on this page is kept, though the answer is a 422
        cycle, report, _exists = filling.my_report(_actor(), year)
        form.base_revision.data = str(report.revision)
        return _render_submit(
            cycle, report, form, issues=error.issues, refused=error.message, status=422
        )
    if isinstance(error, filling.StaleDraft):
        cycle, report, _exists = filling.my_report(_actor(), year)
        form.base_revision.data = str(report.revision)
        return _render_submit(cycle, report, form, conflict=error, status=409)
    apply_domain_error(form, error)
    cycle, report, _exists = filling.my_report(_actor(), year)
    return _render_submit(cycle, report, form, status=422)
