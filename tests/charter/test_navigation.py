"""Navigation marks where you are, once (issue 16): in the secretariat's area no public
item ("Reports", "Charter", "Members") is current, and the secretariat's navigation marks
the item of the page; never two items at once (the join page is not also "Members")."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.charter import services
from tests.charter.builders import publish_charter
from tests.conftest import login_as

CURRENT = re.compile(r'<a href="([^"]*)" aria-current="page">([^<]*)</a>')


def _nav(html: str, label: str) -> str:
    start = html.index(f'aria-label="{label}"')
    return html[start : html.index("</nav>", start)]


def _current(html: str, label: str) -> list[str]:
    return [text for _href, text in CURRENT.findall(_nav(html, label))]


@pytest.fixture
def sec_client(client, secretariat, db):
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    services.start_draft(secretariat)
    db.session.commit()
    login_as(client, secretariat)
    return client


@pytest.mark.parametrize(
    ("url", "item"),
    [
        ("/secretariat/charter", "Charter versions"),
        ("/secretariat/organisations", "Organisations"),
        ("/secretariat/applications", "Applications"),
        ("/secretariat/cycles", "Reporting cycles"),
        ("/secretariat/cycles/new", "Reporting cycles"),
        ("/secretariat/review", "Report review"),
        ("/secretariat/annual-reports", "Annual reports"),
        ("/secretariat/users", "People"),
        ("/secretariat/audit", "Audit trail"),
        ("/secretariat/mail", "Outgoing mail"),
    ],
)
def test_secretariat_nav_marks_the_page_and_public_nav_marks_nothing(sec_client, url, item):
    response = sec_client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assert _current(html, "Secretariat") == [item]
    assert _current(html, "Main") == []


def test_a_draft_page_is_under_charter_versions(sec_client):
    draft = services.draft_in_progress()
    html = sec_client.get(f"/secretariat/charter/{draft.id}").get_data(as_text=True)
    assert _current(html, "Secretariat") == ["Charter versions"]
    assert _current(html, "Main") == []


@pytest.mark.parametrize(
    ("url", "item"),
    [("/charter", "Charter"), ("/members", "Members"), ("/reports", "Reports"), ("/join", "Join")],
)
def test_public_nav_marks_one_item(sec_client, url, item):
    html = sec_client.get(url).get_data(as_text=True)
    assert _current(html, "Main") == [item]
    assert _current(html, "Secretariat") == []
