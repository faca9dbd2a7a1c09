"""HTTP caching: conditional GET (ETag / Last-Modified -> 304) and a full-page cache for
anonymous visitors of public pages.

`etag_response(...)` is for anything with a cheap identity (a PDF's SHA-256, an edition's
publication time): it answers `If-None-Match` / `If-Modified-Since` with 304.

`@public_page(topic=..., max_age=...)` keeps the rendered bytes of a public page, with their
ETag, in the shared cache (`app.core.cache`), keyed by release, locale, path and query string
and tagged with the generations of its topics (a write to a topic makes the tag stale). Hits
are answered by a `before_request` hook that runs before every other one: it reads the entry
and the generations in one round trip and writes the response headers out directly; no
database query, no user loading, no rate-limit bookkeeping, no Jinja. It is bypassed (and the
answer marked `private`) for logged-in users, for visitors carrying flash messages or a
remember-me cookie, for `?lang=` switches, and it never stores a response that sets a cookie,
put a CSRF token in the page, is streamed, or is not a 200.
`X-Pactum-Cache: hit | miss | bypass` says what happened.

Repeated hits are answered earlier still, by `app.core.page_middleware` around the WSGI app, before
Flask opens a request at all: it serves only what the hook above already served to a request
that was the same in everything the answer depends on (path, query, Accept-Language; no
cookie of a session, no remember-me cookie, no credentials, no conditional headers), with the
very status line and headers Flask sent then, while this process's copy of the page is the
same one and the topic tokens this process read less than LOCAL_CHECK_SECONDS ago still match
it. Anything else, it hands to Flask (see docs/performance.md, "The page cache's hit path").
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, make_response, request, session
from werkzeug.http import http_date
from werkzeug.wrappers import Response

from app import clock
from app.core.cache import PROFILES, cache, profile_topic, token_time
from app.core.conditional import Validators, body_etag, cache_control, conditional, finish
from app.core.page_middleware import SERVED, PageCacheMiddleware, Served
from app.db import REPLICA_BIND, read_from_replica

# Session keys an anonymous visitor may carry without making the page personal.
ANONYMOUS_SESSION_KEYS = frozenset({"lang", "csrf_token", "_fresh", "_permanent"})
MAX_QUERY_LENGTH = 512
PAGE_TIMEOUT = 3600


def etag_response(
    response_or_bytes: Response | bytes | str,
    etag: str | None = None,
    last_modified: dt.datetime | float | None = None,
    max_age: int = 0,
    public: bool = True,
    mimetype: str = "text/html",
) -> Response:
    """An answer already built, with ETag, Last-Modified and Cache-Control, turned into a 304
    when the client holds it (`app.core.conditional`). Without `etag`, one is computed from
    the body (not for streams)."""
    if isinstance(response_or_bytes, bytes | str):
        response = current_app.response_class(response_or_bytes, mimetype=mimetype)
    else:
        response = response_or_bytes
    if response.status_code != 200:
        return response  # errors and redirects carry no validators
    if etag is None and not response.is_streamed and not response.direct_passthrough:
        etag = body_etag(response.get_data())
    validators = Validators.of(etag, last_modified)
    return finish(response, validators, cache_control(public, max_age))


def mark_private(response: Response) -> Response:
    """Pages for one person must not be kept by shared caches (proxies, CDNs)."""
    if "Cache-Control" not in response.headers:
        response.cache_control.private = True
        response.cache_control.no_cache = True
    return response


# The page cache ------------------------------------------------------------------------------


def _page_cache_on() -> bool:
    state = current_app.extensions.get("pactum_cache")
    return bool(state and state["page_cache"])


def anonymous_request() -> bool:
    """True when the answer cannot depend on who asks. Uses only the (already opened,
    signed) session cookie, never the user loader: no database query."""
    if request.method not in ("GET", "HEAD"):
        return False
    if "lang" in request.args or len(request.query_string) > MAX_QUERY_LENGTH:
        return False
    if request.authorization is not None:
        return False
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return False
    return set(session.keys()) <= ANONYMOUS_SESSION_KEYS


def _storable(response: Response) -> bool:
    if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return False
    if "Set-Cookie" in response.headers or session.modified:
        return False
    if current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g:
        return False  # a form with this visitor's CSRF token: not for anyone else
    user = g.get("_login_user")
    return not (user is not None and getattr(user, "is_authenticated", False))


@dataclass(frozen=True)
class PageSpec:
    topic: object
    max_age: int
    timeout: int

    @property
    def cache_control(self) -> str:
        return (
            f"public, max-age={self.max_age}"
            if self.max_age > 0
            else "public, max-age=0, must-revalidate"
        )

    def topics(self, view_args: dict) -> tuple[str, ...]:
        topic = self.topic(**view_args) if callable(self.topic) else self.topic
        return (topic,) if isinstance(topic, str) else tuple(topic)


def _locale() -> str:
    """The locale code the app's selector picks (what `get_locale()` would parse)."""
    babel = current_app.extensions["babel"]
    chosen = babel.locale_selector() if babel.locale_selector else None
    return str(chosen or babel.default_locale)


