"""Two menu items are never both current (issue 16): on every page without arguments in the
URL map, for the visitor, a representative and the secretariat, the site's menus (the main
navigation and the secretariat's) mark at most one item `aria-current` between them, and
each other navigation (breadcrumbs, pagination) at most one of its own."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest

from tests.charter.builders import publish_charter
from tests.conftest import login_as
from tests.factories import make_org, make_user

MENUS = {"Main", "Secretariat"}


class _Navs(HTMLParser):
    """aria-current items per navigation (by its aria-label)."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.current: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            self.stack.append(attrs.get("aria-label") or "(unnamed)")
        elif attrs.get("aria-current") and self.stack:
            self.current.setdefault(self.stack[-1], []).append(attrs.get("href") or tag)

    def handle_endtag(self, tag):
        if tag == "nav" and self.stack:
            self.stack.pop()


def _pages(app) -> list[str]:
    urls = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        if rule.endpoint.endswith(("logout", "feed", "csv_export")) or "." not in rule.endpoint:
            continue
        urls.append(adapter.build(rule.endpoint, {}))
    return sorted(set(urls))


@pytest.fixture
def people(db, secretariat):
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    org = make_org(name="Nav Org")
    rep = make_user(role="representative", organisation=org, email="rep@nav.example")
    db.session.commit()
    return {"visitor": None, "representative": rep, "secretariat": secretariat}


@pytest.mark.parametrize("who", ["visitor", "representative", "secretariat"])
def test_never_two_menu_items_current(app, people, who):
    client = app.test_client()
    if people[who] is not None:
        login_as(client, people[who])
    checked, marked, twice = 0, 0, []
    for url in _pages(app):
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        navs = _Navs()
        navs.feed(response.get_data(as_text=True))
        checked += 1
        in_menus = [href for name, items in navs.current.items() if name in MENUS for href in items]
        marked += bool(in_menus)
        if len(in_menus) > 1:
            twice.append(f"{url}: {in_menus}")
        twice += [
            f"{url} ({name}): {items}"
            for name, items in navs.current.items()
            if name not in MENUS and len(items) > 1
        ]
    assert checked >= 10 and marked >= 3, (checked, marked)  # the parser sees the menus
    assert not twice, "\n".join(twice)
