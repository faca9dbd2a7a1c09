"""Conditional GET (ETag / Last-Modified -> 304) and the full-page cache of public pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import flash, jsonify, render_template_string, session, stream_with_context
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event, select

from app import clock, create_app
from app.config import overrides_for_tests
from app.core.cache import cache
from app.core.http_cache import etag_response, public_page
from app.members.models import Organisation
from tests.conftest import login_as

MOMENT = dt.datetime(2026, 3, 1, 10, 0, 0, tzinfo=dt.UTC)
LATER = "Sun, 01 Mar 2026 11:00:00 GMT"
EARLIER = "Sun, 01 Mar 2026 09:00:00 GMT"


class Views:
    calls: dict[str, int] = {}

    @classmethod
    def hit(cls, name: str) -> None:
        cls.calls[name] = cls.calls.get(name, 0) + 1


_BUILT: list = []


@pytest.fixture(autouse=True)
def _dispose_built_apps():
    """Close the connection pools of the apps built here (PostgreSQL warns otherwise)."""
    yield
    from app.db import db

    for built in _BUILT:
        with built.app_context():
            db.engine.dispose()
    _BUILT.clear()


def _build(database_url, **config):
    from app.db import db

    app = create_app({**overrides_for_tests(database_url), **config})
    _BUILT.append(app)

    @app.get("/t/etag")
    def etag_bytes():
        return etag_response(
            b"%PDF-1.7 fake",
            etag="abc123",
            last_modified=MOMENT,
            max_age=3600,
            mimetype="application/pdf",
        )

    @app.get("/t/etag-missing")
    def etag_missing():
        return etag_response(app.response_class("gone", status=404), etag="abc123")

    @app.route("/t/etag-auto", methods=["GET", "POST"])
    def etag_auto():
        return etag_response("<p>computed</p>", public=False)

    @app.get("/t/page")
    @public_page(topic="members", max_age=30)
    def page():
        Views.hit("page")
        count = db.session.scalar(select(Organisation.id).limit(1))
        return f"<p>page {Views.calls['page']} {count}</p>"

    @app.get("/t/who")
    @public_page(topic="members")
    def who():
        Views.hit("who")
        name = current_user.email if current_user.is_authenticated else "anonymous"
        return f"<p>hello {name}</p>"

    @app.get("/t/locale")
    @public_page(topic="members")
    def locale():
        Views.hit("locale")
        return f"<p>{get_locale()}</p>"

    @app.get("/t/org/<slug>")
    @public_page(topic=lambda slug: ("members", f"org:{slug}"))
    def org(slug):
        Views.hit(f"org-{slug}")
        return f"<p>{slug} {Views.calls[f'org-{slug}']}</p>"

    @app.get("/t/cookie")
    @public_page(topic="members")
    def sets_cookie():
        Views.hit("cookie")
        session["seen"] = True
        return "<p>cookie</p>"

    @app.get("/t/csrf")
    @public_page(topic="members")
    def with_form():
        Views.hit("csrf")
        return render_template_string(
            '<form><input name="csrf_token" value="{{ csrf_token() }}"></form>'
        )

    @app.get("/t/flash")
    def set_flash():
        flash("Saved!", "success")
        return "ok"

    @app.get("/t/flashed")
    @public_page(topic="members")
    def shows_flashes():
        Views.hit("flashed")
        return render_template_string("{{ get_flashed_messages()|join(',') }}")

    @app.get("/t/missing")
    @public_page(topic="members")
    def missing():
        Views.hit("missing")
        return "<p>gone</p>", 404

    @app.get("/t/stream")
    @public_page(topic="members")
    def streamed():
        Views.hit("stream")
        return app.response_class(stream_with_context(iter(["a", "b"])), mimetype="text/csv")

    @app.get("/t/json")
    @public_page(topic="members")
    def as_json():
        Views.hit("json")
        return jsonify(items=[1, 2])

    return app


@pytest.fixture
def capp(database_url):
    Views.calls = {}
    app = _build(database_url)
    with app.app_context():
        cache.clear()
    return app


def _statements(app):
    from app.db import db

    with app.app_context():
        engine = db.engine
    seen = []

    def before(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return seen, lambda: event.remove(engine, "before_cursor_execute", before)


# etag_response ------------------------------------------------------------------------------


def test_etag_response_sends_validators_and_answers_304(capp):
    client = capp.test_client()
    first = client.get("/t/etag")
    assert first.status_code == 200
    assert first.headers["ETag"] == '"abc123"'
    assert first.headers["Last-Modified"] == "Sun, 01 Mar 2026 10:00:00 GMT"
    assert "public" in first.headers["Cache-Control"]
    assert "max-age=3600" in first.headers["Cache-Control"]
    assert first.mimetype == "application/pdf"

    again = client.get("/t/etag", headers={"If-None-Match": '"abc123"'})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == '"abc123"'
    assert client.get("/t/etag", headers={"If-None-Match": 'W/"abc123"'}).status_code == 304
    assert client.get("/t/etag", headers={"If-None-Match": '"other", "abc123"'}).status_code == 304
    assert client.get("/t/etag", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/t/etag", headers={"If-Modified-Since": LATER}).status_code == 304
    assert client.get("/t/etag", headers={"If-Modified-Since": EARLIER}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110).
    assert (
        client.get(
            "/t/etag", headers={"If-None-Match": '"other"', "If-Modified-Since": LATER}
        ).status_code
        == 200
    )


def test_etag_response_computes_an_etag_and_leaves_posts_alone(capp):
    client = capp.test_client()
    first = client.get("/t/etag-auto")
    etag = first.headers["ETag"]
    assert etag and "private" in first.headers["Cache-Control"]
    assert "must-revalidate" in first.headers["Cache-Control"]
    assert client.get("/t/etag-auto", headers={"If-None-Match": etag}).status_code == 304
    capp.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/t/etag-auto", headers={"If-None-Match": etag}).status_code == 200
    missing = client.get("/t/etag-missing", headers={"If-None-Match": '"abc123"'})
    assert missing.status_code == 404 and "ETag" not in missing.headers


# The page cache -------------------------------------------------------------------------------


def test_anonymous_page_is_rendered_once_then_served_without_queries(capp, db, org_a):
    db.session.commit()
    client = capp.test_client()
    seen, stop = _statements(capp)
    try:
        miss = client.get("/t/page")
        queries_on_miss = len(seen)
        seen.clear()
        hit = client.get("/t/page")
        queries_on_hit = len(seen)
    finally:
        stop()
    assert miss.headers["X-Pactum-Cache"] == "miss"
    assert hit.headers["X-Pactum-Cache"] == "hit"
    assert hit.data == miss.data and Views.calls["page"] == 1
    assert queries_on_miss >= 1 and queries_on_hit == 0
    assert hit.headers["ETag"] == miss.headers["ETag"]
    assert hit.headers["Last-Modified"] == miss.headers["Last-Modified"]
    assert "public" in hit.headers["Cache-Control"] and "max-age=30" in hit.headers["Cache-Control"]
    assert {"Cookie", "Accept-Language"} <= set(hit.headers["Vary"].replace(" ", "").split(","))
    assert "Content-Security-Policy" in hit.headers, "the app's security headers still apply"
    assert "Set-Cookie" not in hit.headers
    not_modified = client.get("/t/page", headers={"If-None-Match": hit.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert client.head("/t/page").status_code == 200
    assert Views.calls["page"] == 1


def test_hits_are_answered_before_any_other_request_hook(capp):
    """Rate-limit bookkeeping and every other before_request function are skipped on a hit."""
    from app.core.http_cache import serve_cached_page

    assert capp.before_request_funcs[None][0] is serve_cached_page
    seen = []
    capp.before_request_funcs[None].append(lambda: seen.append(1))
    client = capp.test_client()
    client.get("/t/page")
    assert seen == [1], "a miss runs the whole request"
    client.get("/t/page")
    assert seen == [1], "a hit does not"


def test_conditional_requests_on_cached_pages(capp):
    client = capp.test_client()
    first = client.get("/t/page")
    last_modified = first.headers["Last-Modified"]
    assert client.get("/t/page", headers={"If-Modified-Since": last_modified}).status_code == 304
    assert (
        client.get(
            "/t/page", headers={"If-Modified-Since": "Sun, 01 Mar 2020 09:00:00 GMT"}
        ).status_code
        == 200
    )
    assert (
        client.get(
            "/t/page", headers={"If-None-Match": '"nope"', "If-Modified-Since": last_modified}
        ).status_code
        == 200
    )
    assert client.get("/t/page", headers={"If-Match": '"nope"'}).status_code == 412
    head = client.head("/t/page")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["X-Pactum-Cache"] == "hit"


def test_a_write_to_the_topic_makes_the_next_visitor_see_fresh_content(capp):
    client = capp.test_client()
    first = client.get("/t/page").data
    assert client.get("/t/page").data == first
    with capp.app_context():
        cache.invalidate("members")
    fresh = client.get("/t/page")
    assert fresh.headers["X-Pactum-Cache"] == "miss" and fresh.data != first
    with capp.app_context():
        cache.invalidate("charter")  # unrelated topic
    assert client.get("/t/page").headers["X-Pactum-Cache"] == "hit"


def test_topics_from_view_arguments(capp):
    client = capp.test_client()
    client.get("/t/org/alpha")
    client.get("/t/org/beta")
    with capp.app_context():
        cache.invalidate("org:alpha")
    assert client.get("/t/org/alpha").headers["X-Pactum-Cache"] == "miss"
    assert client.get("/t/org/beta").headers["X-Pactum-Cache"] == "hit"


def test_query_string_and_locale_are_part_of_the_key(capp):
    client = capp.test_client()
    client.get("/t/page?page=1")
    assert client.get("/t/page?page=2").headers["X-Pactum-Cache"] == "miss"
    assert client.get("/t/page?page=1").headers["X-Pactum-Cache"] == "hit"
    english = client.get("/t/locale", headers={"Accept-Language": "en"})
    french = client.get("/t/locale", headers={"Accept-Language": "fr"})
    assert english.data == b"<p>en</p>" and french.data == b"<p>fr</p>"
    assert client.get("/t/locale", headers={"Accept-Language": "fr"}).data == b"<p>fr</p>"
    assert Views.calls["locale"] == 2
    switching = client.get("/t/locale?lang=fr")
    assert switching.headers["X-Pactum-Cache"] == "bypass", "?lang= sets a cookie: not cached"


def test_logged_in_users_bypass_the_cache_and_never_fill_it(capp, db, rep_a):
    db.session.commit()
    member = capp.test_client()
    login_as(member, rep_a)
    personal = member.get("/t/who")
    assert personal.headers["X-Pactum-Cache"] == "bypass"
    assert b"rep@alpha.example" in personal.data
    assert "private" in personal.headers["Cache-Control"]
    anonymous = capp.test_client().get("/t/who")
    assert anonymous.data == b"<p>hello anonymous</p>"
    assert anonymous.headers["X-Pactum-Cache"] == "miss"
    assert member.get("/t/who").data == personal.data, "and a cached anonymous page is not served"
    assert Views.calls["who"] == 3


def test_remember_cookie_means_logged_in(capp):
    client = capp.test_client()
    client.set_cookie("remember_token", "1|whatever")
    assert client.get("/t/page").headers["X-Pactum-Cache"] == "bypass"


def test_pages_that_set_cookies_or_carry_a_csrf_token_are_not_stored(capp):
    client = capp.test_client()
    first = client.get("/t/cookie")
    assert "Set-Cookie" in first.headers
    assert first.headers["X-Pactum-Cache"] == "bypass"
    assert capp.test_client().get("/t/cookie").headers["X-Pactum-Cache"] == "bypass"
    # A visitor whose session already holds a CSRF secret (say, after seeing a form):
    # rendering the token changes nothing in the session, yet the page is theirs alone.
    # (Flask-Login's "basic" session protection marks such a session not fresh once: the
    # second answer still sets the cookie, the third no longer does.)
    visitor = capp.test_client()
    for _ in range(3):
        again = visitor.get("/t/csrf")
        assert again.headers["X-Pactum-Cache"] == "bypass"
    assert "Set-Cookie" not in again.headers
    token = re.search(rb'value="([^"]+)"', again.data).group(1)
    stranger = capp.test_client().get("/t/csrf")
    assert token not in stranger.data
    assert Views.calls["csrf"] == 4, "each visitor gets their own token"


def test_pending_flash_messages_bypass_the_cache(capp):
    client = capp.test_client()
    capp.test_client().get("/t/flashed")  # an anonymous visitor fills the cache
    client.get("/t/flash")
    shown = client.get("/t/flashed")
    assert shown.headers["X-Pactum-Cache"] == "bypass"
    assert b"Saved!" in shown.data
    assert client.get("/t/flashed").headers["X-Pactum-Cache"] == "hit"


def test_errors_and_streams_are_not_stored_json_is(capp):
    client = capp.test_client()
    for _ in range(2):
        assert client.get("/t/missing").status_code == 404
        assert client.get("/t/stream").data == b"ab"
    assert Views.calls["missing"] == 2 and Views.calls["stream"] == 2
    first = client.get("/t/json")
    second = client.get("/t/json")
    assert second.headers["X-Pactum-Cache"] == "hit" and second.json == {"items": [1, 2]}
    assert second.mimetype == first.mimetype == "application/json"


def test_page_cache_can_be_switched_off(database_url):
    Views.calls = {}
    app = _build(database_url, PAGE_CACHE=False)
    client = app.test_client()
    client.get("/t/page")
    assert client.get("/t/page").headers["X-Pactum-Cache"] == "bypass"
    assert Views.calls["page"] == 2


def test_workers_share_cached_pages_and_invalidations(database_url, tmp_path):
    """Two workers (two app instances) on the machine's shared SQLite cache."""
    Views.calls = {}
    config = {"CACHE_BACKEND": "sqlite", "CACHE_SQLITE_PATH": str(tmp_path / "pages.sqlite3")}
    worker_1, worker_2 = _build(database_url, **config), _build(database_url, **config)
    first = worker_1.test_client().get("/t/page")
    served = worker_2.test_client().get("/t/page")
    assert served.headers["X-Pactum-Cache"] == "hit" and served.data == first.data
    with worker_2.app_context():
        cache.invalidate("members")
    assert worker_1.test_client().get("/t/page").headers["X-Pactum-Cache"] == "miss"


