"""Transparency reports: the public archive and PDFs, members' report PDFs, and the
secretariat's screens to edit, preview, build and publish the annual report."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.charter.translations.forms import translation_form
from app.core import formats, glyphs, languages
from app.core.conditional import Validators, cache_control, conditional
from app.core.forms import error_status
from app.core.http_cache import public_page
from app.core.uow import refusal_into
from app.errors import DomainError, ValidationFailed
from app.security import secretariat_required
from app.transparency import jobs, pdfengine, services, translations
from app.transparency import panels as _panels  # noqa: F401  (registers the dashboard panel)
from app.transparency.forms import BuildForm, PublishForm, TextsForm
from app.transparency.present import member_report
from app.transparency.present.document import AnnualDocument

bp = Blueprint("transparency", __name__)

VARIANTS = {
    None: pdfengine.VARIANT_UA,
    "": pdfengine.VARIANT_UA,
    "pdf-ua": pdfengine.VARIANT_UA,
    "pdf-a": pdfengine.VARIANT_A,
}


@bp.app_template_filter("num")
def num_filter(value) -> str:
    if value is None:
        return "–"
    return format_decimal(value)


@bp.app_template_filter("number")
def number_filter(value) -> str:
    """A measured number: integers without decimals, others with at most three."""
    return "–" if value is None else formats.number(value)


@bp.app_template_filter("filesize")
def filesize_filter(size: int | None) -> str:
    if not size:
        return "–"
    if size < 1024 * 1024:
        return _("%(n)s KB", n=format_decimal(round(size / 1024)))
    return _("%(n)s MB", n=format_decimal(round(size / 1024 / 1024, 1)))


@bp.app_template_global("report_lang")
def report_lang(code: str) -> dict:
    """`?lang=` of a report's URL: none for the source language (its URLs stay as they were
    before reports had languages)."""
    return {} if code == languages.source_language() else {"lang": code}


def _variant() -> str:
    value = request.args.get("variant")
    if value not in VARIANTS:
        raise DomainError(
            _(
                "Unknown PDF variant. Use variant=pdf-a for the PDF/A-3b archival "
                "file, or leave it out for the tagged, accessible PDF."
            )
        )
    return VARIANTS[value]


def _send_stored(
    sha256: str,
    last_modified,
    filename: str,
    *,
    immutable: bool = False,
    content_type: str = "application/pdf",
) -> Response:
    """Stored bytes with ETag (the SHA-256) and Last-Modified; 304 when unchanged."""

    def build() -> Response:
        response = Response(services.stored_bytes(sha256), mimetype=content_type)
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
        return response

    policy = cache_control(max_age=365 * 24 * 3600, immutable=True) if immutable else None
    return conditional(
        Validators.of(sha256, last_modified),
        build,
        cache_control=policy or cache_control(no_cache=True),
    )


# Public -------------------------------------------------------------------------------


@bp.route("/reports")
@public_page("reports")
def archive():
    return render_template(
        "transparency/archive.html", rows=services.archive(), language_names=languages.languages()
    )


def _asked_language(default: str) -> str:
    """`?lang=` when given (a language the alliance does not have: 404), else `default`."""
    asked = request.args.get("lang")
    if asked is None:
        return default
    return services.ensure_language(asked)


def _edition_page(year: int, number: int | None):
    """The edition in the reader's language (`?lang=`, else the interface's), or the
    source language's with a notice when that language has no edition yet."""
    found = services.edition_for_reader(year, _asked_language(languages.current_language()), number)
    edition = found.edition
    html = services.stored_bytes(edition.html_sha256).decode() if edition.html_sha256 else ""
    return render_template(
        "transparency/report_page.html",
        year=year,
        edition=edition,
        found=found,
        editions=found.in_its_language,
        body=Markup(html),  # noqa: S704  (rendered by our templates; Markdown sanitised by |md)
        is_latest=found.is_latest,
        preview=False,
        language_names=languages.languages(),
        stable_url=current_app.config["SERVER_URL"].rstrip("/")
        + url_for(
            "transparency.edition_html",
            year=year,
            number=edition.number,
            **report_lang(edition.language),
        ),
    )


@bp.route("/reports/<int:year>")
@public_page("reports")
def report_html(year: int):
    return _edition_page(year, None)


@bp.route("/reports/<int:year>/editions/<int:number>")
@public_page("reports")
def edition_html(year: int, number: int):
    return _edition_page(year, number)


@bp.route("/reports/<int:year>.pdf")
def report_pdf(year: int):
    """The latest edition's PDF in `?lang=` (default: the source language); the source
    language's when that language has no edition yet (`Content-Language` says which)."""
    variant = _variant()
    found = services.edition_for_reader(year, _asked_language(languages.source_language()))
    return _send_edition(found.edition, year, variant, immutable=False)


