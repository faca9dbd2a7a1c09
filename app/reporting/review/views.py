"""Secretariat review of submitted reports, extensions and exports (issue 5, part B).

Blueprint `review`. Views are thin: parse, call a service, render or redirect; the request's
unit of work (`app.core.uow`) commits a success and rolls back a refusal.
"""

from __future__ import annotations

from flask import (
    Blueprint,
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
from flask_login import current_user

from app.core.forms import error_status
from app.core.params import int_arg
from app.core.uow import refusal_into
from app.errors import NotFound, ValidationFailed
from app.reporting import deadlines as _deadlines  # noqa: F401  (signal receivers)
from app.reporting import exports, versions
from app.reporting.cycles import effective_due_date
from app.reporting.deadlines import extensions
from app.reporting.review import decisions, queues
from app.reporting.review import panels as _panels  # noqa: F401  (dashboard panels)
from app.reporting.review.forms import ExtensionDecisionForm, ExtensionRequestForm, ReviewForm
from app.reporting.translations import services as questionnaire_translations
from app.security import representative_required, secretariat_required

bp = Blueprint("review", __name__)


def _actor():
    return current_user._get_current_object()


def _int_arg(name: str, default: int | None = None) -> int | None:
    return int_arg(request.args, name, default, low=0)


# The queue ------------------------------------------------------------------------------------


@bp.route("/secretariat/review")
@secretariat_required
def queue():
    cycles = queues.review_cycles()
    year = _int_arg("year")
    cycle = None
    if year is not None:
        cycle = next((c for c in cycles if c.year == year), None)
        if cycle is None:
            abort(404)
    elif cycles:
        cycle = next((c for c in cycles if c.is_open), cycles[0])
    if cycle is None:
        return render_template("reporting/review/queue.html", cycles=[], result=None)
    state = request.args.get("state") or None
    if state is not None and state not in queues.QUEUE_STATES:
        abort(400)
    result = queues.queue(
        _actor(),
        cycle,
        state=state,
        search=request.args.get("q", ""),
        page=_int_arg("page", 1) or 1,
    )
    return render_template(
        "reporting/review/queue.html",
        cycles=cycles,
        result=result,
        states=queues.QUEUE_STATES,
        not_submitted=queues.NOT_SUBMITTED,
    )


# One version: read, comment, decide ----------------------------------------------------------


def _comment_fields(form_data) -> dict[int, str]:
    comments = {}
    for key, value in form_data.items():
        if key.startswith("comment-"):
            raw = key[len("comment-") :]
            if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
                abort(400)
            comments[int(raw)] = value
    return comments


def _decide(actor, item, decision: str, comments: dict[int, str], note: str) -> str:
    """Accept or return `item`; the message to flash once it is done."""
    org, year = item.report.organisation.name, item.report.cycle.year
    if decision == "return":
        decisions.return_for_changes(actor, item, comments, note=note)
        return _(
            "Returned the %(year)s report of %(org)s for changes; its "
            "representatives have been emailed.",
            year=year,
            org=org,
        )
    if any(text.strip() for text in comments.values()):
        raise ValidationFailed(
            _(
                "You wrote comments on questions. To send them, return the report "
                "for changes; to accept the report, clear them first."
            )
        )
    decisions.accept(actor, item, note=note)
    return _("Accepted the %(year)s report of %(org)s.", year=year, org=org)


def _comment_errors(errors: dict) -> dict[int, list[str]]:
    return {
        int(name[8:]): messages
        for name, messages in (errors or {}).items()
        if name and name.startswith("comment-") and name[8:].isdigit()
    }


@bp.route("/secretariat/review/versions/<int:version_id>", methods=["GET", "POST"])
@secretariat_required
def version(version_id: int):
    actor = _actor()
    item = versions.get_version(actor, version_id)
    form = ReviewForm()
    comments: dict[int, str] = {}
    comment_errors: dict[int, list[str]] = {}
    status = 200
    if request.method == "POST":
        decision = request.form.get("decision")
        if decision not in ("accept", "return"):
            abort(400)
        comments = _comment_fields(request.form)
        if form.validate_on_submit():
            with refusal_into(form) as refused:
                message = _decide(actor, item, decision, comments, form.note.data or "")
            if not refused:
                flash(message, "success")
                return redirect(
                    url_for("review.queue", year=item.report.cycle.year, state="submitted")
                )
            comment_errors = _comment_errors(refused.errors)
            status = refused.status
            item = versions.get_version(actor, version_id)
        else:
            status = error_status(form)
    return _version_page(item, form, comments, comment_errors), status


def _version_page(item, form, comments, comment_errors) -> str:
    all_versions = versions.versions_of(item.report_id)
    # The questionnaire's texts in the reviewer's language: one query (none in the source).
    texts = questionnaire_translations.reading_for(item.report.cycle)
    return render_template(
        "reporting/review/version.html",
        due_on=effective_due_date(item.report.cycle, item.report.organisation_id),
        version=item,
        report=item.report,
        organisation=item.report.organisation,
        cycle=item.report.cycle,
        snapshot=item.snapshot or {},
        questions=versions.numbered_questions(item.snapshot or {}),
        versions=all_versions,
        reviewers=decisions.reviewer_names(all_versions),
        can_decide=decisions.can_decide(item),
        existing=decisions.comments_by_question(item),
        form=form,
        comments=comments,
        comment_errors=comment_errors,
        display=versions.display_value,
        evidence_url=_evidence_url,
        texts=texts,
        untranslated=texts.snapshot_untranslated(item.snapshot or {}),
    )


def _untranslated(texts, answers) -> int:
    """How many question texts and section titles of the listed changes are shown in the
    source language (the comparison page's notice)."""
    sections = {(a.section or {}).get("id"): a.section for a in answers if a.section}
    return texts.entries_untranslated(sections.values(), [a.after or a.before for a in answers])


def _evidence_url(item: dict) -> str | None:
    if item.get("id") and "reporting.evidence" in current_app.view_functions:
        return url_for("reporting.evidence", evidence_id=item["id"])
    return None


@bp.route("/secretariat/review/reports/<int:report_id>/changes")
@secretariat_required
def changes(report_id: int):
    report = decisions.get_report(_actor(), report_id)
    submitted = report.versions
    numbers = [v.number for v in submitted]
    newest = numbers[-1]
    to_number = _int_arg("to", newest)
    from_number = _int_arg("from", to_number - 1 if to_number else None)
    if request.args.get("from") and _int_arg("from") is None:
        abort(400)
    if request.args.get("to") and _int_arg("to") is None:
        abort(400)
    error = None
    comparison = None
    old = new = None
    if len(submitted) < 2:
        error = _(
            "Only one version of this report has been submitted, so there is nothing to "
            "compare yet."
        )
    elif to_number not in numbers or from_number not in numbers:
        raise NotFound(_("This report has no such version."))
    elif from_number == to_number:
        error = _("Choose two different versions to compare.")
    else:
        if from_number > to_number:
            from_number, to_number = to_number, from_number
        by_number = {v.number: v for v in submitted}
        old, new = by_number[from_number], by_number[to_number]
        comparison = versions.compare_snapshots(old.snapshot, new.snapshot)
    show_all = request.args.get("all") == "1"
    texts = questionnaire_translations.reading_for(report.cycle)
    listed = (comparison.answers if show_all else comparison.changed) if comparison else []
    return render_template(
        "reporting/review/changes.html",
        report=report,
        organisation=report.organisation,
        cycle=report.cycle,
        versions=submitted,
        old=old,
        new=new,
        comparison=comparison,
        error=error,
        from_number=from_number,
        to_number=to_number,
        show_all=show_all,
        listed=listed,
        texts=texts,
        untranslated=_untranslated(texts, listed),
        evidence_url=_evidence_url,
    ), (400 if error and len(submitted) >= 2 else 200)


# Export -----------------------------------------------------------------------------------------


@bp.route("/secretariat/review/<int:year>/answers.csv")
@secretariat_required
def export_csv(year: int):
    cycle = queues.cycle_by_year(year)
    chunks = exports.export_answers(_actor(), cycle)
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(cycle)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# Extensions: the secretariat ----------------------------------------------------------------------


@bp.route("/secretariat/extensions")
@secretariat_required
def extensions_list():
    state = request.args.get("state") or None
    if state is not None and state not in extensions.EXTENSION_FILTERS:
        abort(400)
    counts, items = extensions.list_extensions(_actor(), state=state)
    return render_template(
        "reporting/review/extensions.html",
        counts=counts,
        items=items,
        state=state,
        filters=extensions.EXTENSION_FILTERS,
    )


@bp.route("/secretariat/extensions/<int:extension_id>", methods=["GET", "POST"])
@secretariat_required
def extension(extension_id: int):
    actor = _actor()
    item = extensions.get_extension(actor, extension_id)
    form = ExtensionDecisionForm()
    if request.method == "GET" and item.requested_due_on and not form.new_due_on.data:
        form.new_due_on.data = item.requested_due_on
    status = 200
    if request.method == "POST":
        decision = request.form.get("decision")
        if decision not in ("grant", "refuse"):
            abort(400)
        if form.validate_on_submit():
            with refusal_into(form) as refused:
                if decision == "grant":
                    extensions.grant(actor, item, form.new_due_on.data, note=form.note.data or "")
                    message = _("Extension granted to %(org)s.", org=item.organisation.name)
                else:
                    extensions.refuse(actor, item, form.note.data or "")
                    message = _("Extension refused for %(org)s.", org=item.organisation.name)
            if not refused:
                flash(message + " " + _("Its representatives have been emailed."), "success")
                return redirect(url_for("review.extensions_list"))
            status = refused.status
            item = extensions.get_extension(actor, extension_id)
        else:
            status = error_status(form)
    status_info = extensions.status_for(item.cycle, item.organisation)
    return render_template(
        "reporting/review/extension.html", item=item, form=form, info=status_info
    ), status


# Extensions: the representative -----------------------------------------------------------------


@bp.route("/my/extensions/<int:year>", methods=["GET", "POST"])
@representative_required
def request_extension(year: int):
    actor = _actor()
    cycle = queues.cycle_by_year(year)
    if cycle.status == "draft":
        abort(404)
    organisation = actor.organisation
    if organisation is None:
        abort(403)
    form = ExtensionRequestForm()
    status = 200
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            extensions.request_extension(
                actor, cycle, organisation, form.reason.data, form.requested_due_on.data
            )
        if refused:
            status = refused.status
        else:
            flash(
                _(
                    "Your request has been sent to the secretariat. You will get an email when "
                    "it has decided."
                ),
                "success",
            )
            return redirect(url_for("accounts.dashboard"))
    elif request.method == "POST":
        status = error_status(form)
    info = extensions.status_for(cycle, organisation)
    return render_template(
        "reporting/review/request_extension.html", form=form, info=info, cycle=cycle
    ), status
