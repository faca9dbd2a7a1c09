"""The secretariat's translation page of a cycle's questionnaire: each text beside its
source, in one language; read-only once the cycle has opened."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.charter.translations import exchange
from app.charter.translations.forms import TranslatedFileForm, translation_form
from app.core import languages
from app.core.forms import error_status
from app.core.uow import refusal_into
from app.errors import ValidationFailed
from app.reporting import cycles
from app.reporting.blueprint import _actor, bp
from app.reporting.models import CycleStatus
from app.reporting.translations import services
from app.reporting.translations.entries import labeller
from app.security import secretariat_required


def _saved_message(saved) -> str:
    if not saved.changed:
        return _("Nothing changed.")
    count = len(saved.translated) + len(saved.confirmed) + len(saved.cleared)
    return ngettext("%(num)d translation saved.", "%(num)d translations saved.", count)


@bp.route("/secretariat/cycles/<int:year>/translations/<lang>", methods=["GET", "POST"])
@secretariat_required
def admin_questionnaire_translation(year: int, lang: str):
    cycle = cycles.get_cycle(year)
    services.ensure_language(lang)
    if request.method == "POST":
        cycles.ensure_editable(cycle)
    sections = cycles.load_questionnaire(cycle)
    status = services.status_for(cycle, lang, sections)
    label = labeller({f"q{qid}": n for qid, n in cycles.numbering(sections).items()})
    form = translation_form(
        status, request.form if request.method == "POST" else None, label_of=label
    )
    if form.validate_on_submit():
        with refusal_into(form, catch=ValidationFailed) as refused:
            saved = services.save(
                _actor(), cycle, lang, form.texts(), seen=form.seen(), confirmed=form.confirmed()
            )
        if not refused:
            flash(_saved_message(saved), "success")
            return redirect(
                url_for("reporting.admin_questionnaire_translation", year=year, lang=lang)
            )
    return render_template(
        "reporting/admin_translation.html",
        cycle=cycle,
        lang=lang,
        status=status,
        form=form,
        label=label,
        frozen=cycle.status != CycleStatus.DRAFT,
        language_name=languages.language_name(lang),
        source_language=languages.source_language(),
        source_name=languages.language_name(languages.source_language()),
    ), error_status(form)


# Files for translators (PO or XLIFF) --------------------------------------------------------


def _label_for(cycle):
    sections = cycles.load_questionnaire(cycle)
    return labeller({f"q{qid}": n for qid, n in cycles.numbering(sections).items()})


def _download(year: int, lang: str, fmt: str) -> Response:
    cycle = cycles.get_cycle(year)
    services.ensure_language(lang)
    kind = exchange.FORMATS[fmt]
    body = services.export_file(cycle, lang, _label_for(cycle), fmt)
    response = Response(body, mimetype=kind.mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="questionnaire-{cycle.year}-{lang}.{kind.extension}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/secretariat/cycles/<int:year>/translations/<lang>.po")
@secretariat_required
def admin_questionnaire_translation_po(year: int, lang: str):
    return _download(year, lang, "po")


@bp.route("/secretariat/cycles/<int:year>/translations/<lang>.xlf")
@secretariat_required
def admin_questionnaire_translation_xliff(year: int, lang: str):
    return _download(year, lang, "xliff")


def _import_page(cycle, lang, form, preview=None, status=200):
    return render_template(
        "reporting/admin_translation_import.html",
        cycle=cycle,
        lang=lang,
        form=form,
        preview=preview,
        label=_label_for(cycle),
        language_name=languages.language_name(lang),
    ), status


@bp.route("/secretariat/cycles/<int:year>/translations/<lang>/import", methods=["GET", "POST"])
@secretariat_required
def admin_questionnaire_translation_import(year: int, lang: str):
    """Upload a translated PO or XLIFF file, see what it changes with an error per entry, then
    import it (nothing is saved before that last button, nor when any entry is wrong)."""
    cycle = cycles.get_cycle(year)
    services.ensure_language(lang)
    cycles.ensure_editable(cycle)
    form = TranslatedFileForm()
    if not form.validate_on_submit():
        return _import_page(cycle, lang, form, status=error_status(form))
    data = form.content()
    if not data.strip():
        form.file.errors = [_("Choose the translated PO or XLIFF file to import.")]
        return _import_page(cycle, lang, form, status=422)
    with refusal_into(form, catch=ValidationFailed) as refused:
        preview = services.preview_file(cycle, lang, data)
    if refused:
        return _import_page(cycles.get_cycle(year), lang, form, status=refused.status)
    form.po.data, form.action.data = data.decode(), "import"
    if form.action.raw_data != ["import"] or preview.problems or not preview.changes:
        return _import_page(cycle, lang, form, preview, 422 if preview.problems else 200)
    saved = services.save(
        _actor(), cycle, lang, preview.texts(), seen={e.key: e.source.hash for e in preview.changes}
    )
    flash(_saved_message(saved), "success")
    return redirect(url_for("reporting.admin_questionnaire_translation", year=year, lang=lang))