def test_a_worker_never_serves_its_own_copy_after_another_worker_invalidated(
    database_url, tmp_path
):
    """Each worker keeps copies of the pages it served; they are checked against the shared
    generations on every hit, so an invalidation by any worker reaches every copy."""
    Views.calls = {}
    config = {"CACHE_BACKEND": "sqlite", "CACHE_SQLITE_PATH": str(tmp_path / "pages.sqlite3")}
    worker_1, worker_2 = _build(database_url, **config), _build(database_url, **config)
    client_1, client_2 = worker_1.test_client(), worker_2.test_client()
    assert client_1.get("/t/page").headers["X-Pactum-Cache"] == "miss"
    assert client_1.get("/t/page").headers["X-Pactum-Cache"] == "hit"  # its own copy
    assert client_2.get("/t/page").headers["X-Pactum-Cache"] == "hit"  # from the shared store
    with worker_2.app_context():
        cache.invalidate("members")
    assert client_1.get("/t/page").headers["X-Pactum-Cache"] == "miss"
    assert client_2.get("/t/page").headers["X-Pactum-Cache"] == "hit"  # worker 1 stored it


def test_another_process_write_reaches_a_worker_copy_within_the_check_interval(
    database_url, tmp_path, monkeypatch
):
    """A write by another process bumps the token in the shared store without touching this
    process: the worker's own copy may be served for up to LOCAL_CHECK_SECONDS, never after."""
    from app.core import http_cache

    Views.calls = {}
    config = {"CACHE_BACKEND": "sqlite", "CACHE_SQLITE_PATH": str(tmp_path / "pages.sqlite3")}
    worker = _build(database_url, **config)
    client = worker.test_client()
    client.get("/t/page")
    assert client.get("/t/page").headers["X-Pactum-Cache"] == "hit"
    with worker.app_context():
        cache.backend.set("gen:members", "ffffffffffffffff00000000", timeout=0)  # elsewhere
    monkeypatch.setattr(http_cache, "LOCAL_CHECK_SECONDS", 60.0)
    assert client.get("/t/page").headers["X-Pactum-Cache"] == "hit"  # within the interval
    monkeypatch.setattr(http_cache, "LOCAL_CHECK_SECONDS", 0.0)
    assert client.get("/t/page").headers["X-Pactum-Cache"] == "miss"  # checked again: stale


