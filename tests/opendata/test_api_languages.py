"""The API, the feeds and the open data say which language each text is in, and the API
takes `?lang=` among the alliance's languages (issue 18)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from app.db import db
from app.reporting.models import ReportVersion

NBSP = "\u00a0"
LISTS = ("/api/v1/members", "/api/v1/reports", "/api/v1/answers", "/api/v1/pledges")


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/principles"])
def test_every_list_says_its_language_and_keeps_it_in_its_links(client, world, url):
    body = client.get(url, query_string={"lang": "fr", "per_page": 1}).get_json()
    assert body["meta"]["lang"] == "fr"
    assert "lang" not in body["meta"]["filters"]
    assert "lang=fr" in body["links"]["self"] and "lang=fr" in body["links"]["last"]
    assert client.get(url).get_json()["meta"]["lang"] == "en"


def test_the_language_follows_the_browser_among_the_alliances(client, world):
    body = client.get("/api/v1/reports", headers={"Accept-Language": "de, fr;q=0.5"}).get_json()
    assert body["meta"]["lang"] == "de"
    body = client.get("/api/v1/reports", headers={"Accept-Language": "ja"}).get_json()
    assert body["meta"]["lang"] == "en"


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/members/alpha-security"])
def test_a_language_the_alliance_does_not_work_in_is_a_400(client, world, url):
    response = client.get(url, query_string={"lang": "xx"})
    assert response.status_code == 400
    body = response.get_json()
    assert set(body["error"]["fields"]) == {"lang"}
    assert "en, fr, es, de" in body["error"]["fields"]["lang"]


def test_an_api_request_in_another_language_sets_no_cookie(client, world):
    response = client.get("/api/v1/members", query_string={"lang": "fr"})
    assert "Set-Cookie" not in response.headers
    # ... and the pages are not switched to French by it.
    assert '<html lang="en">' in client.get("/members").get_data(as_text=True)


def test_members_in_french(client, world):
    body = client.get("/api/v1/members/alpha-security", query_string={"lang": "fr"}).get_json()
    assert body["lang"] == "fr"
    assert body["name"] == "Alpha Security"  # as the member wrote it
    body = client.get("/api/v1/members", query_string={"lang": "fr"}).get_json()
    countries = {f["value"]: f["label"] for f in body["facets"]["country"]}
    assert countries["DE"] == "Allemagne"  # Pactum's own labels, in French
    assert {m["country_name"] for m in body["data"]} >= {"Germany"}  # the ISO name, always


def test_a_report_says_the_language_of_each_text(client, world):
    body = client.get("/api/v1/reports/alpha-security/2025", query_string={"lang": "fr"})
    body = body.get_json()
    assert body["lang"] == "fr"
    section = body["sections"][0]
    assert section["lang"] == "en"  # a title the secretariat wrote, in the source language
    answer = section["answers"][0]
    assert answer["question_lang"] == "en"
    assert answer["lang"] is None  # saved before Pactum kept the language


def test_generated_section_titles_are_given_in_the_language_asked_for(client, world):
    version = db.session.scalars(select(ReportVersion)).all()
    for v in version:
        snapshot = json.loads(json.dumps(v.snapshot))
        for section in snapshot["sections"]:
            if section["title"] == "Protecting users":
                section["title"] = "Principle 1: Protecting users"
            for q in section["questions"]:
                q["lang"] = "fr" if q["value"] is not None else None
        v.snapshot = snapshot
    db.session.commit()
    body = client.get("/api/v1/reports/alpha-security/2025", query_string={"lang": "fr"})
    section = body.get_json()["sections"][0]
    assert section["title"] == f"Principe 1{NBSP}: Protecting users" and section["lang"] == "fr"
    assert {a["lang"] for a in section["answers"] if a["value"] is not None} == {"fr"}
    body = client.get("/api/v1/reports/alpha-security/2025").get_json()
    assert body["sections"][0]["title"] == "Principle 1: Protecting users"


def test_principles_say_their_language(client, world):
    body = client.get("/api/v1/principles").get_json()
    assert {p["lang"] for p in body["data"]} == {"en"}


def test_the_document_lists_lang_on_every_operation(client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for operation in item.values():
            lang = [p for p in operation["parameters"] if p["name"] == "lang"]
            assert len(lang) == 1, path
            assert lang[0]["schema"]["enum"] == ["en", "fr", "es", "de"]


def test_feeds_say_their_language(client, world):
    for url in ("/members/feed.atom", "/reports/feed.atom"):
        body = client.get(url, query_string={"lang": "fr"}).get_data(as_text=True)
        assert 'xml:lang="fr"' in body, url


def test_the_open_data_package_says_its_languages(client, world):
    response = client.get("/open-data/2025.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    package = json.loads(archive.read("datapackage.json"))
    assert package["language"] == "en" and package["languages"] == ["en", "fr", "es", "de"]
    answers = next(r for r in package["resources"] if r["name"] == "answers")
    assert "lang" in [f["name"] for f in answers["schema"]["fields"]]
    header = archive.read("answers.csv").decode().splitlines()[0]
    assert header.endswith(",lang")
