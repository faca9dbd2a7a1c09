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


def test_a_huge_audit_page_shows_the_first(client, secretariat, db):
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
