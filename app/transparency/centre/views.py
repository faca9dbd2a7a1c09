"""The transparency centre's public pages: principles, questions over the years, members'
reports as pages, members compared. Cached whole for anonymous visitors; a report accepted,
a charter published or a member changed makes them stale (`CENTRE_TOPICS`)."""

from __future__ import annotations

import functools

from flask import Blueprint, render_template, request
from markupsafe import Markup, escape

from app.core import languages, links
from app.core.http_cache import public_page
from app.members.models import PUBLIC_STATUSES, Category
from app.transparency import figures as F
from app.transparency.centre import principles, reports, shown
from app.transparency.centre.filters import SORTS
from app.transparency.centre.reports import MAX_COMPARED

bp = Blueprint("centre", __name__)

CENTRE_TOPICS = ("reports", "charter", "members")


bp.add_app_template_filter(shown.answer_value, "answer_value")
bp.add_app_template_filter(shown.answer_items, "answer_items")
# templates/centre/_texts.html exports these under their own names (`shown`, ...).
for _name in ("shown", "question_text", "choice_text", "row_value"):
    bp.add_app_template_global(getattr(shown, _name), f"centre_{_name}")


@bp.app_template_filter("country_options")
@functools.lru_cache(maxsize=256)
def country_options(countries: tuple, selected: str) -> Markup:
    """The country filter's `<option>`s ((code, name) pairs), written here rather than in a
    Jinja loop: some 250 options, with their escaping, were a fifth of the principle
    page's template time (issue 15); and once per set of choices (in the reader's
    language) and selected country."""
    return Markup(  # noqa: S704  (the code and the name escaped; "selected" is ours)
        "".join(
            f'<option value="{escape(code)}" {"selected" if selected == code else ""}>'
            f"{escape(name)}</option>"
            for code, name in countries
        )
    )


@bp.app_template_filter("share")
def share(value) -> str:
    return F.percent(value)


def _languages() -> dict:
    """What the pages need to say which language a text is in and to link each language."""
    reader, source = languages.current_language(), languages.source_language()
    return {
        "language_names": languages.languages(),
        "reader_lang": reader,
        "source_lang": source,
    }


def _choices() -> dict:
    return {
        "sorts": SORTS,
        "categories": [c.value for c in Category],
        "statuses": [s.value for s in PUBLIC_STATUSES],
    }


@bp.route("/principles")
@public_page(CENTRE_TOPICS)
def principle_map():
    page = principles.principle_map(languages.current_language())
    return render_template("centre/principles.html", map=page, t=page.texts, **_languages())


@bp.route("/principles/<int:number>")
@public_page(CENTRE_TOPICS)
def principle(number: int):
    page = principles.principle_page(number, request.args, languages.current_language())
    html = render_template(
        "centre/principle.html",
        page=page,
        answers=page.answers,
        t=page.texts,
        **_choices(),
        **_languages(),
    )
    return html, 400 if page.answers.errors else 200


@bp.route("/principles/<int:number>/questions/<lineage>")
@public_page(CENTRE_TOPICS)
def question(number: int, lineage: str):
    page = principles.question_page(number, lineage, request.args, languages.current_language())
    html = render_template(
        "centre/question.html",
        page=page,
        answers=page.answers,
        t=page.texts,
        **_choices(),
        **_languages(),
    )
    return html, 400 if page.answers.errors else 200


@bp.route("/members/<slug>/reports/<int:year>")
@public_page(CENTRE_TOPICS)
def member_report(slug: str, year: int):
    page = reports.member_report_page(slug, year, languages.current_language())
    context = _languages()
    return render_template(
        "centre/member_report.html",
        page=page,
        report=page.report,
        org=page.report.organisation,
        stable_url=links.external_url("centre.member_report", slug=slug, year=year),
        # The PDF in each language (`?lang=`; the source language's without), the
        # reader's first.
        pdf_languages=sorted(
            context["language_names"].items(), key=lambda item: item[0] != context["reader_lang"]
        ),
        pdf_lang={}
        if page.texts.language == context["source_lang"]
        else {"lang": page.texts.language},
        **context,
    )


@bp.route("/compare")
@public_page(CENTRE_TOPICS)
def compare():
    comparison = reports.compare(request.args, languages.current_language())
    html = render_template(
        "centre/compare.html", c=comparison, max_compared=MAX_COMPARED, **_languages()
    )
    return html, 400 if comparison.error else 200
