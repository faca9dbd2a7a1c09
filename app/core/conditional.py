"""Conditional GET in one place, on Werkzeug's own support.

Every answer that can be revalidated (stored PDFs, logos, feeds, the charter's pages, the page
cache, the members CSV) describes itself with `Validators` (an ETag, a Last-Modified) and goes
through `conditional(...)`: when the request's `If-None-Match` (weak comparison, and it wins
over `If-Modified-Since`, RFC 9110) or `If-Modified-Since` shows that the client already holds
it, the answer is a 304 and the body is never built; otherwise the body is built and carries
the validators and the given Cache-Control. The comparison is Werkzeug's
`is_resource_modified`; nothing here parses those headers by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, make_response, request, session
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Response

NO_STORE = "no-store"


def body_etag(body: bytes) -> str:
    """A short, strong ETag for a body."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _as_moment(value: dt.datetime | dt.date | float | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC).replace(microsecond=0) if value else None
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.replace(microsecond=0)


@dataclass(frozen=True)
class Validators:
    """What identifies one representation of a resource.

    `personal`: the answer depends on who is logged in; a date alone cannot tell two users'
    copies apart, so `If-Modified-Since` without an ETag is not honoured for it."""

    etag: str | None = None
    last_modified: dt.datetime | None = None
    personal: bool = False

    @classmethod
    def of(cls, etag: str | None = None, last_modified=None, personal: bool = False):
        return cls(etag, _as_moment(last_modified), personal)

    def held_by_client(self, environ=None) -> bool:
        """Does the request (GET or HEAD) show that the client already holds this?"""
        environ = request.environ if environ is None else environ
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return False
        if "HTTP_IF_NONE_MATCH" not in environ and (
            "HTTP_IF_MODIFIED_SINCE" not in environ or self.personal
        ):
            return False
        last_modified = None if self.personal else self.last_modified
        return not is_resource_modified(environ, etag=self.etag, last_modified=last_modified)

    def apply(self, response: Response, cache_control: str, vary: str | None = None) -> Response:
        if self.etag:
            response.set_etag(self.etag)
        if self.last_modified is not None:
            response.last_modified = self.last_modified
        response.headers["Cache-Control"] = cache_control
        if vary:
            response.headers["Vary"] = vary
        return response


def cache_control(
    public: bool = True, max_age: int = 0, immutable: bool = False, no_cache: bool = False
) -> str:
    """A Cache-Control value: `no_cache` (always ask again, a 304 is cheap), or reusable for
    `max_age` seconds (`immutable`: never changes), then asked again (`must-revalidate` when
    it may not be reused at all)."""
    scope = "public" if public else "private"
    if no_cache:
        return f"{scope}, no-cache"
    parts = [scope, f"max-age={max(0, int(max_age))}"]
    if immutable:
        parts.append("immutable")
    elif max_age <= 0:
        parts.append("must-revalidate")
    return ", ".join(parts)


def _has_pending_flashes() -> bool:
    return bool(session.get("_flashes"))


def conditional(
    validators: Validators,
    build: Callable[[], object],
    *,
    cache_control: str,
    vary: str | None = None,
    page: bool = False,
) -> Response:
    """A 304 when the client's copy is current (the body is not built); otherwise the built
    answer with the validators. Answers other than 200 (errors, redirects) go out as built.

    `page`: an HTML page of the site, which may show a one-off flash message: such an answer
    is never a 304 and never stored (`no-store`)."""
    flashes = page and _has_pending_flashes()
    if not flashes and validators.held_by_client():
        return validators.apply(current_app.response_class(status=304), cache_control, vary)
    response = make_response(build())
    if response.status_code != 200:
        return response
    if flashes:
        response.headers["Cache-Control"] = NO_STORE
        return response
    return validators.apply(response, cache_control, vary)


def finish(response: Response, validators: Validators, cache_control: str) -> Response:
    """An answer already built (a page just rendered for the page cache): the validators, and
    Werkzeug's own 304 / 412 / range handling against the request."""
    validators.apply(response, cache_control)
    return response.make_conditional(request)