@bp.route("/reports/<int:year>/editions/<int:number>.pdf")
def edition_pdf(year: int, number: int):
    variant = _variant()
    found = services.edition_for_reader(year, _asked_language(languages.source_language()), number)
    # A fallback may change once the language is published: only the edition asked for
    # is immutable.
    return _send_edition(found.edition, year, variant, immutable=not found.fallback)


def _send_edition(edition, year: int, variant: str, immutable: bool) -> Response:
    sha = edition.pdfa_sha256 if variant == pdfengine.VARIANT_A else edition.sha256
    if sha is None:
        abort(404)
    suffix = "-pdfa" if variant == pdfengine.VARIANT_A else ""
    lang = "" if edition.language == languages.source_language() else f"-{edition.language}"
    response = _send_stored(
        sha,
        edition.published_at,
        f"transparency-report-{year}{lang}-edition-{edition.number}{suffix}.pdf",
        immutable=immutable,
    )
    response.headers["Content-Language"] = edition.language
    return response


def _report_language() -> str:
    """A member report PDF's language: `?lang=` when it is one of the alliance's, else the
    source language (a language it does not have is ignored, as the locale selector
    ignores it), so each URL names one file whoever asks."""
    value = request.args.get("lang")
    return value if languages.is_language(value) else languages.source_language()


@bp.route("/members/<slug>/reports/<int:year>.pdf")
def member_report_pdf(slug: str, year: int):
    variant = _variant()
    pdf = member_report.member_report_pdf(slug, year, variant, _report_language())
    return _send_stored(pdf.sha256, pdf.generated_at, pdf.filename)


# Secretariat ----------------------------------------------------------------------------


@bp.route("/secretariat/annual-reports")
@secretariat_required
def admin_index():
    rows = services.overview(current_user._get_current_object())
    return render_template("transparency/admin_index.html", rows=rows)


def _admin_page(
    year: int,
    texts: TextsForm,
    publish: PublishForm,
    status: int = 200,
    undrawable=(),
    build_form: BuildForm | None = None,
):
    actor = current_user._get_current_object()
    report = services.annual_report(actor, year)
    editions = services.editions_of(year)
    latest: dict[str, int] = {}
    for e in editions:
        latest.setdefault(e.language, e.number)
    # Each language's choice says which edition publishing it makes.
    publish.language.choices = [
        (
            code,
            _("%(language)s: edition %(n)s", language=name, n=latest.get(code, 0) + 1)
            if code in languages.languages()
            else name,
        )
        for code, name in publish.language.choices
    ]
    page = render_template(
        "transparency/admin_report.html",
        year=year,
        report=report,
        cycle=report.cycle,
        texts=texts,
        publish=publish,
        build_form=build_form or BuildForm(formdata=None),
        jobs=services.jobs_for(actor, year),
        editions=editions,
        latest_numbers=latest,
        language_names=languages.languages(),
        source_language=languages.source_language(),
        translation_statuses=translations.statuses(report),
        undrawable=undrawable,
    )
    return page, status


@bp.route("/secretariat/annual-reports/<int:year>", methods=["GET", "POST"])
@secretariat_required
def admin_report(year: int):
    actor = current_user._get_current_object()
    report = services.annual_report(actor, year)  # the report row exists from the first visit on
    texts = TextsForm(obj=report if request.method == "GET" else None)
    if texts.validate_on_submit():
        with refusal_into(texts) as refused:
            services.update_texts(
                actor, year, texts.executive_summary_md.data, texts.methodology_md.data
            )
        if not refused:
            flash(_("The texts are saved. Preview the report to see them in place."), "success")
            return redirect(url_for("transparency.admin_report", year=year))
    return _admin_page(year, texts, PublishForm(formdata=None), error_status(texts))


@bp.route("/secretariat/annual-reports/<int:year>/preview")
@secretariat_required
def admin_preview(year: int):
    actor = current_user._get_current_object()
    report = services.annual_report(actor, year)
    language = _asked_language(languages.source_language())
    document = AnnualDocument(report.cycle, report, draft=True, language=language)
    return render_template(
        "transparency/report_page.html",
        year=year,
        edition=None,
        found=None,
        editions=[],
        body=Markup(document.screen_html()),  # noqa: S704  (our templates; Markdown via |md)
        is_latest=False,
        preview=True,
        preview_language=language,
        language_names=languages.languages(),
    )


