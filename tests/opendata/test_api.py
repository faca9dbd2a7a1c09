"""/api/v1/reports, /reports/<slug>/<year>, /answers, /pledges, /principles: public data
only, filtered, paginated, refused with a 400 and a message per parameter."""

from __future__ import annotations

import pytest

from app.members.api_query import language_parameter
from app.members.schemas import components
from app.transparency.opendata.api_query import ANSWER_FILTERS, PAGE, PER_PAGE
from app.transparency.opendata.schemas import COMPONENTS


def _get(client, url, **args):
    response = client.get(url, query_string=args)
    return response, response.get_json()


def test_reports_list_only_accepted_reports_of_listed_members(client, world):
    response, body = _get(client, "/api/v1/reports")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    seen = {(r["member"]["slug"], r["year"]) for r in body["data"]}
    # zeta's 2025 report is submitted, not accepted
    assert ("zeta-payments", 2025) not in seen
    assert ("alpha-security", 2025) in seen and ("alpha-security", 2024) in seen
    beta = next(
        r for r in body["data"] if r["member"]["slug"] == "beta-telecom" and r["year"] == 2025
    )
    assert beta["version"] == 2 and beta["is_late"] is True
    assert beta["api_url"].endswith("/api/v1/reports/beta-telecom/2025")


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"year": "2024"}, {"alpha-security", "beta-telecom", "gamma-rights"}),
        ({"year": "2025", "country": "de"}, {"alpha-security", "delta-university"}),
        ({"category": "academia"}, {"delta-university"}),
        ({"member": "beta-telecom"}, {"beta-telecom"}),
        ({"status": "non_communicating", "year": "2024"}, {"gamma-rights"}),
    ],
)
def test_report_filters(client, world, args, expected):
    _response, body = _get(client, "/api/v1/reports", **args)
    assert {r["member"]["slug"] for r in body["data"]} >= expected
    assert {r["member"]["slug"] for r in body["data"]} <= expected | {"eta-grid"}


def test_one_report_has_its_public_answers_only(client, world):
    response, body = _get(client, "/api/v1/reports/alpha-security/2025")
    assert response.status_code == 200
    questions = {a["lineage"]: a for s in body["sections"] for a in s["answers"]}
    assert set(questions) == {"mfa", "days", "story"}
    assert questions["days"]["value"] == 10
    assert "ciso" not in response.get_data(as_text=True)
    assert "Officer" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/zeta-payments/2025",  # submitted, not accepted
        "/api/v1/reports/nobody/2025",
        "/api/v1/reports/alpha-security/1999",
        "/api/v1/reports/Alpha%00/2025",
    ],
)
def test_missing_reports_are_404_in_json(client, world, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.is_json


def test_answers_filters_and_pages(client, world):
    _response, body = _get(client, "/api/v1/answers", lineage="days", year="2025")
    values = {a["member"]["slug"]: a["value"] for a in body["data"]}
    assert values == {"alpha-security": 10, "beta-telecom": 30, "delta-university": 7}
    assert all(a["principle"] == 2 for a in body["data"])
    _response, body = _get(client, "/api/v1/answers", principle="1", member="alpha-security")
    assert {(a["year"], a["value"]) for a in body["data"]} == {(2024, True), (2025, True)}
    _response, body = _get(client, "/api/v1/answers", per_page="2", page="2")
    assert body["meta"]["page"] == 2 and len(body["data"]) == 2
    assert body["links"]["prev"].endswith("page=1&per_page=2")
    text = client.get("/api/v1/answers?per_page=100").get_data(as_text=True)
    assert "ciso" not in text and "Internal contact" not in text


def test_pledges_and_principles(client, world):
    _response, body = _get(client, "/api/v1/pledges", member="beta-telecom")
    assert [p["title"] for p in body["data"]] == ["Bug bounty"]
    assert body["data"][0]["principles"] == ["P2"]
    _response, body = _get(client, "/api/v1/principles")
    assert [p["number"] for p in body["data"]] == [1, 2, 3]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports?year=abc",
        "/api/v1/reports?country=Germany",
        "/api/v1/reports?status=applicant",
        "/api/v1/answers?principle=-1",
        "/api/v1/answers?lineage=a%20b",
        "/api/v1/answers?member=%F0%9F%9A%80",
        "/api/v1/pledges?status=nope",
        "/api/v1/principles?per_page=1000",
        "/api/v1/reports?page=0",
    ],
)
def test_malformed_filters_are_400_with_a_message(client, world, url):
    response = client.get(url)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"]["fields"]


def test_the_document_publishes_these_resources(client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    published = document["components"]["schemas"]
    assert {name: published[name] for name in components(COMPONENTS)} == components(COMPONENTS)
    listed = document["paths"]["/answers"]["get"]["parameters"]
    expected = [p.document() for p in (*ANSWER_FILTERS, PAGE, PER_PAGE)]
    assert listed == [*expected, language_parameter()]  # every operation takes `lang`