def page_key() -> str:
    """Release, date, locale, path and query. The topic generations the page was rendered under are
    stored in the entry and compared on the way out (read in the same round trip)."""
    state = current_app.extensions["pactum_cache"]
    query = request.query_string.decode("latin-1")
    # Today's date: pages that depend on it (the charter in force, deadlines) roll over at
    # midnight UTC without a write to invalidate them.
    return f"page:{state['release']}:{clock.today().isoformat()}:{_locale()}:{request.path}?{query}"


class _LocalPages:
    """This process's copies of recently served pages, least recently used out first, at
    most `limit` bytes of bodies. A copy is only served when its topic generations are still
    the shared cache's: a hit then reads a few short tokens from the shared store instead
    of the whole page (and unpickles nothing)."""

    def __init__(self, limit: int = 16 * 1024 * 1024):
        self.limit = limit
        self.size = 0
        self.entries: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> dict | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            expires, entry = found
            if expires < time.monotonic():
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: dict, timeout: int) -> None:
        size = len(entry["body"])
        if size > self.limit // 8:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old[1]["body"])
            self.entries[key] = (time.monotonic() + timeout, entry)
            self.size += size
            while self.size > self.limit and self.entries:
                _key, (_expires, dropped) = self.entries.popitem(last=False)
                self.size -= len(dropped["body"])


# A worker trusts the topic tokens it read less than this long ago when it serves its own copy
# of a page: another worker's write reaches it at most this late (its own writes at once).
LOCAL_CHECK_SECONDS = 1.0


def _local_pages() -> _LocalPages:
    state = current_app.extensions["pactum_cache"]
    pages = state.get("local_pages")
    if pages is None:
        pages = state.setdefault("local_pages", _LocalPages())
    return pages


def _lookup(spec: PageSpec, view_args: dict) -> tuple[str, str, dict | None]:
    key = page_key()
    topics = spec.topics(view_args)
    local = _local_pages().get(key)
    if local is not None:
        generations = cache.recent_generations(topics, LOCAL_CHECK_SECONDS)
        if local["generations"] == generations:
            return key, generations, local
    entry, generations = cache.get_with_generations(key, topics)
    if entry is not None and entry.get("generations") != generations:
        entry = None  # rendered before a write to one of its topics
    if entry is not None:
        # What is left of the shared entry's life is unknown here: keep the copy briefly.
        _local_pages().put(key, entry, min(spec.timeout, 60))
    return key, generations, entry


def _from_entry(entry: dict, spec: PageSpec) -> Response:
    """The stored page (or a 304) with headers written out directly: this runs on every hit."""
    headers = [
        ("ETag", f'"{entry["etag"]}"'),
        ("Last-Modified", entry["last_modified_http"]),
        ("Cache-Control", spec.cache_control),
        ("Vary", "Cookie, Accept-Language"),
        ("X-Pactum-Cache", "hit"),
    ]
    validators = Validators.of(entry["etag"], entry["last_modified"])
    if "HTTP_IF_MATCH" in request.environ or "HTTP_RANGE" in request.environ:
        response = current_app.response_class(
            entry["body"], headers=headers, content_type=entry["content_type"]
        )
        return finish(response, validators, spec.cache_control)
    if validators.held_by_client():
        return current_app.response_class(status=304, headers=headers)
    return current_app.response_class(
        entry["body"], headers=headers, content_type=entry["content_type"]
    )


def serve_cached_page():
    """`before_request` hook, installed first: answer a cached public page before the rest of
    the request machinery (rate-limit bookkeeping, the view, Jinja) runs. A miss falls
    through to the view, which renders and stores the page (`public_page`)."""
    endpoint = request.endpoint
    view = current_app.view_functions.get(endpoint) if endpoint else None
    spec = getattr(view, "public_page_spec", None)
    if spec is None or not _page_cache_on() or not anonymous_request():
        return None
    key, generations, entry = _lookup(spec, request.view_args or {})
    g.pactum_page = (key, generations)
    if entry is None:
        return None
    request.environ[SERVED] = Served(
        key,
        spec.topics(request.view_args or {}),
        id(cache.backend),
        endpoint,
        entry["etag"],
        entry["last_modified"],
        clock.today(),
    )
    return _from_entry(entry, spec)


