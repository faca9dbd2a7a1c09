"""Open data read by real parsers: the CSV with `csv`, the JSON with jsonschema against the
OpenAPI document's own schemas, the Atom feed with feedparser."""

from __future__ import annotations

import csv
import datetime as dt
import io

import feedparser
import pytest
from jsonschema import Draft202012Validator

from app.core.services import store_file
from app.members.feeds import CSV_COLUMNS, neutralise
from tests.factories import make_org
from tests.members import builders
from tests.querycount import count_queries


@pytest.fixture
def world(db, version, principles, secretariat):
    from app.members.services import change_status

    alpha = make_org(
        name="Alpha Cloud",
        country="DE",
        sector="Cloud",
        joined_on=dt.date(2023, 5, 1),
        website="https://alpha.example",
        description_md="We host *things*.",
    )
    alpha.logo_sha256 = store_file(builders.image_bytes(), "image/png").sha256
    builders.endorse(alpha, version)
    builders.make_pledge(alpha, principles[:2], title="Public pledge")
    builders.make_pledge(alpha, principles[:1], title="Quiet pledge", is_public=False)
    make_org(
        name='=HYPERLINK("http://evil.example")',
        country="FR",
        sector=None,
        category="civil_society",
        joined_on=dt.date(2024, 2, 1),
        legal_name="+1 Ltd",
    )
    suspended = make_org(
        name="Gamma Uni", country="KE", category="academia", joined_on=dt.date(2024, 9, 1)
    )
    change_status(
        secretariat, suspended, "suspended", reason="internal", public_reason="Under review."
    )
    make_org(name="Hidden Applicant", status="applicant")
    db.session.commit()
    return alpha


def schema_validator(doc: dict, name: str) -> Draft202012Validator:
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


# CSV ------------------------------------------------------------------------------------------


def read_csv(client, url="/members.csv") -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == CSV_COLUMNS
    return list(reader)


def test_csv_lists_members_and_neutralises_formulas(client, world):
    rows = read_csv(client)
    # Sorted by name: "=" sorts before letters.
    assert [r["slug"] for r in rows] == ["hyperlink-http-evil-example", "alpha-cloud", "gamma-uni"]
    alpha = rows[1]
    assert alpha["country"] == "DE" and alpha["country_name"] == "Germany"
    assert alpha["sector"] == "Cloud" and alpha["endorsed_charter_version"] == "1"
    assert alpha["joined_on"] == "2023-05-01" and alpha["profile_url"].endswith(
        "/members/alpha-cloud"
    )
    dt.datetime.fromisoformat(alpha["status_since"])
    evil = rows[0]
    assert evil["name"] == '\'=HYPERLINK("http://evil.example")'
    assert evil["legal_name"] == "'+1 Ltd"
    assert rows[2]["status"] == "suspended"


def test_csv_takes_the_directory_filters(client, world):
    assert [r["name"] for r in read_csv(client, "/members.csv?country=KE")] == ["Gamma Uni"]
    assert [r["name"] for r in read_csv(client, "/members.csv?sort=newest")][0] == "Gamma Uni"
    response = client.get("/members.csv?country=ZZ")
    assert response.status_code == 400 and "Unknown country code" in response.get_data(as_text=True)


