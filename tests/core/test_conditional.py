"""The one conditional-GET helper (app.core.conditional), on Werkzeug's comparison."""

from __future__ import annotations

import datetime as dt

from flask import flash

from app.core.conditional import Validators, cache_control, conditional

MOMENT = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
SINCE = "Sun, 01 Mar 2026 09:00:00 GMT"


def _answer(app, headers=None, validators=None, page=False, status=200, setup=None):
    built = []

    def build():
        built.append(True)
        return "body", status

    with app.test_request_context("/", headers=headers or {}):
        if setup:
            setup()
        response = conditional(
            validators or Validators.of("abc", MOMENT),
            build,
            cache_control=cache_control(no_cache=True),
            vary="Cookie",
            page=page,
        )
    return response, bool(built)


def test_a_304_is_answered_without_building_the_body(app):
    response, built = _answer(app, {"If-None-Match": '"abc"'})
    assert response.status_code == 304 and not built
    assert response.headers["ETag"] == '"abc"' and response.headers["Vary"] == "Cookie"
    assert _answer(app, {"If-None-Match": 'W/"abc"'})[0].status_code == 304
    assert _answer(app, {"If-Modified-Since": SINCE})[0].status_code == 304


def test_if_none_match_wins_over_if_modified_since(app):
    response, built = _answer(app, {"If-None-Match": '"other"', "If-Modified-Since": SINCE})
    assert response.status_code == 200 and built
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert response.headers["Last-Modified"] == SINCE


def test_a_personal_answer_is_not_proved_current_by_a_date_alone(app):
    personal = Validators.of("abc", MOMENT, personal=True)
    assert _answer(app, {"If-Modified-Since": SINCE}, personal)[0].status_code == 200
    assert _answer(app, {"If-None-Match": '"abc"'}, personal)[0].status_code == 304


def test_a_page_showing_a_flash_message_is_never_a_304_nor_stored(app):
    response, built = _answer(
        app, {"If-None-Match": '"abc"'}, page=True, setup=lambda: flash("Saved.")
    )
    assert response.status_code == 200 and built
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


def test_errors_and_redirects_go_out_as_built(app):
    response, _built = _answer(app, status=404)
    assert response.status_code == 404 and "ETag" not in response.headers


def test_cache_control_values():
    assert cache_control() == "public, max-age=0, must-revalidate"
    assert cache_control(max_age=300) == "public, max-age=300"
    assert cache_control(max_age=31536000, immutable=True) == "public, max-age=31536000, immutable"
    assert cache_control(public=False, no_cache=True) == "private, no-cache"