def install(app) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, serve_cached_page)
    app.wsgi_app = PageCacheMiddleware(
        app,
        app.wsgi_app,
        max_query_length=MAX_QUERY_LENGTH,
        check_seconds=lambda: LOCAL_CHECK_SECONDS,
    )


def public_page(
    topic: str | Iterable[str] | Callable[..., str | Iterable[str]],
    max_age: int = 60,
    timeout: int = PAGE_TIMEOUT,
):
    """Cache a public page's rendered bytes for anonymous visitors.

    `topic`: the topic(s) whose writes change this page (e.g. "members"), or a function of
    the view's arguments returning them (e.g. `lambda slug: ("members", "org:" + slug)`).
    `max_age`: how long browsers and proxies may reuse it without asking (then they get
    a 304 if nothing changed). `timeout`: how long the server keeps it at most.
    Hits are answered by `serve_cached_page` before the view runs.
    """
    spec = PageSpec(topic, max_age, timeout)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not _page_cache_on() or not anonymous_request():
                if _has_replica() and anonymous_request():  # page cache off: anonymous still
                    _allow_replica(cache.generations(spec.topics(kwargs)))
                response = mark_private(make_response(view(*args, **kwargs)))
                response.headers["X-Pactum-Cache"] = "bypass"
                return response
            found = g.pop("pactum_page", None)
            if found is None:  # the hook did not run (an app without it): look here
                key, generations, entry = _lookup(spec, kwargs)
                if entry is not None:
                    return _from_entry(entry, spec)
            else:
                key, generations = found
            if _has_replica():
                _allow_replica(generations)
            response = make_response(view(*args, **kwargs))
            if not _storable(response):
                response = mark_private(response)
                response.headers["X-Pactum-Cache"] = "bypass"
                return response
            body = response.get_data()
            now = int(time.time())
            entry = {
                "generations": generations,
                "body": body,
                "etag": body_etag(body),
                "last_modified": now,
                "last_modified_http": http_date(now),
                "content_type": response.content_type,
            }
            cache.set(key, entry, timeout=spec.timeout)
            _local_pages().put(key, entry, spec.timeout)
            session.accessed = True  # the answer varies with the cookie: say so (Vary)
            response.vary.update(("Cookie", "Accept-Language"))
            response.headers["X-Pactum-Cache"] = "miss"
            return finish(response, Validators.of(entry["etag"], now), spec.cache_control)

        wrapped.public_page_spec = spec
        return wrapped

    return decorator


def _has_replica() -> bool:
    return bool(current_app.config.get("SQLALCHEMY_BINDS", {}).get(REPLICA_BIND))


def _allow_replica(generations: str) -> None:
    """Let this anonymous request read from the replica, unless one of its topics changed
    less than REPLICA_MAX_LAG seconds ago: the replica may not have that write yet, and the
    page (or a fragment) rendered from it would be cached as current. Such pages are read
    from the primary until the write is that old."""
    newest = max((token_time(t) for t in generations.split(".") if t), default=0.0)
    read_from_replica(time.time() - newest >= current_app.config.get("REPLICA_MAX_LAG", 30.0))


# The topics of the public pages (see `TABLE_TOPICS` and `SIGNAL_TOPICS` in
# app.core.invalidation for the writes that make them stale).
HOME_TOPICS = ("home", "members", "charter", "reports")
MEMBER_TOPICS = ("members", "charter")


def member_page_topics(slug: str) -> tuple[str, ...]:
    """The topics of one member's own pages: its slug's (`profile_topic`), every member's
    (`PROFILES`) and the charter's (endorsement prompts, principle titles)."""
    return (PROFILES, "charter", profile_topic(slug))


def validated_by_topics(topics: Iterable[str], max_age: int = 300):
    """For public answers that cannot be stored whole (streamed downloads such as the members
    CSV): an ETag made of the release, the date, the locale, the URL and the generations of
    `topics`, and a Last-Modified of the latest write to them, so a client's conditional
    request is answered 304 without running the view at all."""
    topics = tuple(topics)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            generations = cache.generations(topics)
            state = current_app.extensions["pactum_cache"]
            etag = body_etag(f"{page_key()}|{state['release']}|{generations}".encode())
            stamps = [token_time(t) for t in generations.split(".") if t]
            validators = Validators.of(etag, int(max(stamps, default=0)) or None)
            return conditional(
                validators,
                lambda: view(*args, **kwargs),
                cache_control=cache_control(True, max_age),
            )

        return wrapped

    return decorator
