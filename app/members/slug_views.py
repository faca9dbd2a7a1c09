"""Old slugs answer 301 to the current URL.

Every route whose rule names a `<slug>` names an organisation by it: the profile and its
logo, the member's report PDFs (transparency), the report pages under /reports/<year>/<slug>/
(reporting), the API record, and the pages representatives and the secretariat use. Whatever
the domain, such a GET that ends in 404 is looked at once more: when the slug is one an
organisation had before a rename (`services.moved_to`), and the visitor may see that
organisation, the answer becomes a 301 to the same route with the current slug, the rest of
the path and the query string kept. Nothing else costs a query: a found page never gets
here. A pending applicant's old slug stays a 404 for the public, like its current one, and
so does the slug an application had before its approval (`services.moved_to`).

The redirect may be kept an hour, not for ever: an organisation renamed back takes its old
slug again, and a browser that kept "A -> B" for good would then loop between the two.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, redirect, request, url_for

from app.core.conditional import cache_control
from app.db import db
from app.members import services
from app.members.blueprint import actor, bp

REDIRECT_MAX_AGE = 3600
# Characters a query string keeps as they are; anything else (raw non-ASCII bytes, spaces,
# line breaks) is percent-encoded in the Location header.
_QUERY_SAFE = "&=%+;/?:@,$!*'()~[]"


@bp.after_app_request
def _follow_renamed_slug(response: Response) -> Response:
    slug = (request.view_args or {}).get("slug")
    if (
        response.status_code != 404
        or not isinstance(slug, str)
        or "\x00" in slug  # never a slug, and PostgreSQL refuses NUL in text
        or request.method not in ("GET", "HEAD")
        or request.endpoint is None
    ):
        return response
    db.session.rollback()  # the 404 keeps nothing; the lookup below reads afresh
    # The API answers with public data only, whoever asks.
    viewer = None if request.blueprint == "api" else actor()
    moved = services.moved_to(viewer, slug)
    if moved is None:
        return response
    location = url_for(request.endpoint, **{**request.view_args, "slug": moved.slug})
    if request.query_string:
        location += "?" + quote(request.query_string, safe=_QUERY_SAFE)
    # The answer keeps the headers every answer gets (security, CORS); only what made it a
    # 404 page changes.
    redirection = redirect(location, 301)
    response.status_code = 301
    response.set_data(redirection.get_data())
    response.content_type = redirection.content_type
    response.headers["Location"] = location
    response.headers["Cache-Control"] = cache_control(moved.public, REDIRECT_MAX_AGE)
    return response
