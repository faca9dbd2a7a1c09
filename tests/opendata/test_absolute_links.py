"""One rule for every absolute link (app/core/links.py, docs/deploy.md "Absolute links"): the
CSV, the JSON APIs, the Atom feeds, the open-data package and charter.json all name URLs under
PACTUM_SERVER_URL (mount point included), never under the Host the request was made to."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import feedparser
import pytest

PUBLIC = "https://pactum.example/alliance"
INTERNAL = "http://internal-node:8000"


@pytest.fixture
def public_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_URL", PUBLIC)
    return PUBLIC


def _get(client, url):
    response = client.get(url, base_url=INTERNAL)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _urls(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>,]+", text)


def _assert_public(urls, *, at_least=1):
    urls = [u for u in urls if "example.org" not in u and "w3.org" not in u]
    assert len(urls) >= at_least, urls
    for url in urls:
        assert "internal-node" not in url
        assert url.startswith(PUBLIC + "/"), url


def test_the_members_csv_links_profiles_under_the_public_address(client, world, public_address):
    rows = list(csv.DictReader(io.StringIO(_get(client, "/members.csv").get_data(as_text=True))))
    profile_urls = [value for row in rows for value in row.values() if "/members/" in value]
    assert profile_urls
    _assert_public(profile_urls, at_least=len(rows))
    assert f"{PUBLIC}/members/alpha-security" in profile_urls


def test_the_members_api_and_its_document_use_the_public_address(client, world, public_address):
    listed = _get(client, "/api/v1/members").get_data(as_text=True)
    _assert_public(_urls(listed), at_least=2)
    detail = _get(client, "/api/v1/members/alpha-security").get_json()
    assert detail["profile_url"] == f"{PUBLIC}/members/alpha-security"
    assert detail["api_url"] == f"{PUBLIC}/api/v1/members/alpha-security"
    document = _get(client, "/api/v1/openapi.json").get_json()
    assert document["servers"][0]["url"] == f"{PUBLIC}/api/v1"


def test_the_reports_api_uses_the_public_address(client, world, public_address):
    body = _get(client, "/api/v1/reports").get_json()
    assert body["data"]
    _assert_public(_urls(json.dumps(body)), at_least=len(body["data"]))
    first = body["data"][0]
    assert first["api_url"].startswith(f"{PUBLIC}/api/v1/reports/")
    paged = _get(client, "/api/v1/reports?per_page=1").get_json()
    _assert_public(_urls(json.dumps(paged.get("links", {}))))


@pytest.mark.parametrize("url", ["/members/feed.atom", "/reports/feed.atom"])
def test_the_feeds_use_the_public_address(client, world, public_address, url):
    feed = feedparser.parse(_get(client, url).data)
    assert not feed.bozo, feed.bozo_exception
    links = [link.href for link in feed.feed.links]
    links += [link.href for entry in feed.entries for link in entry.links]
    _assert_public(links, at_least=2)


def test_charter_json_uses_the_public_address(client, world, public_address):
    data = _get(client, "/charter.json").get_json()
    _assert_public(_urls(json.dumps(data["links"])), at_least=3)
    assert all(p["url"].startswith(f"{PUBLIC}/charter/v/") for p in data["principles"])


def test_the_open_data_package_uses_the_public_address(client, world, public_address):
    response = _get(client, "/open-data/2025.zip")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        package = json.loads(archive.read("datapackage.json"))
    assert package["homepage"] == f"{PUBLIC}/open-data"
