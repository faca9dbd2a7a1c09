"""Repeated page-cache hits answered before Flask (issue 15, issue 20; docs/performance.md).

`app.core.http_cache.serve_cached_page` answers a hit inside Flask and leaves what it served
in the WSGI environ (`SERVED`); `PageCacheMiddleware`, installed around `app.wsgi_app` by
`http_cache.install`, remembers Flask's whole answer to that request and replays it to an
identical one while it is still right."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from app import clock
from app.core.cache import SharedCache

SERVED = "pactum.page_cache.served"  # environ: what `serve_cached_page` answered with
# A request carrying any of these is answered by Flask: the answer may be partial, a
# precondition's failure, or depend on who asks. (If-None-Match and If-Modified-Since are
# part of the request's identity instead: a revalidation is answered 304 as Flask did.)
_HANDLED_BY_FLASK = ("HTTP_AUTHORIZATION", "HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_RANGE")
LEARNED_LIMIT = 4096


@dataclass(frozen=True)
class Served:
    key: str
    topics: tuple[str, ...]
    store: int  # id() of the shared store the topic tokens were read from
    endpoint: str
    etag: str
    last_modified: int
    day: dt.date


@dataclass(frozen=True)
class _Learned:
    served: Served
    status: str
    headers: list[tuple[str, str]]


class PageCacheMiddleware:
    """Around `app.wsgi_app` (inside ProxyFix): answer again, without Flask, a page-cache hit
    this process has just answered through Flask to an identical request.

    Identical means the same path, query, Accept-Language, If-None-Match and
    If-Modified-Since, and none of what could make the answer differ: a session or
    remember-me cookie (so no login, no flash message, no remembered language), credentials,
    a `?lang=`, a partial or preconditioned request, a HEAD. For such a request the locale,
    the page key and the answer (the page, or a 304) are functions of those values alone, so
    what Flask answered once it answers again, as long as the page is the same (this
    process's copy of it, by ETag and time), the day is the same (the key holds the date)
    and the topic tokens this process read lately still match the copy's (the same check,
    and the same freshness, as `_lookup`'s local copies). The status line and headers are the
    ones Flask sent, after every `after_request` hook (security headers included). Requests
    are counted in the metrics as Flask's are."""

    def __init__(self, flask_app, wsgi_app, *, max_query_length: int, check_seconds):
        self.flask_app = flask_app
        self.wsgi_app = wsgi_app
        self.max_query_length = max_query_length
        self.check_seconds = check_seconds  # () -> seconds: the page cache's LOCAL_CHECK_SECONDS
        self.learned: dict[tuple[str, ...], _Learned] = {}

    def _identity(self, environ) -> tuple[str, ...] | None:
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        query = environ.get("QUERY_STRING", "")
        if len(query) > self.max_query_length or "lang" in query:
            return None
        for name in _HANDLED_BY_FLASK:
            if name in environ:
                return None
        cookies = environ.get("HTTP_COOKIE")
        if cookies:
            config = self.flask_app.config
            if config["SESSION_COOKIE_NAME"] in cookies:
                return None
            if config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
                return None
        return (
            environ.get("PATH_INFO", ""),
            query,
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            environ.get("HTTP_IF_NONE_MATCH", ""),
            environ.get("HTTP_IF_MODIFIED_SINCE", ""),
        )

    def __call__(self, environ, start_response):
        identity = self._identity(environ)
        if identity is None:
            return self.wsgi_app(environ, start_response)
        began = time.perf_counter()
        learned = self.learned.get(identity)
        body = self._body(learned) if learned is not None else None
        if body is not None:
            start_response(learned.status, list(learned.headers))
            for observe in self.flask_app.extensions.get(HIT_OBSERVERS, ()):
                observe(learned.served.endpoint, "GET", 200, time.perf_counter() - began)
            return [body]
        return self._learn(identity, environ, start_response)

    def _body(self, learned: _Learned) -> bytes | None:
        """The answer's bytes (the page's, or none for a 304) when `learned` still answers
        the request, else None."""
        served = learned.served
        state = self.flask_app.extensions.get("pactum_cache")
        if not state or not state["page_cache"] or served.day != clock.today():
            return None
        pages = state.get("local_pages")
        entry = pages.get(served.key) if pages is not None else None
        if entry is None or entry["etag"] != served.etag:
            return None
        if entry["last_modified"] != served.last_modified:
            return None
        tokens = SharedCache.recent_tokens(served.store, served.topics, self.check_seconds())
        if tokens is None or tokens != entry["generations"]:
            return None
        return entry["body"] if learned.status.startswith("200 ") else b""

    def _learn(self, identity, environ, start_response):
        def remember(status, headers, exc_info=None):
            served = environ.get(SERVED)
            if (
                served is not None
                and exc_info is None
                and status.startswith(("200 ", "304 "))
                and not any(name.lower() == "set-cookie" for name, _value in headers)
            ):
                if len(self.learned) >= LEARNED_LIMIT:
                    self.learned.clear()
                self.learned[identity] = _Learned(served, status, list(headers))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, remember)


# app.extensions key: functions (endpoint, method, status, seconds) told of every answer the
# middleware gives (app.ops counts them in the request metrics, as Flask's signals would).
HIT_OBSERVERS = "pactum_page_hit_observers"
