"""The open data API: the directory as JSON, one member in detail, and the OpenAPI
document describing both. Public data only, whoever asks; any site may read it (CORS).

Each answer is its resource's model (`app.members.schemas`) dumped: the same model gives the
schema the document publishes. This module only reads the request and builds the URLs.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import MethodNotAllowed

from app.core import links as site_links
from app.core.http_cache import MEMBER_TOPICS, member_page_topics, public_page
from app.members import services
from app.members.api_query import DEFAULT_PER_PAGE, language_errors, parse_list_query
from app.members.directory import load_context, search
from app.members.openapi import document
from app.members.schemas import Error, Links, MemberDetail, MemberList
from app.members.slugs import SLUG_PATTERN

bp = Blueprint("api", __name__, url_prefix="/api/v1")
REPORT_PDF = "transparency.member_report_pdf"  # the member's public yearly report


@bp.after_request
def _open_data_headers(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Cache-Control", "public, max-age=60")
    return response


@bp.before_request
def _known_language():
    # `?lang=` chooses the answer's language (the locale selector reads it); one the
    # alliance does not work in is a bad request, said in the API's error format.
    errors = language_errors(request.args)
    return _invalid(errors) if errors else None


def requested_language() -> dict:
    """`{"lang": code}` when the request chose one: page links keep it."""
    return {"lang": request.args["lang"]} if "lang" in request.args else {}


@bp.after_app_request
def _allow_on_405(response):
    # The app's error pages are new responses, without the Allow header that Werkzeug's
    # MethodNotAllowed gives (RFC 9110 15.5.6: a 405 must list the methods allowed). A
    # request that matched no route belongs to no blueprint, hence an app-wide hook.
    error = request.routing_exception
    if (
        response.status_code == 405
        and isinstance(error, MethodNotAllowed)
        and error.valid_methods
        and request.path.startswith(bp.url_prefix + "/")
    ):
        response.headers.setdefault("Allow", ", ".join(sorted(error.valid_methods)))
    return response


def _absolute(endpoint: str, **values) -> str:
    return site_links.external_url(endpoint, **values)


def _links() -> Links:
    """The absolute URLs an answer gives, under PACTUM_SERVER_URL (`app.core.links`)."""
    has_reports = REPORT_PDF in current_app.view_functions  # once the transparency pages exist

    def report(slug: str, year: int) -> str | None:
        if not has_reports:
            return None
        return site_links.external_url(REPORT_PDF, slug=slug, year=year)

    # Slugs are URL-safe ([a-z0-9-]): each URL is a prefix plus the slug, built once.
    return Links(
        profile=_absolute("members.profile", slug="-")[:-1],
        record=_absolute("api.member", slug="-")[:-1],
        report=report,
    )


def _invalid(errors: dict[str, str]):
    body = Error.dump(400, _("Invalid input"), " ".join(errors.values()), errors)
    return jsonify(body), 400


@bp.get("/members")
@public_page(MEMBER_TOPICS)
def members():
    context = load_context()
    filters, page, per_page, errors = parse_list_query(request.args, context.sectors)
    if errors:
        return _invalid(errors)
    result = search(filters, context, page, per_page, full=True)
    args = filters.args() | requested_language()
    if per_page != DEFAULT_PER_PAGE:
        args["per_page"] = per_page

    def page_url(number: int) -> str:
        return _absolute("api.members", page=number, **args)

    return jsonify(MemberList.dump(MemberList.values(result, per_page, _links(), page_url)))


@bp.get("/members/<slug>")
@public_page(member_page_topics)
def member(slug: str):
    # Anything but what `slugify` makes names no member, and may hold what a database refuses
    # to compare (PostgreSQL: a NUL character), so it is looked up as "", which no member has:
    # the same 404, the same statements. An old slug then answers 301 (`slug_views`).
    if not SLUG_PATTERN.fullmatch(slug):
        slug = ""
    profile = services.load_profile(None, slug)  # public data only, whoever asks
    return jsonify(MemberDetail.dump(MemberDetail.values(profile, _links())))


@bp.get("/openapi.json")
@public_page(MEMBER_TOPICS)
def openapi():
    return jsonify(document(site_links.site_url() + bp.url_prefix))