def _start(year: int, kind: str, note: str = "", language: str | None = None):
    actor = current_user._get_current_object()
    job, created = services.request_build(actor, year, kind, note, language)
    if created:
        jobs.dispatch_after_commit(job.id)  # the worker must find the job row
    else:
        flash(_("A build of this report is already under way: here it is."), "info")
    return redirect(url_for("transparency.admin_job", job_id=job.id))


def _texts_form(year: int) -> TextsForm:
    return TextsForm(
        formdata=None, obj=services.annual_report(current_user._get_current_object(), year)
    )


@bp.route("/secretariat/annual-reports/<int:year>/build", methods=["POST"])
@secretariat_required
def admin_build(year: int):
    form = BuildForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _admin_page(year, _texts_form(year), PublishForm(formdata=None), 422, (), form)
    with refusal_into(form) as refused:
        return _start(year, "draft", language=form.language.data)
    flash(refused.message, "error")
    return _admin_page(
        year, _texts_form(year), PublishForm(formdata=None), refused.status, (), form
    )


@bp.route("/secretariat/annual-reports/<int:year>/publish", methods=["POST"])
@secretariat_required
def admin_publish(year: int):
    form = PublishForm()
    status, found = 422, []
    if form.validate_on_submit():
        language = form.language.data
        found = [] if form.accept_undrawable.data else _undrawable(year, language)
        if found:  # the edition would print them as empty boxes, for good: say so first
            status = 409
        else:
            with refusal_into(form) as refused:
                return _start(year, "publish", form.note.data or "", language)
            status = refused.status
    return _admin_page(year, _texts_form(year), form, status, found)


def _undrawable(year: int, language: str) -> list[glyphs.Undrawable]:
    """The characters of the report no shipped font can draw, in each language to publish,
    read from the values the print edition sets (measured: 0.4 s for 1,000 members per
    language; only when publishing)."""
    report = services.annual_report(current_user._get_current_object(), year)
    if report.cycle.status != "closed":
        return []  # request_build refuses it with its own message
    codes = list(languages.languages()) if language == services.ALL else [language]

    def texts():
        for code in codes:
            yield from AnnualDocument(
                report.cycle, report, draft=True, language=code
            ).printed_texts()

    return glyphs.undrawable(texts())


# Translations of the secretariat's texts ----------------------------------------------------


@bp.route("/secretariat/annual-reports/<int:year>/translations/<lang>", methods=["GET", "POST"])
@secretariat_required
def admin_translation(year: int, lang: str):
    """The executive summary and the methodology in one language, beside the source."""
    actor = current_user._get_current_object()
    report = services.annual_report(actor, year)
    status = translations.status_for(report, lang)
    form = translation_form(
        status, request.form if request.method == "POST" else None, label_of=translations.label
    )
    if form.validate_on_submit():
        with refusal_into(form, catch=ValidationFailed) as refused:
            saved = translations.save(
                actor, report, lang, form.texts(), seen=form.seen(), confirmed=form.confirmed()
            )
        if not refused:
            flash(
                _("The translations are saved.") if saved.changed else _("Nothing changed."),
                "success",
            )
            return redirect(url_for("transparency.admin_translation", year=year, lang=lang))
        report = services.annual_report(actor, year)  # the refusal rolled the session back
    return render_template(
        "transparency/admin_translation.html",
        year=year,
        report=report,
        lang=lang,
        status=status,
        form=form,
        label=translations.label,
        language_names=languages.languages(),
        source_language=languages.source_language(),
    ), error_status(form)


@bp.route("/secretariat/annual-reports/builds/<int:job_id>")
@secretariat_required
def admin_job(job_id: int):
    job = services.build_job(current_user._get_current_object(), job_id)
    return render_template("transparency/build.html", job=job, year=job.cycle.year)


@bp.route("/secretariat/annual-reports/builds/<int:job_id>.json")
@secretariat_required
def admin_job_status(job_id: int):
    job = services.build_job(current_user._get_current_object(), job_id)
    return jsonify(
        id=job.id,
        state=job.state,
        progress=job.progress,
        # the percentage as this language writes it ("80%", "80 %"), for the page's script
        progress_text=formats.percent(job.progress / 100),
        message=job.message,
        active=job.is_active,
    )


@bp.route("/secretariat/annual-reports/builds/<int:job_id>.pdf")
@secretariat_required
def admin_job_pdf(job_id: int):
    job = services.build_job(current_user._get_current_object(), job_id)
    if job.result_sha256 is None:
        abort(404)
    name = f"transparency-report-{job.cycle.year}-{'draft' if job.kind == 'draft' else 'build'}-{job.id}.pdf"
    return _send_stored(job.result_sha256, job.finished_at or job.requested_at, name)
