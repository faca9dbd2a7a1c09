"""The open-data API's reports, answers, pledges and principles (/api/v1/…), beside the
members' API (`app.members.api`, which serves the OpenAPI document these paths are
registered into). Public data only, whoever asks; any site may read it (CORS).

Each answer is its resource's model (`opendata.schemas`) dumped; this module only reads the
request and builds the URLs."""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from app.core import links
from app.core.http_cache import public_page
from app.members.api_query import language_errors
from app.members.openapi import SLUG, operation, register_paths
from app.members.schemas import Error
from app.transparency.opendata import lists
from app.transparency.opendata.api_query import (
    ANSWER_FILTERS,
    PAGE,
    PER_PAGE,
    PLEDGE_FILTERS,
    REPORT_FILTERS,
    parse,
)
from app.transparency.opendata.schemas import (
    COMPONENTS,
    AnswerList,
    PledgeList,
    PrincipleList,
    ReportDetail,
    ReportList,
    Urls,
)

bp = Blueprint("opendata_api", __name__, url_prefix="/api/v1")

API_TOPICS = ("reports", "members", "charter")
_SLUG = re.compile(r"[a-z0-9-]{1,220}")


@bp.after_request
def _open_data_headers(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Cache-Control", "public, max-age=60")
    return response


@bp.before_request
def _known_language():
    errors = language_errors(request.args)  # as the members' API says it
    return _invalid(errors) if errors else None


def _urls() -> Urls:
    site = links.site_url()  # one rule for absolute links (app.core.links)
    return Urls(site=site, api=site + bp.url_prefix)


def _invalid(errors: dict[str, str]):
    body = Error.dump(400, _("Invalid input"), " ".join(errors.values()), errors)
    return jsonify(body), 400


def _page_url(endpoint: str, query):
    args = query.args()
    if "lang" in request.args:  # page links keep the language asked for
        args["lang"] = request.args["lang"]

    def page_url(number: int) -> str:
        return links.external_url(endpoint, page=number, **args)

    return page_url


@bp.get("/reports")
@public_page(API_TOPICS)
def reports():
    query, errors = parse(request.args, REPORT_FILTERS)
    if errors:
        return _invalid(errors)
    page = lists.list_reports(query)
    page_url = _page_url("opendata_api.reports", query)
    return jsonify(ReportList.dumped(page, query.per_page, query.filters, _urls(), page_url))


@bp.get("/reports/<slug>/<int:year>")
@public_page(API_TOPICS)
def report(slug: str, year: int):
    if not _SLUG.fullmatch(slug):
        slug = ""  # names no member (and may hold what a database refuses, such as NUL)
    detail = lists.report_detail(slug, year)
    return jsonify(ReportDetail.dump(ReportDetail.values(detail, _urls())))


@bp.get("/answers")
@public_page(API_TOPICS)
def answers():
    query, errors = parse(request.args, ANSWER_FILTERS)
    if errors:
        return _invalid(errors)
    page = lists.list_answers(query)
    page_url = _page_url("opendata_api.answers", query)
    return jsonify(AnswerList.dumped(page, query.per_page, query.filters, _urls(), page_url))


@bp.get("/pledges")
@public_page(API_TOPICS)
def pledges():
    query, errors = parse(request.args, PLEDGE_FILTERS)
    if errors:
        return _invalid(errors)
    page, keys = lists.list_pledges(query)
    page_url = _page_url("opendata_api.pledges", query)
    body = PledgeList.dumped(page, keys, query.per_page, query.filters, _urls(), page_url)
    return jsonify(body)


@bp.get("/principles")
@public_page(API_TOPICS)
def principles():
    query, errors = parse(request.args, ())
    if errors:
        return _invalid(errors)
    page = lists.list_principles(query)
    page_url = _page_url("opendata_api.principles", query)
    return jsonify(PrincipleList.dump(PrincipleList.values(page, query.per_page, {}, page_url)))


def _parameters(filters) -> list[dict]:
    return [parameter.document() for parameter in (*filters, PAGE, PER_PAGE)]


_BAD = ("A parameter has an invalid value.", Error)
register_paths(
    "opendata",
    {
        "/reports": operation(
            "listReports",
            "Accepted member reports, filtered and paginated",
            _parameters(REPORT_FILTERS),
            {"200": ("A page of reports.", ReportList), "400": _BAD},
        ),
        "/reports/{slug}/{year}": operation(
            "getReport",
            "One member's accepted report for a year: its public answers and pledges",
            [
                SLUG,
                {"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}},
            ],
            {
                "200": ("The report.", ReportDetail),
                "404": ("No accepted report of this member for this year.", Error),
            },
        ),
        "/answers": operation(
            "listAnswers",
            "Answers to public questions in accepted reports, filtered and paginated",
            _parameters(ANSWER_FILTERS),
            {"200": ("A page of answers.", AnswerList), "400": _BAD},
        ),
        "/pledges": operation(
            "listPledges",
            "Public pledges of listed members, filtered and paginated",
            _parameters(PLEDGE_FILTERS),
            {"200": ("A page of pledges.", PledgeList), "400": _BAD},
        ),
        "/principles": operation(
            "listPrinciples",
            "The principles of the charter in force",
            _parameters(()),
            {"200": ("A page of principles.", PrincipleList), "400": _BAD},
        ),
    },
    COMPONENTS,
)
