"""Request hardening (issue 17): integers in URLs and query strings, Cache-Control on
authenticated pages, production cookies and CSP."""

from __future__ import annotations

import re

import pytest

from app.core.params import MAX_INT, BoundedInt, int_arg, parse_int
from tests.conftest import login_as
from tests.reporting.builders_filling import build_cycle

HUGE = "99999999999999999999"
ODD_NUMBERS = [HUGE, str(MAX_INT + 1), "9" * 5000, "²", "٣", "１２"]


# Integers in URL paths ---------------------------------------------------------------------


def test_the_overflowing_evidence_id_of_the_assessment_is_a_404(client, secretariat, db):
    db.session.commit()
    login_as(client, secretariat)
    assert client.get(f"/reports/evidence/{HUGE}").status_code == 404
    assert client.get(f"/reports/evidence/{MAX_INT}").status_code == 404  # fits: not found


def test_every_int_converter_is_bounded(app):
    rules = [r for r in app.url_map.iter_rules() if "int:" in r.rule]
    assert len(rules) > 30
    for rule in rules:
        for name, converter in rule._converters.items():
            if rule.rule.find(f"<int:{name}>") >= 0:
                assert isinstance(converter, BoundedInt), rule.rule
                assert converter.max == MAX_INT, rule.rule


def _int_urls(app, value: str) -> list[str]:
    """Every GET rule with an int in its path, that int replaced by `value`."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "<int:" not in rule.rule:
            continue
        url = re.sub(r"<int:\w+>", value, rule.rule)
        urls.append(re.sub(r"<(?:\w+:)?\w+>", "alpha-org", url))
    return urls


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_no_odd_integer_in_a_path_is_a_500(app, secretariat, org_a, db, value):
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    failures = []
    for url in _int_urls(app, value):
        status = client.get(url).status_code
        if status != 404:
            failures.append(f"{url[:80]}: {status}")
    assert not failures


def test_in_range_integers_still_route_and_build(app, client):
    assert client.get("/charter/v/1").status_code == 404  # no charter: the view's own 404
    with app.test_request_context():
        from flask import url_for

        assert url_for("reporting.evidence", evidence_id=MAX_INT).endswith(str(MAX_INT))


# Integers in query strings -----------------------------------------------------------------


def test_parse_int_takes_ascii_digits_within_bounds_only():
    assert parse_int("42") == 42 and parse_int(" 7 ") == 7
    assert parse_int(str(MAX_INT)) == MAX_INT
    for raw in [*ODD_NUMBERS, "", None, "-1", "1e3", "0x10", "4.0"]:
        assert parse_int(raw) is None, raw
    assert parse_int("5", low=1, high=4) is None
    assert int_arg({"page": HUGE}, "page", 1) == 1
    assert int_arg({"page": "0"}, "page", 1) == 1  # below low
    assert int_arg({}, "page", 3) == 3


QUERY_PAGES = [
    "/secretariat/audit?page={}",
    "/secretariat/users?organisation={}",
    "/secretariat/cycles/2026/preview?section={}",
    "/secretariat/review?page={}&year={}",
    "/secretariat/organisations?page={}",
    "/members?page={}",
    "/api/v1/members?page={}&per_page={}",
]


@pytest.mark.parametrize("template", QUERY_PAGES)
def test_no_odd_integer_in_a_query_string_is_a_500(app, secretariat, org_a, db, template):
    build_cycle(secretariat)
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    for value in ODD_NUMBERS:
        status = client.get(template.format(value, value)).status_code
        assert status < 500, (template, value[:20], status)


def test_a_huge_audit_page_is_answered(client, secretariat, db):
    db.session.commit()
    login_as(client, secretariat)
    response = client.get(f"/secretariat/audit?page={HUGE}")
    assert response.status_code == 200


def test_a_huge_section_in_the_preview_shows_the_first(client, secretariat, db):
    build_cycle(secretariat)
    db.session.commit()
    login_as(client, secretariat)
    assert client.get("/secretariat/cycles/2026/preview?section=" + "9" * 5000).status_code == 200


def test_the_invitation_form_ignores_a_huge_organisation(client, secretariat, org_a, db):
    db.session.commit()
    login_as(client, secretariat)
    assert client.get(f"/secretariat/users?organisation={'9' * 5000}").status_code == 200
    page = client.get(f"/secretariat/users?organisation={org_a.id}").get_data(as_text=True)
    assert re.search(
        rf'<option[^>]*selected[^>]*value="{org_a.id}"|value="{org_a.id}" selected', page
    )


# Cache-Control on pages for one person -----------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/dashboard", "/account", "/my/reports", "/secretariat/users", "/secretariat/audit"]
)
def test_authenticated_pages_are_private_and_not_stored(app, secretariat, rep_a, db, url):
    db.session.commit()
    client = app.test_client()
    login_as(client, rep_a if url.startswith("/my/") else secretariat)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_view_that_sets_its_own_cache_control_keeps_it(client, secretariat, db):
    db.session.commit()
    login_as(client, secretariat)
    response = client.get("/")  # a public page, answered privately to a logged-in visitor
    assert "no-store" not in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


def test_public_pages_for_anonymous_visitors_stay_cacheable(client, db):
    for url in ["/", "/members", "/charter"]:
        response = client.get(url)
        assert "no-store" not in response.headers.get("Cache-Control", ""), url
    assert client.get("/api/v1/members").headers["Cache-Control"] == "public, max-age=60"
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


# Production cookies and CSP ----------------------------------------------------------------


def test_csp_forbids_base_elements(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "base-uri 'none'" in csp and "base-uri 'self'" not in csp


@pytest.fixture
def production_app(database_url, smtp_server):
    from app import create_app
    from app.config import overrides_for_tests

    config = overrides_for_tests(database_url)
    config.update(SECURE_COOKIES=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server[0].port)
    return create_app(config)


def _https_login(client, email: str, password: str, remember: bool = True):
    page = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    data = {"email": email, "password": password, "csrf_token": token.group(1)}
    if remember:
        data["remember"] = "y"
    # Over HTTPS, Flask-WTF also wants a same-origin Referer (WTF_CSRF_SSL_STRICT).
    return client.post("/login", data=data, headers={"Referer": "https://localhost/login"})


def test_production_cookies_carry_the_host_prefix(production_app, secretariat, db):
    from tests.factories import PASSWORD

    db.session.commit()
    client = production_app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    response = _https_login(client, secretariat.email, PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    cookies = response.headers.getlist("Set-Cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert names == {"__Host-session", "__Host-remember_token"}
    for cookie in cookies:
        attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
        assert "secure" in attributes and "httponly" in attributes, cookie
        assert "path=/" in attributes, cookie
        assert not any(a.startswith("domain=") for a in attributes), cookie
    assert client.get("/dashboard").status_code == 200  # the prefixed cookie logs in
    assert "Strict-Transport-Security" in client.get("/").headers


def test_development_cookies_keep_their_plain_names(client, secretariat, db):
    from tests.conftest import csrf_token

    csrf_token(client, "/login")
    assert client.get_cookie("session") is not None
    assert client.get_cookie("__Host-session") is None


def test_production_setting_follows_pactum_env(monkeypatch, database_url):
    from app import create_app
    from app.config import overrides_for_tests

    monkeypatch.setenv("PACTUM_ENV", "production")
    monkeypatch.setenv("PACTUM_SECRET_KEY", "x" * 40)
    config = overrides_for_tests(database_url)
    config.pop("SECRET_KEY")
    app = create_app(config)
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["REMEMBER_COOKIE_NAME"] == "__Host-remember_token"
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
