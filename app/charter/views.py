"""The public charter pages: the version in force, every published version, as HTML, PDF
and JSON, and the comparison of two versions. Revalidated through `app.core.conditional`
and kept by the page cache. The secretariat's screens are in `admin_views` (same `bp`)."""

from __future__ import annotations

from flask import Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.charter import (  # noqa: F401  (importing registers the routes, panel and figure)
    admin_views,
    caching,
    home,
    import_views,
    panels,
    present,
    publish_views,
    services,
)
from app.charter.blueprint import bp, reader_language, viewer
from app.charter.forms import CompareForm
from app.charter.models import CharterVersion
from app.charter.translations import languages
from app.charter.translations import reading as translation_reading
from app.charter.translations import services as translations
from app.charter.translations import views as translation_views  # noqa: F401  (routes)
from app.core import formats
from app.core.conditional import conditional
from app.core.http_cache import public_page

__all__ = ["bp"]


# Public ---------------------------------------------------------------------------------------


def _render_version(version: CharterVersion, timeline: services.Timeline, *, canonical: bool):
    status = timeline.status(version)
    text, complete = translations.reader_view(version, reader_language())
    return render_template(
        "charter/version.html",
        version=version,
        text=text,
        complete_languages=complete,
        language_names=languages.NAMES,
        timeline=timeline,
        status=status,
        previous=timeline.previous(version),
        following=timeline.next(version),
        current=timeline.current,
        upcoming=timeline.upcoming,
        superseded_on=timeline.superseded_on(version),
        is_current_page=canonical,
        preview=False,
    )


@bp.route("/charter")
@public_page("charter")
def current():
    timeline = services.timeline()
    v = caching.validators(
        f"page-current:{reader_language()}", timeline.versions, timeline.today, viewer=viewer()
    )

    def build():
        if timeline.current is None:
            return render_template("charter/none.html", upcoming=timeline.upcoming)
        version = services.get_published(timeline.current.number)
        return _render_version(version, timeline, canonical=True)

    return conditional(v, build, cache_control=caching.revalidate(v), page=True)


@bp.route("/charter/versions")
@public_page("charter")
def versions():
    timeline = services.timeline()
    lang = reader_language()
    v = caching.validators(
        f"page-versions:{lang}", timeline.versions, timeline.today, viewer=viewer()
    )
    return conditional(
        v,
        lambda: render_template(
            "charter/versions.html",
            timeline=timeline,
            headings=translations.headings_in(timeline.versions, lang),
        ),
        cache_control=caching.revalidate(v),
        page=True,
    )


@bp.route("/charter/v/<int:number>")
@public_page("charter")
def version(number: int):
    timeline = services.timeline()
    if timeline.by_number(number) is None:
        abort(404)
    v = caching.validators(
        f"page-v{number}:{reader_language()}", timeline.versions, timeline.today, viewer=viewer()
    )
    return conditional(
        v,
        lambda: _render_version(services.get_published(number), timeline, canonical=False),
        cache_control=caching.revalidate(v),
        page=True,
    )


