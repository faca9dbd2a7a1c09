"""The secretariat's charter screens: the list of versions, the draft in progress (its
title, preamble and principles), previews, publication and deletion. Views parse, call one
service and render or redirect; the unit of work (`app.core.uow`) commits or rolls back."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app import clock
from app.charter import present, services
from app.charter.blueprint import actor, bp, place_errors, reader_language
from app.charter.forms import (
    ActionForm,
    BulkRemoveForm,
    MoveForm,
    PrincipleForm,
    PublishDateForm,
    StartForm,
    VersionForm,
)
from app.charter.models import CharterVersion
from app.charter.translations import languages
from app.charter.translations import services as translations
from app.core.forms import error_status
from app.core.languages import previews_content
from app.core.uow import refusal_into
from app.errors import ValidationFailed
from app.security import secretariat_required


@bp.route("/secretariat/charter")
@secretariat_required
def admin_index():
    return render_template(
        "charter/admin/index.html",
        versions=services.all_versions(),
        timeline=services.timeline(),
        draft=services.draft_in_progress(),
        action=ActionForm(),
        start=StartForm(),
    )


@bp.post("/secretariat/charter/new")
@secretariat_required
def admin_start():
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    draft = services.start_draft(actor(), copy=form.start.data != "empty")
    flash(
        _(
            "Draft of version %(n)d started. Change what needs changing, then publish it.",
            n=draft.number,
        ),
        "success",
    )
    return redirect(url_for("charter.admin_draft", version_id=draft.id))


def draft_page(version: CharterVersion, *, meta_form=None, publish_form=None, status=200):
    base = services.load_version(version.based_on_id) if version.based_on_id else None
    changes = services.compare_versions(base, version) if base is not None else None
    change_by_key = {c.key: c for c in changes.changes} if changes else {}
    if meta_form is None:
        meta_form = VersionForm(obj=version, formdata=None)
    if publish_form is None:
        publish_form = PublishDateForm(formdata=None, data={"effective_date": clock.today()})
    return render_template(
        "charter/admin/draft.html",
        version=version,
        base=base,
        changes=changes,
        change_by_key=change_by_key,
        problems=services.publication_problems(version),
        form=meta_form,
        publish_form=publish_form,
        action=ActionForm(),
        move=MoveForm(),
        bulk=BulkRemoveForm(),
    ), status


@bp.route("/secretariat/charter/<int:version_id>", methods=["GET", "POST"])
@secretariat_required
def admin_draft(version_id: int):
    if request.method == "POST":
        services.ensure_editable(actor(), version_id)
    version = services.load_version(version_id)
    if not version.is_draft:
        return redirect(url_for("charter.version", number=version.number))
    form = VersionForm()
    if request.method == "POST":
        if form.validate_on_submit():
            with refusal_into(catch=ValidationFailed) as refused:
                services.update_draft(
                    actor(),
                    version_id,
                    title=form.title.data,
                    preamble_md=form.preamble_md.data or "",
                    change_summary=form.change_summary.data or "",
                )
            if not refused:
                flash(_("Saved."), "success")
                return redirect(url_for("charter.admin_draft", version_id=version_id))
            place_errors(form, refused.error)
        version = services.load_version(version_id)
        return draft_page(version, meta_form=form, status=error_status(form))
    return draft_page(version)


@bp.route("/secretariat/charter/<int:version_id>/preview")
@previews_content  # ?lang= names the draft's language, not the interface's
@secretariat_required
def admin_preview(version_id: int):
    version = services.load_version(version_id)
    if not version.is_draft:
        return redirect(url_for("charter.version", number=version.number))
    timeline = services.timeline()
    text, complete = translations.reader_view(version, reader_language())
    return render_template(
        "charter/version.html",
        version=version,
        text=text,
        complete_languages=complete,
        language_names=languages.NAMES,
        timeline=timeline,
        status="draft",
        previous=timeline.latest,
        following=None,
        current=timeline.current,
        upcoming=[],
        superseded_on=None,
        is_current_page=False,
        preview=True,
        problems=services.publication_problems(version),
    )


@bp.route("/secretariat/charter/<int:version_id>/preview.pdf")
@previews_content  # ?lang= names the draft's language, not the interface's
@secretariat_required
def admin_preview_pdf(version_id: int):
    version = services.load_version(version_id)
    if not version.is_draft:
        return redirect(url_for("charter.version_pdf", number=version.number))
    text, _complete = translations.reader_view(version, reader_language())
    data = present.version_pdf(version, preview=True, text=text)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="charter-v{version.number}-draft.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _principle_page(version, form, text=None, status=200):
    return render_template(
        "charter/admin/principle.html", version=version, form=form, text=text
    ), status


@bp.route("/secretariat/charter/<int:version_id>/principles/new", methods=["GET", "POST"])
@secretariat_required
def admin_principle_new(version_id: int):
    if request.method == "POST":
        services.ensure_editable(actor(), version_id)
    version = services.load_version(version_id)
    if not version.is_draft:
        return redirect(url_for("charter.version", number=version.number))
    form = PrincipleForm()
    if request.method == "GET":
        form.number.data = max((t.number for t in version.texts), default=0) + 1
    if form.validate_on_submit():
        with refusal_into(catch=ValidationFailed) as refused:
            text = services.add_principle(
                actor(),
                version_id,
                number=form.number.data,
                title=form.title.data,
                body_md=form.body_md.data or "",
                theme=form.theme.data or "",
            )
        if not refused:
            flash(_("Principle %(n)d added.", n=text.number), "success")
            if "another" in request.form:  # "Save and add another"
                return redirect(url_for("charter.admin_principle_new", version_id=version_id))
            return redirect(
                url_for("charter.admin_draft", version_id=version_id, _anchor=f"row-{text.id}")
            )
        place_errors(form, refused.error)
    return _principle_page(version, form, status=error_status(form))


@bp.route("/secretariat/charter/<int:version_id>/principles/<int:text_id>", methods=["GET", "POST"])
@secretariat_required
def admin_principle_edit(version_id: int, text_id: int):
    if request.method == "POST":
        services.ensure_editable(actor(), version_id)
    version = services.load_version(version_id)
    text = next((t for t in version.texts if t.id == text_id), None)
    if not version.is_draft:
        return redirect(url_for("charter.version", number=version.number))
    if text is None:
        abort(404)
    form = PrincipleForm(obj=text) if request.method == "GET" else PrincipleForm()
    if form.validate_on_submit():
        with refusal_into(catch=ValidationFailed) as refused:
            services.update_principle(
                actor(),
                version_id,
                text_id,
                number=form.number.data,
                title=form.title.data,
                body_md=form.body_md.data or "",
                theme=form.theme.data or "",
            )
        if not refused:
            flash(_("Principle %(n)d saved.", n=form.number.data), "success")
            return redirect(
                url_for("charter.admin_draft", version_id=version_id, _anchor=f"row-{text_id}")
            )
        place_errors(form, refused.error)
    return _principle_page(version, form, text=text, status=error_status(form))


@bp.post("/secretariat/charter/<int:version_id>/principles/<int:text_id>/move")
@secretariat_required
def admin_principle_move(version_id: int, text_id: int):
    services.ensure_editable(actor(), version_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    services.move_principle(actor(), version_id, text_id, form.direction.data)
    return redirect(url_for("charter.admin_draft", version_id=version_id, _anchor=f"row-{text_id}"))


@bp.post("/secretariat/charter/<int:version_id>/principles/<int:text_id>/remove")
@secretariat_required
def admin_principle_remove(version_id: int, text_id: int):
    services.ensure_editable(actor(), version_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    title = services.remove_principle(actor(), version_id, text_id)
    flash(_("“%(title)s” removed from this draft.", title=title), "success")
    return redirect(url_for("charter.admin_draft", version_id=version_id, _anchor="principles"))


@bp.post("/secretariat/charter/<int:version_id>/principles/remove")
@secretariat_required
def admin_principles_remove(version_id: int):
    """The principles ticked in the draft's list, removed at once."""
    services.ensure_editable(actor(), version_id)
    form = BulkRemoveForm()
    if not form.validate_on_submit():
        abort(400)
    with refusal_into(catch=ValidationFailed) as refused:
        titles = services.remove_principles(actor(), version_id, form.text_ids.data or [])
    if refused:
        flash(refused.message, "error")
        return draft_page(services.load_version(version_id), status=refused.status)
    flash(
        ngettext(
            "%(num)d principle removed from this draft: %(titles)s.",
            "%(num)d principles removed from this draft: %(titles)s.",
            len(titles),
            titles="; ".join(f"“{t}”" for t in titles),
        ),
        "success",
    )
    return redirect(url_for("charter.admin_draft", version_id=version_id, _anchor="principles"))


@bp.post("/secretariat/charter/<int:version_id>/delete")
@secretariat_required
def admin_delete(version_id: int):
    services.ensure_editable(actor(), version_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    number = services.delete_draft(actor(), version_id)
    flash(_("The draft of version %(n)d was deleted.", n=number), "success")
    return redirect(url_for("charter.admin_index"))
