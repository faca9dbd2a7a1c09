"""Importing several principles into a draft at once: paste a Markdown list, a CSV or the
charter's JSON, see a preview with an error per line and the stable references each may
keep, then import them all (nothing is saved before that last button)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from app.charter import importing, services
from app.charter.blueprint import actor, bp
from app.charter.forms import ImportForm
from app.core.uow import refusal_into
from app.errors import ValidationFailed
from app.security import secretariat_required


def _page(version, form, parsed=None, status=200):
    return render_template(
        "charter/admin/import.html", version=version, form=form, parsed=parsed
    ), status


@bp.route("/secretariat/charter/<int:version_id>/import", methods=["GET", "POST"])
@secretariat_required
def admin_import(version_id: int):
    if request.method == "POST":
        services.ensure_editable(actor(), version_id)
    version = services.load_version(version_id)
    if not version.is_draft:
        return redirect(url_for("charter.version", number=version.number))
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(version, form, status=422 if request.method == "POST" else 200)
    if form.action.data != "import":  # the preview: nothing is saved
        version, parsed = importing.plan_import(actor(), version_id, form.source.data)
        if not form.keep.raw_data:  # first preview: keep every reference offered
            form.keep.data = [i for i, item in enumerate(parsed.items) if item.keep_key]
        return _page(version, form, parsed, status=422 if parsed.all_errors else 200)
    with refusal_into(catch=ValidationFailed) as refused:
        added = importing.import_principles(
            actor(), version_id, form.source.data, set(form.keep.data or [])
        )
    if refused:
        version, parsed = importing.plan_import(actor(), version_id, form.source.data)
        return _page(version, form, parsed, status=refused.status)
    flash(
        ngettext("%(num)d principle imported.", "%(num)d principles imported.", len(added)),
        "success",
    )
    return redirect(url_for("charter.admin_draft", version_id=version_id, _anchor="principles"))