def _pdf_response(number: int | None):
    timeline = services.timeline()
    target = timeline.current if number is None else timeline.by_number(number)
    if target is None:
        abort(404)
    kind = "pdf-current" if number is None else f"pdf-v{number}"
    lang = reader_language()
    v = caching.validators(f"{kind}:{target.id}:{lang}", timeline.versions, timeline.today)
    suffix = "" if lang == languages.source_language() else f"-{lang}"
    filename = f"charter-v{target.number}{suffix}.pdf"

    def build():
        loaded = services.get_published(target.number)
        text, _complete = translations.reader_view(loaded, lang)
        data = present.version_pdf(loaded, text=text)
        response = Response(data, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
        return response

    return conditional(
        v, build, cache_control=caching.revalidate(v), vary="Accept-Language, Cookie", page=True
    )


@bp.route("/charter.pdf")
@public_page("charter")
def current_pdf():
    return _pdf_response(None)


@bp.route("/charter/v/<int:number>.pdf")
@public_page("charter")
def version_pdf(number: int):
    return _pdf_response(number)


def _json_response(number: int | None):
    timeline = services.timeline()
    target = timeline.current if number is None else timeline.by_number(number)
    if target is None:
        abort(404)
    requested = request.args.get("lang")
    if requested is not None and requested not in languages.languages():
        response = jsonify(
            error=_(
                "Unknown language. Use one of: %(codes)s.", codes=", ".join(languages.languages())
            )
        )
        response.status_code = 400
        return response
    lang = requested or languages.source_language()
    kind = "json-current" if number is None else f"json-v{number}"
    v = caching.validators(
        f"{kind}:{target.id}:{lang}", timeline.versions, timeline.today, localised=False
    )

    def build():
        loaded = services.get_published(target.number)
        text, complete = translations.reader_view(loaded, lang)
        response = jsonify(present.version_payload(loaded, timeline, text, complete))
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return conditional(v, build, cache_control=caching.revalidate(v), page=True)


@bp.route("/charter.json")
@public_page("charter")
def current_json():
    return _json_response(None)


@bp.route("/charter/v/<int:number>.json")
@public_page("charter")
def version_json(number: int):
    return _json_response(number)


def _compare_form(timeline: services.Timeline, data=None) -> CompareForm:
    form = CompareForm(formdata=data)
    choices = [
        (
            v.number,
            _("Version %(n)d (%(date)s)", n=v.number, date=formats.shown_date(v.effective_date)),
        )
        for v in timeline.versions
    ]
    form.from_.choices = choices
    form.to.choices = choices
    return form


@bp.route("/charter/compare")
@public_page("charter")
def compare_pick():
    """The comparison picker: a GET form (works without JavaScript) that leads to
    /charter/compare/<a>/<b>."""
    timeline = services.timeline()
    submitted = "from" in request.args or "to" in request.args
    form = _compare_form(timeline, request.args if submitted else None)
    if submitted and form.validate():
        a, b = form.from_.data, form.to.data
        if a is None:
            form.from_.errors.append(_("Choose the version to compare from."))
        if b is None:
            form.to.errors.append(_("Choose the version to compare with."))
        if a is not None and b is not None and a == b:
            form.to.errors.append(_("Choose two different versions."))
        if not form.errors:
            return redirect(url_for("charter.compare", a=min(a, b), b=max(a, b)))
    elif not submitted and len(timeline.versions) >= 2:
        form.to.data = (timeline.current or timeline.versions[0]).number
        previous = timeline.previous(timeline.by_number(form.to.data))
        form.from_.data = previous.number if previous else timeline.versions[-1].number
    status = 422 if submitted and form.errors else 200
    return render_template(
        "charter/compare.html", form=form, timeline=timeline, comparison=None
    ), status


@bp.route("/charter/compare/<int:a>/<int:b>")
@public_page("charter")
def compare(a: int, b: int):
    timeline = services.timeline()
    if timeline.by_number(a) is None or timeline.by_number(b) is None:
        abort(404)
    if a > b:
        return redirect(url_for("charter.compare", a=b, b=a))
    if a == b:
        return redirect(url_for("charter.compare_pick", **{"from": a, "to": b}))
    lang = reader_language()
    v = caching.validators(
        f"compare-{a}-{b}:{lang}", timeline.versions, timeline.today, viewer=viewer()
    )

    def build():
        old, new = services.versions_for_comparison(a, b)
        old_text, new_text = translations.comparison_in(old, new, lang)
        comparison = translation_reading.compare_localised(old_text, new_text)
        form = _compare_form(timeline)
        form.from_.data, form.to.data = a, b
        return render_template(
            "charter/compare.html",
            form=form,
            timeline=timeline,
            comparison=comparison,
            old=old,
            new=new,
            text_lang=new_text.title.lang,
            asked_lang=lang,
            language_names=languages.NAMES,
            summary=present.comparison_summary(comparison, old, new),
        )

    return conditional(v, build, cache_control=caching.revalidate(v), page=True)
