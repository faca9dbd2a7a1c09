"""The open data API: the directory as JSON, one member in detail, and the OpenAPI
document describing both. Public data only, whoever asks; any site may read it (CORS)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _

from app.core.http_cache import MEMBER_TOPICS, public_page
from app.core.templating import country_name
from app.members import services
from app.members.blueprint import logo_url, report_pdf_url
from app.members.directory import (
    load_context,
    parse_filters,
    parse_page,
    parse_per_page,
    search,
)
from app.members.openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100


@bp.after_request
def _open_data_headers(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Cache-Control", "public, max-age=60")
    return response


def _absolute(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def _member(row, prefixes: tuple[str, str]) -> dict:
    """A directory row as the API gives it; `prefixes` are the absolute URLs of the profile
    and the API record with the slug left off (built once per response, not once per row)."""
    profile, record = prefixes
    return {
        "slug": row.slug,
        "name": row.name,
        "legal_name": row.legal_name or None,
        "country": row.country,
        "country_name": row.country_name,
        "sector": {"slug": row.sector_slug, "name": row.sector_name} if row.sector_slug else None,
        "category": row.category,
        "size_band": row.size_band or None,
        "website": row.website or None,
        "status": row.status,
        "status_since": row.status_since.isoformat(),
        "joined_on": row.joined_on.isoformat() if row.joined_on else None,
        "endorsed_charter_version": row.endorsed_version,
        "logo_url": (
            f"{profile}{row.slug}/logo?v={row.logo_sha256[:12]}" if row.logo_sha256 else None
        ),
        "profile_url": profile + row.slug,
        "api_url": record + row.slug,
    }


def _slug_prefixes() -> tuple[str, str]:
    # Slugs are URL-safe ([a-z0-9-]), so each URL is its prefix plus the slug.
    return (_absolute("members.profile", slug="-")[:-1], _absolute("api.member", slug="-")[:-1])


def _external_logo(slug: str, sha256: str | None) -> str | None:
    if not sha256:
        return None
    return request.host_url.rstrip("/") + logo_url(slug, sha256)


def _error(status: int, message: str, fields: dict | None = None):
    body = {
        "error": {
            "status": status,
            "title": _("Invalid input") if status == 400 else "",
            "message": message,
        }
    }
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


@bp.get("/members")
@public_page(MEMBER_TOPICS)
def members():
    context = load_context()
    filters, errors = parse_filters(request.args, context.sectors)
    page = parse_page(request.args, errors)
    per_page = parse_per_page(request.args, errors, DEFAULT_PER_PAGE, MAX_PER_PAGE)
    if errors:
        return _error(400, " ".join(errors.values()), errors)
    result = search(filters, context, page, per_page, full=True)
    applied = filters.args()
    args = dict(applied)
    if per_page != DEFAULT_PER_PAGE:
        args["per_page"] = per_page

    prefixes = _slug_prefixes()

    def link(p: int) -> str:
        return _absolute("api.members", page=p, **args)

    return jsonify(
        {
            "data": [_member(row, prefixes) for row in result.rows],
            "meta": {
                "page": result.page,
                "per_page": per_page,
                "total": result.total,
                "pages": result.pages,
                "filters": applied,
            },
            "links": {
                "self": link(result.page),
                "first": link(1),
                "last": link(result.pages),
                "prev": link(result.page - 1) if result.page > 1 else None,
                "next": link(result.page + 1) if result.page < result.pages else None,
            },
            "facets": {
                name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                for name, values in result.facets.items()
            },
        }
    )


@bp.get("/members/<slug>")
@public_page(MEMBER_TOPICS)
def member(slug: str):
    profile = services.load_profile(None, slug)  # public data only, whoever asks
    org = profile.organisation
    row = {
        "slug": org.slug,
        "name": org.name,
        "legal_name": org.legal_name or None,
        "country": org.country,
        "country_name": country_name(org.country),
        "sector": {"slug": org.sector.slug, "name": org.sector.name} if org.sector else None,
        "category": org.category,
        "size_band": org.size_band or None,
        "website": org.website or None,
        "status": org.status,
        "status_since": org.status_since.isoformat(),
        "joined_on": org.joined_on.isoformat() if org.joined_on else None,
        "endorsed_charter_version": org.endorsed_version.number if org.endorsed_version else None,
        "logo_url": _external_logo(org.slug, org.logo_sha256),
        "profile_url": _absolute("members.profile", slug=org.slug),
        "api_url": _absolute("api.member", slug=org.slug),
        "description": org.description_md or "",
        "status_history": [
            {
                "at": c.at.isoformat(),
                "from_status": c.from_status,
                "to_status": c.to_status,
                "public_reason": c.public_reason or None,
            }
            for c in profile.history
        ],
        "endorsements": [
            {
                "charter_version": e.charter_version.number,
                "signatory_name": e.signatory_name,
                "signatory_title": e.signatory_title,
                "endorsed_on": e.endorsed_on.isoformat(),
            }
            for e in profile.endorsements
        ],
        "pledges": [
            {
                "id": p.id,
                "title": p.title,
                "description": p.description_md or "",
                "principles": [pr.key for pr in p.principles],
                "target_date": p.target_date.isoformat() if p.target_date else None,
                "indicator": p.indicator,
                "status": p.status,
                "status_since": p.status_since.isoformat(),
                "updates": [
                    {
                        "at": u.at.isoformat(),
                        "status": u.status,
                        "note": u.note or None,
                        "verified": u.verified_at is not None,
                        "verified_at": u.verified_at.isoformat() if u.verified_at else None,
                    }
                    for u in p.updates
                ],
            }
            for p in profile.pledges
        ],
        "reports": [
            {
                "year": year,
                "url": (request.host_url.rstrip("/") + url)
                if (url := report_pdf_url(org.slug, year))
                else None,
            }
            for year in profile.reports
        ],
    }
    return jsonify(row)


@bp.get("/openapi.json")
@public_page(MEMBER_TOPICS)
def openapi():
    return jsonify(document(request.host_url.rstrip("/") + bp.url_prefix))
