"""The home page's figures come from a registry each domain fills (core imports none)."""

from __future__ import annotations

import datetime as dt

from app.charter.translations.reading import Text
from app.core import home
from tests.charter.builders import publish_charter


def test_each_domain_contributes_its_figures(db, secretariat, make_org):
    make_org(name="One", country="DE")
    make_org(name="Two", country="FR")
    make_org(name="Three", country="FR")
    make_org(name="Gone", country="IT", status="delisted")
    version = publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    db.session.commit()
    figures = home.home_figures()
    # The charter's title in the reader's language (outside a request: the source's).
    title = Text(version.title, "en")
    assert figures == {"members": 3, "countries": 2, "charter": version, "charter_title": title}


def test_a_registered_figure_is_shown_in_its_order(monkeypatch):
    monkeypatch.setattr(home, "_FIGURES", {})

    @home.figure(20)
    def later() -> dict:
        return {"shared": "later", "b": 2}

    @home.figure(10)
    def first() -> dict:
        return {"shared": "first", "a": 1}

    home.figure(30)(later)  # registering again replaces, never duplicates
    assert home.home_figures() == {"shared": "later", "a": 1, "b": 2}
    assert len(home._FIGURES) == 2
