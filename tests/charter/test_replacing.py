"""Replacing a charter without forty page loads (issue 16): a new draft starts from a copy or
without principles; several principles are removed at once; "save and add another"."""

from __future__ import annotations

import datetime as dt

import pytest

from app.charter import services
from tests.charter.builders import PRINCIPLES, publish_charter
from tests.conftest import login_as, post_form


def _body(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


@pytest.fixture
def sec_client(client, secretariat, db):
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    db.session.commit()
    login_as(client, secretariat)
    return client


def _post(client, url, data=None):
    return post_form(client, url, data or {}, form_url="/secretariat/charter")


def test_index_offers_a_copy_or_an_empty_start(sec_client):
    body = _body(sec_client.get("/secretariat/charter"))
    assert 'value="copy"' in body and 'value="empty"' in body
    assert "No principles, to replace them" in body


def test_an_empty_start_keeps_title_and_preamble_but_no_principle(sec_client, db):
    response = _post(sec_client, "/secretariat/charter/new", {"start": "empty"})
    assert response.status_code == 302
    draft = services.draft_in_progress()
    loaded = services.load_version(draft.id)
    assert loaded.texts == [] and loaded.title == "The Test Accord"
    assert loaded.preamble_md == "We commit to **this**."


def test_a_copy_is_still_the_default(sec_client, db):
    assert _post(sec_client, "/secretariat/charter/new").status_code == 302
    draft = services.draft_in_progress()
    assert len(services.load_version(draft.id).texts) == len(PRINCIPLES)


def test_an_unknown_start_is_a_bad_request(sec_client, db):
    assert _post(sec_client, "/secretariat/charter/new", {"start": "both"}).status_code == 400
    assert services.draft_in_progress() is None


def test_several_principles_are_removed_at_once(sec_client, db):
    _post(sec_client, "/secretariat/charter/new")
    draft = services.load_version(services.draft_in_progress().id)
    page = _body(sec_client.get(f"/secretariat/charter/{draft.id}"))
    assert 'form="bulk-remove"' in page and "Remove the selected principles" in page
    first, second, third = draft.texts
    response = _post(
        sec_client,
        f"/secretariat/charter/{draft.id}/principles/remove",
        {"text_ids": [str(first.id), str(third.id)]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    left = services.load_version(draft.id).texts
    assert [t.title for t in left] == [PRINCIPLES[1][0]] and left[0].position == 0
    flashed = _body(sec_client.get(f"/secretariat/charter/{draft.id}"))
    assert "2 principles removed from this draft" in flashed


def test_bulk_removal_of_nothing_or_of_another_versions_principle_is_refused(sec_client, db):
    v1 = services.get_published(1)
    _post(sec_client, "/secretariat/charter/new")
    draft = services.load_version(services.draft_in_progress().id)
    nothing = _post(sec_client, f"/secretariat/charter/{draft.id}/principles/remove")
    assert nothing.status_code == 422 and "Select the principles to remove." in _body(nothing)
    foreign = _post(
        sec_client,
        f"/secretariat/charter/{draft.id}/principles/remove",
        {"text_ids": [str(draft.texts[0].id), str(v1.texts[1].id)]},
    )
    assert foreign.status_code == 404
    db.session.expire_all()
    assert len(services.load_version(draft.id).texts) == len(PRINCIPLES)  # none removed


def test_save_and_add_another_comes_back_to_an_empty_form(sec_client, db):
    _post(sec_client, "/secretariat/charter/new", {"start": "empty"})
    draft = services.draft_in_progress()
    url = f"/secretariat/charter/{draft.id}/principles/new"
    assert "Save and add another" in _body(sec_client.get(url))
    response = _post(sec_client, url, {"number": "1", "title": "First", "another": "1"})
    assert response.status_code == 302 and response.headers["Location"] == url
    again = _body(sec_client.get(url))
    assert (
        "Principle 1 added." in again and 'name="number" required type="number" value="2"' in again
    )
    plain = _post(sec_client, url, {"number": "2", "title": "Second"})
    assert plain.headers["Location"].startswith(f"/secretariat/charter/{draft.id}#row-")