# Repeated hits answered before Flask (PageCacheMiddleware) ------------------------------------


def _flask_requests(app) -> list:
    """Requests Flask itself handled (its `request_started` signal)."""
    from flask import request_started

    seen: list = []

    def started(sender, **extra):
        seen.append(1)

    request_started.connect(started, app, weak=False)
    return seen


def test_a_repeated_hit_is_answered_before_flask_exactly_as_flask_answered_it(capp):
    client = capp.test_client()
    assert client.get("/t/page").headers["X-Pactum-Cache"] == "miss"
    through_flask = client.get("/t/page")  # a hit of the hook: the middleware learns it
    handled = _flask_requests(capp)
    again = client.get("/t/page")
    assert handled == [], "no request context, no hook, no view"
    assert again.status == through_flask.status == "200 OK"
    assert again.data == through_flask.data
    assert list(again.headers.items()) == list(through_flask.headers.items())
    assert again.headers["X-Pactum-Cache"] == "hit"
    assert again.headers["Content-Security-Policy"], "the after_request headers were learned"
    assert Views.calls["page"] == 1


def test_requests_that_may_differ_are_always_handled_by_flask(capp, db, rep_a):
    db.session.commit()
    client = capp.test_client()
    client.get("/t/page")
    client.get("/t/page")
    handled = _flask_requests(capp)
    client.get("/t/page")
    assert handled == []
    assert client.head("/t/page").status_code == 200
    assert client.get("/t/page", headers={"Range": "bytes=0-3"}).status_code in (200, 206)
    assert client.get("/t/page", headers={"If-Match": '"other"'}).status_code == 412
    assert client.get("/t/page?lang=fr").headers["X-Pactum-Cache"] == "bypass"
    assert len(handled) == 4
    member = capp.test_client()
    login_as(member, rep_a)
    handled.clear()
    assert member.get("/t/who").data == f"<p>hello {rep_a.email}</p>".encode()
    assert member.get("/t/who").data == f"<p>hello {rep_a.email}</p>".encode()
    assert len(handled) == 2, "a session cookie always goes to Flask"


