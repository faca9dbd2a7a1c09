"""One definition of "member" (issue 16): the home page and the directory heading count the
same organisations, and the directory says how many of those it lists are former members."""

from __future__ import annotations

import re

import pytest

from app.db import db as db_
from tests.factories import make_org


@pytest.fixture
def alliance(db, version):
    for status in ("active", "active", "non_communicating", "suspended", "delisted", "withdrawn"):
        make_org(status=status)
    make_org(status="applicant", joined_on=None)
    make_org(status="rejected", joined_on=None)
    db_.session.commit()


def _home_members(client) -> int:
    body = client.get("/").get_data(as_text=True)
    found = re.search(r'figure-value">(\d+)</span><span class="figure-label">members<', body)
    assert found, body
    return int(found.group(1))


def _heading(client, url="/members", **headers) -> str:
    body = client.get(url, headers=headers).get_data(as_text=True)
    heading = body.split('id="results-heading"')[1].split("</h2>")[0]
    return " ".join(heading.split("\n", 1)[1].split()) if "\n" in heading else heading


def test_home_and_directory_agree_on_members(client, alliance):
    assert _home_members(client) == 4  # active, non-communicating, suspended
    assert _heading(client) == "6 organisations, of which 2 former members"
    assert _heading(client, "/members?status=active") == "2 members match your search"
    assert (
        _heading(client, "/members?status=delisted")
        == "1 organisation matches your search, of which 1 former member"
    )


def test_without_former_members_the_heading_counts_members(client, db, version):
    make_org(status="active")
    db_.session.commit()
    assert _home_members(client) == 1
    assert _heading(client) == "1 member"