def test_csv_streams_in_batches(client, db, version, monkeypatch):
    from app.members import feeds

    monkeypatch.setattr(feeds, "BATCH_SIZE", 7)
    for i in range(30):
        make_org(name=f"Org {i:02d}", joined_on=dt.date(2020, 1, 1) + dt.timedelta(days=i))
    db.session.commit()
    for sort, first in (("name", "Org 00"), ("newest", "Org 29"), ("oldest", "Org 00")):
        rows = read_csv(client, f"/members.csv?sort={sort}")
        assert len(rows) == 30 and rows[0]["name"] == first
        assert len({r["slug"] for r in rows}) == 30


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+33 1", "'+33 1"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("Plain", "Plain"),
        ("", ""),
        (None, ""),
        (3, "3"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


# JSON API -----------------------------------------------------------------------------------------


def test_openapi_document_is_valid(openapi):
    assert openapi["openapi"] == "3.1.0"
    assert {"/members", "/members/{slug}"} <= set(openapi["paths"])
    for name, schema in openapi["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        assert name
    # Every $ref resolves.
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(openapi)
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in openapi["components"]["schemas"]
    parameters = {p["name"] for p in openapi["paths"]["/members"]["get"]["parameters"]}
    assert parameters == {
        "q",
        "country",
        "sector",
        "category",
        "status",
        "year",
        "sort",
        "page",
        "per_page",
        "lang",
    }


def test_member_list_matches_its_schema(app, client, world, openapi):
    response = client.get("/api/v1/members?per_page=2")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    schema_validator(openapi, "MemberList").validate(body)
    assert body["meta"] == {
        "page": 1,
        "per_page": 2,
        "total": 3,
        "pages": 2,
        "filters": {},
        "lang": "en",
    }
    assert [m["slug"] for m in body["data"]] == ["hyperlink-http-evil-example", "alpha-cloud"]
    assert body["links"]["next"].endswith("/api/v1/members?page=2&per_page=2")
    assert body["links"]["prev"] is None
    alpha = body["data"][1]
    assert alpha["endorsed_charter_version"] == 1 and alpha["sector"] == {
        "slug": "cloud",
        "name": "Cloud",
    }
    site = app.config["SERVER_URL"]  # the one rule for absolute links (app.core.links)
    assert alpha["logo_url"].startswith(f"{site}/members/alpha-cloud/logo?v=")
    dt.datetime.fromisoformat(alpha["status_since"])
    second = client.get(body["links"]["next"]).get_json()
    assert [m["slug"] for m in second["data"]] == ["gamma-uni"]
    statuses = {f["value"]: f["count"] for f in body["facets"]["status"]}
    assert statuses == {"active": 2, "suspended": 1}


def test_member_list_filters(client, world, openapi):
    body = client.get("/api/v1/members?status=suspended&country=ke").get_json()
    schema_validator(openapi, "MemberList").validate(body)
    assert [m["name"] for m in body["data"]] == ["Gamma Uni"]
    assert body["meta"]["filters"] == {"country": "KE", "status": "suspended"}
    assert client.get("/api/v1/members?q=zzz").get_json()["data"] == []


@pytest.mark.parametrize(
    "query",
    [
        "country=Germany",
        "status=applicant",
        "year=abc",
        "page=0",
        "per_page=101",
        "per_page=x",
        "sort=up",
        "category=spy",
        "sector=nope",
    ],
)
def test_member_list_rejects_bad_filters(client, world, openapi, query):
    response = client.get(f"/api/v1/members?{query}")
    assert response.status_code == 400 and response.mimetype == "application/json"
    body = response.get_json()
    schema_validator(openapi, "Error").validate(body)
    assert body["error"]["fields"]


def test_member_detail_matches_its_schema(client, world, openapi):
    response = client.get("/api/v1/members/alpha-cloud")
    assert response.status_code == 200
    body = response.get_json()
    schema_validator(openapi, "MemberDetail").validate(body)
    assert body["description"] == "We host *things*."
    assert [p["title"] for p in body["pledges"]] == ["Public pledge"]
    assert body["pledges"][0]["principles"] == ["P1", "P2"]
    assert body["endorsements"][0]["charter_version"] == 1
    suspended = client.get("/api/v1/members/gamma-uni").get_json()
    schema_validator(openapi, "MemberDetail").validate(suspended)
    assert suspended["status_history"][0]["public_reason"] == "Under review."
    assert "internal" not in str(suspended)


def test_unknown_and_hidden_members_are_404_json(client, world, openapi):
    for slug in ("nobody", "hidden-applicant"):
        response = client.get(f"/api/v1/members/{slug}")
        assert response.status_code == 404 and response.mimetype == "application/json"
        schema_validator(openapi, "Error").validate(response.get_json())


def test_api_queries_do_not_grow_with_data(client, db, version):
    for i in range(5):
        make_org(name=f"Org {i}")
    db.session.commit()
    client.get("/api/v1/members")
    with count_queries() as few:
        client.get("/api/v1/members?per_page=100")
    for i in range(5, 150):
        make_org(name=f"Org {i}")
    db.session.commit()
    with count_queries() as many:
        client.get("/api/v1/members?per_page=100")
    assert few.count == many.count <= 3


# Atom feed ------------------------------------------------------------------------------------------


def test_feed_lists_new_signatories(app, client, world):
    response = client.get("/members/feed.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert "new signatories" in feed.feed.title
    titles = [e.title for e in feed.entries]
    assert titles == ["Gamma Uni", '=HYPERLINK("http://evil.example")', "Alpha Cloud"]
    alpha = feed.entries[2]
    assert alpha.link == f"{app.config['SERVER_URL']}/members/alpha-cloud"
    assert alpha.id.startswith("urn:uuid:")
    assert alpha.published_parsed[:3] == (2023, 5, 1)
    assert "Germany" in alpha.summary and "We host things." in alpha.summary
    assert feed.feed.updated_parsed[:3] == (2024, 9, 1)
    again = client.get("/members/feed.atom", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_empty_feed_is_valid(client, db):
    feed = feedparser.parse(client.get("/members/feed.atom").data)
    assert not feed.bozo and feed.entries == []


def test_open_data_page_links_everything(client, db):
    body = client.get("/open-data").get_data(as_text=True)
    for href in ("/members.csv", "/api/v1/openapi.json", "/members/feed.atom", "/api/v1/members"):
        assert f'href="{href}' in body