def test_the_middleware_keeps_languages_apart(capp):
    client = capp.test_client()
    for _ in range(3):
        assert client.get("/t/locale", headers={"Accept-Language": "fr"}).data == b"<p>fr</p>"
        assert client.get("/t/locale", headers={"Accept-Language": "de"}).data == b"<p>de</p>"
        assert client.get("/t/locale").data == b"<p>en</p>"
    assert Views.calls["locale"] == 3


def test_a_write_or_a_new_day_is_seen_by_the_next_request(capp):
    client = capp.test_client()
    first = client.get("/t/page").data
    client.get("/t/page")
    assert client.get("/t/page").data == first
    with capp.app_context():
        cache.invalidate("members")  # this process's write: its tokens are read again
    fresh = client.get("/t/page")
    assert fresh.headers["X-Pactum-Cache"] == "miss" and fresh.data != first
    client.get("/t/page")
    handled = _flask_requests(capp)
    client.get("/t/page")
    assert handled == []
    clock.freeze(clock.now() + dt.timedelta(days=1))
    try:
        assert client.get("/t/page").headers["X-Pactum-Cache"] == "miss", "a new day's key"
    finally:
        clock.freeze(None)


def test_answers_given_before_flask_are_counted_in_the_metrics(capp):
    from app.ops.metrics import REQUESTS_TOTAL

    def count() -> float:
        return REQUESTS_TOTAL.labels("page", "GET", "200")._value.get()

    client = capp.test_client()
    client.get("/t/page")
    client.get("/t/page")
    handled = _flask_requests(capp)
    before = count()
    client.get("/t/page")
    client.get("/t/page")
    assert handled == [] and count() == before + 2


def test_a_repeated_revalidation_is_answered_304_before_flask(capp):
    client = capp.test_client()
    etag = client.get("/t/page").headers["ETag"]
    asked = {"If-None-Match": etag}
    through_flask = client.get("/t/page", headers=asked)
    handled = _flask_requests(capp)
    again = client.get("/t/page", headers=asked)
    assert handled == []
    assert again.status_code == through_flask.status_code == 304 and again.data == b""
    assert list(again.headers.items()) == list(through_flask.headers.items())
    stale = client.get("/t/page", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and len(handled) == 1
    with capp.app_context():
        cache.invalidate("members")
    assert client.get("/t/page", headers=asked).status_code == 200, "the page changed"
