"""The secretariat's translation screens: how far each language is, and a page per draft
version and language where the translations are entered beside the source text. A
published version's translations are read on its public page (`?lang=`)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.charter import services
from app.charter.blueprint import actor, bp, place_errors
from app.charter.translations import exchange, languages
from app.charter.translations import services as translations
from app.charter.translations.forms import TranslatedFileForm, label, translation_form
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


# Files for translators (PO or XLIFF) ----------------------------------------------------------


def _download(version_id: int, lang: str, fmt: str) -> Response:
    version = services.load_version(version_id)
    status = translations.status_for(version, lang)
    kind = exchange.FORMATS[fmt]
    response = Response(exchange.export(version, status, label, fmt), mimetype=kind.mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="charter-v{version.number}-{lang}.{kind.extension}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/secretariat/charter/<int:version_id>/translations/<lang>.po")
@secretariat_required
def admin_translation_po(version_id: int, lang: str):
    return _download(version_id, lang, "po")


@bp.route("/secretariat/charter/<int:version_id>/translations/<lang>.xlf")
@secretariat_required
def admin_translation_xliff(version_id: int, lang: str):
    return _download(version_id, lang, "xliff")


def _import_page(version, lang, form, preview=None, status=200):
    return render_template(
        "charter/admin/translation_import.html",
        version=version,
        lang=lang,
        form=form,
        preview=preview,
        label=label,
        language_names=languages.NAMES,
    ), status


@bp.route(
    "/secretariat/charter/<int:version_id>/translations/<lang>/import", methods=["GET", "POST"]
)
@secretariat_required
def admin_translation_import(version_id: int, lang: str):
    """Upload a translated PO or XLIFF file, see what it changes with an error per entry, then
    import it (nothing is saved before that last button, nor when any entry is wrong)."""
    if request.method == "POST":
        services.ensure_editable(actor(), version_id)
    version = services.load_version(version_id)
    translations.ensure_language(lang)
    if not version.is_draft:
        return redirect(url_for("charter.version", number=version.number, lang=lang))
    form = TranslatedFileForm()
    if not form.validate_on_submit():
        return _import_page(version, lang, form, status=error_status(form))
    data = form.content()
    if not data.strip():
        form.file.errors = [_("Choose the translated PO or XLIFF file to import.")]
        return _import_page(version, lang, form, status=422)
    with refusal_into(form, catch=ValidationFailed) as refused:
        preview = exchange.preview(version, translations.status_for(version, lang), data)
    if refused:
        return _import_page(version, lang, form, status=refused.status)
    form.po.data, form.action.data = data.decode(), "import"
    if form.action.raw_data != ["import"] or preview.problems or not preview.changes:
        return _import_page(version, lang, form, preview, 422 if preview.problems else 200)
    saved = translations.save(
        actor(),
        version_id,
        lang,
        preview.texts(),
        seen={e.key: e.source.hash for e in preview.changes},
    )
    flash(_saved_message(saved), "success")
    return redirect(url_for("charter.admin_translation", version_id=version_id, lang=lang))
