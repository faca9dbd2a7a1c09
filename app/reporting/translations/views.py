"""The secretariat's translation page of a cycle's questionnaire: each text beside its
source, in one language; read-only once the cycle has opened."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.charter.translations.forms import translation_form
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
