"""The secretariat's translation screens: how far each language is, and a page per draft
version and language where the translations are entered beside the source text. A
published version's translations are read on its public page (`?lang=`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.charter import services
from app.charter.blueprint import actor, bp, place_errors
from app.charter.translations import languages
from app.charter.translations import services as translations
from app.charter.translations.forms import label, translation_form
from app.core.forms import error_status
from app.core.uow import refusal_into
from app.errors import ValidationFailed
from app.security import secretariat_required


@bp.route("/secretariat/charter/<int:version_id>/translations")
@secretariat_required
def admin_translations(version_id: int):
    version = services.load_version(version_id)
    return render_template(
        "charter/admin/translations.html",
        version=version,
        statuses=translations.statuses(version),
        language_names=languages.NAMES,
        source_language=languages.source_language(),
    )


def _saved_message(saved: translations.Saved) -> str:
    if not saved.changed:
        return _("Nothing changed.")
    return ngettext(
        "%(num)d translation saved.",
        "%(num)d translations saved.",
        len(saved.translated) + len(saved.confirmed) + len(saved.cleared),
    )


@bp.route("/secretariat/charter/<int:version_id>/translations/<lang>", methods=["GET", "POST"])
@secretariat_required
def admin_translation(version_id: int, lang: str):
    if request.method == "POST":
        services.ensure_editable(actor(), version_id)
    version = services.load_version(version_id)
    translations.ensure_language(lang)
    if not version.is_draft:
        return redirect(url_for("charter.version", number=version.number, lang=lang))
    status = translations.status_for(version, lang)
    form = translation_form(status, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        with refusal_into(catch=ValidationFailed) as refused:
            saved = translations.save(
                actor(),
                version_id,
                lang,
                form.texts(),
                seen=form.seen(),
                confirmed=form.confirmed(),
            )
        if not refused:
            flash(_saved_message(saved), "success")
            return redirect(url_for("charter.admin_translation", version_id=version_id, lang=lang))
        place_errors(form, refused.error)
        version = services.load_version(version_id)  # the refusal rolled the session back
    return render_template(
        "charter/admin/translation.html",
        version=version,
        lang=lang,
        status=status,
        form=form,
        label=label,
        language_names=languages.NAMES,
        source_language=languages.source_language(),
    ), error_status(form)
