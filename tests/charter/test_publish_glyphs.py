"""Before a charter version is published, its confirmation page names every character no
shipped font can draw (issue 16): the PDF would show it as an empty box, for good."""

from __future__ import annotations

import datetime as dt

import pytest

from app.charter import services
from tests.charter.builders import publish_charter
from tests.conftest import login_as


@pytest.fixture
def sec_client(client, secretariat):
    login_as(client, secretariat)
    return client


def _draft(db, secretariat, title: str, body: str):
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    version = services.start_draft(secretariat)
    services.add_principle(
        secretariat, version.id, number=None, title=title, body_md=body, theme="Tøpic"
    )
    db.session.commit()
    return version


def _confirmation(client, version) -> str:
    response = client.get(f"/secretariat/charter/{version.id}/publish?effective_date=2024-09-01")
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def test_characters_no_font_draws_are_listed_before_publishing(sec_client, db, secretariat):
    version = _draft(db, secretariat, "Open 🎉 doors 你好", "Text in שלום and 漢.")
    body = _confirmation(sec_client, version)
    assert "Check before you publish" in body
    assert "cannot draw 3 characters" in body
    assert "你</span> (U+4F60, CJK UNIFIED IDEOGRAPH-4F60): Principle 4" in body
    assert "好</span> (U+597D" in body and "漢</span> (U+6F22" in body
    assert "U+1F389" not in body  # the emoji is drawn (Noto Emoji), so not listed
    assert "שלום" not in body.split("Check before you publish")[1]


def test_a_charter_every_font_draws_has_no_such_warning(sec_client, db, secretariat):
    version = _draft(db, secretariat, "Open 🎉 doors ★", "Text in שלום, नमस्ते and Ωmega.")
    body = _confirmation(sec_client, version)
    assert "cannot draw" not in body
    assert "Check before you publish" not in body
