"""The charter through HTTP: public pages, JSON, comparison, conditional GET, query counts,
and the secretariat's drafting screens (including every way of trying to change a
published version)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import func, select

from app import clock
from app.charter import services
from app.charter.models import CharterVersion, Principle, PrincipleText
from app.core.models import AuditEvent
from tests.charter.builders import (
    PRINCIPLES,
    confirm_and_publish,
    publish,
    publish_charter,
    text_numbered,
)
from tests.conftest import csrf_token, login_as, post_form
from tests.querycount import count_queries


def _body(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def two_versions(db, secretariat):
    """Version 1 (2024-01-01) and version 2 (2024-06-01): principle 2 reworded, one added."""
    v1 = publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    draft = services.start_draft(secretariat)
    services.update_draft(
        secretariat,
        draft.id,
        title=draft.title,
        preamble_md=draft.preamble_md,
        change_summary="Principle 2 reworded; new principle 4.",
    )
    second = text_numbered(draft, 2)
    services.update_principle(
        secretariat,
        draft.id,
        second.id,
        number=2,
        title=second.title,
        body_md="We will oppose attacks on innocent citizens everywhere.",
        theme=second.theme,
    )
    services.add_principle(
        secretariat,
        draft.id,
        number=None,
        title="Build security in",
        body_md="Secure by default.",
        theme="Security",
    )
    clock.freeze(dt.date(2024, 5, 1))
    v2 = publish(secretariat, draft.id, dt.date(2024, 6, 1))
    clock.freeze(None)
    db.session.commit()
    return v1, v2


# Public pages --------------------------------------------------------------------------------


def test_charter_before_any_publication(client, db):
    response = client.get("/charter")
    assert response.status_code == 200
    assert "has not been published yet" in _body(response)
    assert client.get("/charter.pdf").status_code == 404
    assert client.get("/charter.json").status_code == 404


def test_charter_page_shows_the_current_version(client, two_versions):
    body = _body(client.get("/charter"))
    assert "Version 2, in force since" in body
    assert "Principle 2 reworded; new principle 4." in body
    for number in (1, 2, 3, 4):
        assert f'href="#principle-{number}"' in body  # table of contents
        assert f'id="principle-{number}"' in body  # anchors
    assert "We commit to <strong>this</strong>." in body  # preamble through |md
    for link in (
        'href="/charter.pdf"',
        'href="/charter.json"',
        'href="/charter/versions"',
        'href="/charter/compare/1/2"',
    ):
        assert link in body
    assert "Stable reference: P4" in body


def test_an_upcoming_version_is_announced_not_in_force(client, db, secretariat):
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    clock.freeze(dt.date(2024, 3, 1))
    publish_charter(
        secretariat,
        effective=dt.date(2024, 6, 1),
        summary="Next one",
        published_on=dt.date(2024, 3, 1),
    )
    db.session.commit()
    body = _body(client.get("/charter"))
    assert "Version 1, in force since" in body
    assert "Version 2 has been published and takes effect on" in body
    upcoming = _body(client.get("/charter/v/2"))
    assert "Upcoming" in upcoming and "Until then, version 1 is in force." in upcoming
    assert json.loads(client.get("/charter/v/2.json").data)["status"] == "upcoming"
    clock.freeze(dt.date(2024, 6, 1))
    assert "Version 2, in force since" in _body(client.get("/charter"))


def test_versions_page_lists_published_versions_only(client, two_versions, secretariat, db):
    services.start_draft(secretariat)
    db.session.commit()
    body = _body(client.get("/charter/versions"))
    assert "Version 2" in body and "Version 1" in body and "Version 3" not in body
    assert "Principle 2 reworded; new principle 4." in body and "First version." in body
    assert "Superseded" in body and "Current" in body
    assert 'href="/charter/compare/1/2"' in body


def test_old_version_stays_public_and_says_it_was_replaced(client, two_versions):
    body = _body(client.get("/charter/v/1"))
    assert "This version is no longer in force. The charter in force is version 2." in body
    assert "We will oppose attacks on innocent citizens." in body
    assert "Build security in" not in body


@pytest.mark.parametrize(
    "url",
    [
        "/charter/v/3",
        "/charter/v/0",
        "/charter/v/3.pdf",
        "/charter/v/3.json",
        "/charter/v/99999999999999999999",
        "/charter/v/99999999999999999999.json",
        "/charter/v/x",
        "/charter/compare/1/3",
        "/charter/compare/1/99999999999999",
    ],
)
def test_unknown_versions_and_drafts_are_not_found(client, two_versions, secretariat, db, url):
    services.start_draft(secretariat)  # the draft would be number 3
    db.session.commit()
    assert client.get(url).status_code == 404


def test_json_is_structured_and_stable(client, two_versions):
    v1, v2 = two_versions
    data = json.loads(client.get("/charter.json").data)
    assert data["version"] == 2 and data["status"] == "current"
    assert data["effective_date"] == "2024-06-01" and data["previous_version"] == 1
    assert [(p["key"], p["number"]) for p in data["principles"]] == [
        ("P1", 1),
        ("P2", 2),
        ("P3", 3),
        ("P4", 4),
    ]
    first = data["principles"][0]
    assert first["title"] == PRINCIPLES[0][0] and first["theme"] == "Security"
    assert first["body"]["markdown"] == PRINCIPLES[0][1]
    assert first["body"]["html"] == f"<p>{PRINCIPLES[0][1]}</p>"
    assert first["url"].endswith("/charter/v/2#principle-1")
    assert data["preamble"]["html"] == "<p>We commit to <strong>this</strong>.</p>"
    assert data["links"]["compare_with_previous"].endswith("/charter/compare/1/2")
    old = json.loads(client.get("/charter/v/1.json").data)
    assert old["status"] == "superseded" and old["superseded_on"] == "2024-06-01"
    assert old["principles"][1]["key"] == "P2"  # same identity, old wording
    assert old["principles"][1]["body"]["markdown"] == PRINCIPLES[1][1]


def test_json_links_are_on_the_public_address_whatever_host_asked(
    app, client, two_versions, monkeypatch
):
    monkeypatch.setitem(app.config, "SERVER_URL", "https://charter.example/pactum")
    data = json.loads(client.get("/charter/v/1.json", headers={"Host": "internal:8000"}).data)
    assert data["links"]["html"] == "https://charter.example/pactum/charter/v/1"
    assert data["links"]["pdf"] == "https://charter.example/pactum/charter/v/1.pdf"


# Comparison -----------------------------------------------------------------------------------


def test_compare_shows_exactly_what_changed(client, two_versions):
    body = _body(client.get("/charter/compare/1/2"))
    assert "From version 1 to version 2: 1 principle added, 1 reworded." in body
    assert "Version 2 has 4 principles; 2 of them unchanged." in body
    assert re.search(r"Build security in\s*<span class=\"badge badge-change-added\">Added", body)
    assert re.search(
        r"Oppose attacks on citizens\s*<span class=\"badge badge-change-reworded\">", body
    )
    assert '<ins><span class="visually-hidden">added: </span> everywhere</ins>' in body
    assert body.count("badge-change-") == 2
    unchanged = body.split('id="unchanged-heading"')[1]
    assert PRINCIPLES[0][0] in unchanged and PRINCIPLES[2][0] in unchanged


def test_compare_redirects_to_older_first_and_picker_validates(client, two_versions):
    assert client.get("/charter/compare/2/1").headers["Location"] == "/charter/compare/1/2"
    assert client.get("/charter/compare?from=2&to=1").headers["Location"] == "/charter/compare/1/2"
    same = client.get("/charter/compare?from=1&to=1")
    assert same.status_code == 422 and "Choose two different versions." in _body(same)
    bad = client.get("/charter/compare?from=abc&to=%EF%BC%91")
    assert bad.status_code == 422 and 'aria-invalid="true"' in _body(bad)
    unknown = client.get("/charter/compare?from=1&to=7")
    assert unknown.status_code == 422
    picker = client.get("/charter/compare")
    assert picker.status_code == 200
    assert '<option selected value="1">' in _body(picker)


# Conditional GET ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/charter",
        "/charter/versions",
        "/charter/v/1",
        "/charter/compare/1/2",
        "/charter.json",
        "/charter/v/1.json",
        "/charter/v/1.pdf",
    ],
)
def test_public_resources_honour_conditional_get(client, two_versions, url):
    first = client.get(url)
    assert first.status_code == 200
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    older = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get(url, headers={"If-Modified-Since": older}).status_code == 200


def test_charter_etag_changes_when_a_new_version_takes_effect(client, db, secretariat):
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    clock.freeze(dt.date(2024, 3, 1))
    db.session.commit()
    etag = client.get("/charter").headers["ETag"]
    publish_charter(
        secretariat, effective=dt.date(2024, 6, 1), summary="Two", published_on=dt.date(2024, 3, 1)
    )
    db.session.commit()
    upcoming_etag = client.get("/charter").headers["ETag"]
    assert upcoming_etag != etag  # the page now announces version 2
    assert client.get("/charter", headers={"If-None-Match": etag}).status_code == 200
    clock.freeze(dt.date(2024, 6, 1))
    response = client.get("/charter", headers={"If-None-Match": upcoming_etag})
    assert response.status_code == 200 and "Version 2, in force since" in _body(response)


def test_logged_in_pages_are_private_and_never_match_the_anonymous_copy(
    app, two_versions, secretariat
):
    anonymous = app.test_client().get("/charter")
    client = app.test_client()
    login_as(client, secretariat)
    mine = client.get("/charter", headers={"If-None-Match": anonymous.headers["ETag"]})
    assert mine.status_code == 200 and "Log out" in _body(mine)
    assert mine.headers["Cache-Control"].startswith("private")
    assert anonymous.headers["Cache-Control"].startswith("public")
    # If-Modified-Since alone cannot tell users apart: not honoured for a logged-in user.
    since = client.get("/charter", headers={"If-Modified-Since": mine.headers["Last-Modified"]})
    assert since.status_code == 200


def test_page_with_a_flash_message_is_not_cached(app, two_versions, secretariat):
    client = app.test_client()
    login_as(client, secretariat)
    etag = client.get("/charter/v/2").headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Version 2 is published and in force.")]
    response = client.get("/charter/v/2", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Version 2 is published" in _body(response)
    assert "ETag" not in response.headers and response.headers["Cache-Control"] == "no-store"


# Query counts ---------------------------------------------------------------------------------


def _charter_with(secretariat, n: int, db):
    principles = [
        (f"Principle number {i}", f"Body of principle {i}.", "Theme") for i in range(1, n + 1)
    ]
    publish_charter(secretariat, principles, effective=dt.date(2024, 1, 1))
    draft = services.start_draft(secretariat)
    services.update_principle(
        secretariat, draft.id, draft.texts[0].id, number=1, title="Changed", body_md="Changed body"
    )
    publish(secretariat, draft.id, dt.date(2024, 2, 1))
    db.session.commit()


def _queries(client, url: str) -> int:
    from app.db import db

    db.session.remove()  # the test and the request share a session: start from nothing
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


@pytest.mark.parametrize(
    "url",
    ["/charter", "/charter/v/1", "/charter/versions", "/charter/compare/1/2", "/charter/v/1.json"],
)
def test_public_query_counts_do_not_grow_with_principles(app, db, secretariat, url):
    _charter_with(secretariat, 3, db)
    small = _queries(app.test_client(), url)
    db.session.remove()
    from tests.conftest import _empty_all_tables

    _empty_all_tables()
    sec = __import__("tests.factories", fromlist=["make_user"]).make_user(role="secretariat")
    _charter_with(sec, 30, db)
    large = _queries(app.test_client(), url)
    assert large == small, f"{url}: {small} queries with 3 principles, {large} with 30"
    assert small <= 4


def test_admin_draft_page_query_count_does_not_grow(app, db, secretariat):
    _charter_with(secretariat, 3, db)
    draft = services.start_draft(secretariat)
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    small = _queries(client, f"/secretariat/charter/{draft.id}")
    for i in range(20):
        services.add_principle(secretariat, draft.id, number=None, title=f"More {i}", body_md="x")
    db.session.commit()
    assert _queries(client, f"/secretariat/charter/{draft.id}") == small


# Secretariat: drafting through HTTP -----------------------------------------------------------


@pytest.fixture
def sec_client(app, secretariat, db):
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    return client


def _post(client, url, data=None, **kwargs):
    return post_form(client, url, data or {}, form_url="/secretariat/charter", **kwargs)


def test_secretariat_drafts_edits_and_publishes_through_forms(
    sec_client, two_versions, db, mailbox
):
    response = _post(sec_client, "/secretariat/charter/new")
    assert response.status_code == 302
    draft_url = response.headers["Location"]
    draft_id = int(draft_url.rsplit("/", 1)[1])
    page = _body(sec_client.get(draft_url))
    assert (
        "Draft of version 3" in page
        and "Drafted after version 2: the changes are shown against it." in page
    )

    bad = _post(sec_client, draft_url, {"title": "  ", "change_summary": "x", "preamble_md": ""})
    assert bad.status_code == 422
    assert 'id="title-error"' in _body(bad) and "Please fill in title." in _body(bad)
    ok = _post(
        sec_client,
        draft_url,
        {
            "title": "The Test Accord",
            "preamble_md": "New preamble",
            "change_summary": "Principle 5 added.",
        },
    )
    assert ok.status_code == 302

    new_url = f"/secretariat/charter/{draft_id}/principles/new"
    assert 'value="5"' in _body(sec_client.get(new_url))  # next number suggested
    invalid = _post(sec_client, new_url, {"number": "five", "title": "", "body_md": ""})
    assert invalid.status_code == 422
    assert 'id="number-error"' in _body(invalid) and 'id="title-error"' in _body(invalid)
    added = _post(
        sec_client,
        new_url,
        {
            "number": "5",
            "title": "Be accountable",
            "theme": "Accountability",
            "body_md": "We *report*.",
        },
    )
    assert added.status_code == 302
    text = db.session.scalar(select(PrincipleText).where(PrincipleText.title == "Be accountable"))
    assert text.principle.key == "P5"

    edit_url = f"/secretariat/charter/{draft_id}/principles/{text.id}"
    assert "Be accountable" in _body(sec_client.get(edit_url))
    assert (
        _post(
            sec_client,
            edit_url,
            {
                "number": "5",
                "title": "Be accountable to all",
                "body_md": "We *report*.",
                "theme": "",
            },
        ).status_code
        == 302
    )
    move = _post(sec_client, f"{edit_url}/move", {"direction": "up"})
    assert move.status_code == 302
    db.session.expire_all()
    assert db.session.get(PrincipleText, text.id).number == 4

    preview = _body(sec_client.get(f"/secretariat/charter/{draft_id}/preview"))
    assert "Preview of the draft of version 3" in preview and "Be accountable to all" in preview
    pdf = sec_client.get(f"/secretariat/charter/{draft_id}/preview.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    early = _post(
        sec_client, f"/secretariat/charter/{draft_id}/publish", {"effective_date": "2024-05-31"}
    )
    assert early.status_code == 422 and "cannot be before" in _body(early)
    assert db.session.get(CharterVersion, draft_id).is_draft
    garbage = _post(
        sec_client, f"/secretariat/charter/{draft_id}/publish", {"effective_date": "31/31/2024"}
    )
    assert garbage.status_code == 422 and 'id="effective_date-error"' in _body(garbage)

    published = confirm_and_publish(sec_client, draft_id, "2024-07-01")
    assert published.status_code == 302 and published.headers["Location"] == "/charter/v/3"
    assert "Version 3 is published" in _body(sec_client.get("/charter/v/3"))
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == draft_id)
    ).all()
    assert "charter.published" in events and "charter.draft_started" in events


def test_publishing_an_empty_draft_is_refused_with_the_reason(sec_client, db):
    _post(sec_client, "/secretariat/charter/new")
    draft = services.draft_in_progress()
    response = _post(
        sec_client, f"/secretariat/charter/{draft.id}/publish", {"effective_date": "2024-01-01"}
    )
    assert response.status_code == 422
    assert "The charter has no principles." in _body(response)
    db.session.expire_all()
    assert services.draft_in_progress() is not None and services.current_version() is None


def test_remove_and_delete_draft_through_forms(sec_client, two_versions, db):
    _post(sec_client, "/secretariat/charter/new")
    draft = services.draft_in_progress()
    first = draft.texts[0]
    removed = _post(sec_client, f"/secretariat/charter/{draft.id}/principles/{first.id}/remove")
    assert removed.status_code == 302
    page = _body(sec_client.get(f"/secretariat/charter/{draft.id}"))
    assert "Retired in this draft" in page and PRINCIPLES[0][0] in page
    deleted = _post(sec_client, f"/secretariat/charter/{draft.id}/delete")
    assert deleted.status_code == 302 and deleted.headers["Location"] == "/secretariat/charter"
    db.session.expire_all()
    assert services.draft_in_progress() is None
    assert db.session.scalar(select(func.count(Principle.id))) == 4


def test_second_draft_is_refused_with_a_message(sec_client, db):
    _post(sec_client, "/secretariat/charter/new")
    again = _post(sec_client, "/secretariat/charter/new")
    assert again.status_code == 409 and "already in progress" in _body(again)


def test_published_version_is_immutable_through_every_route(sec_client, two_versions, db):
    v1, v2 = two_versions
    text = text_numbered(v2, 1)
    fields = {
        "title": "Hacked",
        "preamble_md": "",
        "change_summary": "",
        "number": "1",
        "body_md": "Hacked",
        "theme": "",
        "direction": "down",
        "effective_date": "2030-01-01",
    }
    routes = [
        f"/secretariat/charter/{v2.id}",
        f"/secretariat/charter/{v2.id}/principles/new",
        f"/secretariat/charter/{v2.id}/principles/{text.id}",
        f"/secretariat/charter/{v2.id}/principles/{text.id}/move",
        f"/secretariat/charter/{v2.id}/principles/{text.id}/remove",
        f"/secretariat/charter/{v2.id}/publish",
        f"/secretariat/charter/{v2.id}/delete",
    ]
    token = csrf_token(sec_client, "/secretariat/charter")
    for url in routes:
        form = sec_client.post(url, data=fields | {"csrf_token": token})
        assert form.status_code == 409, url
        assert "published and can no longer be changed" in _body(form)
        api = sec_client.post(
            url,
            json=fields | {"csrf_token": token},
            headers={"X-CSRFToken": token, "Accept": "application/json"},
        )
        assert api.status_code == 409, url
        assert "can no longer be changed" in api.get_json()["error"]["message"]
    # A draft's URL with a principle id of the published version (a stale form) is refused.
    _post(sec_client, "/secretariat/charter/new")
    draft = services.draft_in_progress()
    stale = _post(
        sec_client,
        f"/secretariat/charter/{draft.id}/principles/{text.id}",
        {"number": "1", "title": "Hacked", "body_md": ""},
    )
    assert stale.status_code == 404
    db.session.expire_all()
    fresh = services.get_published(2)
    assert [t.title for t in fresh.texts] == [
        PRINCIPLES[0][0],
        PRINCIPLES[1][0],
        PRINCIPLES[2][0],
        "Build security in",
    ]
    assert fresh.effective_date == dt.date(2024, 6, 1) and "Hacked" not in _body(
        sec_client.get("/charter/v/2")
    )
    # GET on the edit screens of a published version leads to its public page.
    assert sec_client.get(f"/secretariat/charter/{v2.id}").headers["Location"] == "/charter/v/2"


def test_representatives_cannot_draft(app, rep_a, two_versions, db):
    client = app.test_client()
    login_as(client, rep_a)
    response = post_form(client, "/secretariat/charter/new", {})
    assert response.status_code == 403
    assert services.draft_in_progress() is None


@pytest.mark.parametrize("body", ['"hello"', "[1, 2]", "not json", "null"])
def test_odd_json_bodies_are_bad_requests(sec_client, db, body):
    token = csrf_token(sec_client, "/secretariat/charter")
    response = sec_client.post(
        "/secretariat/charter/new",
        data=body,
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert services.draft_in_progress() is None


def test_posts_without_csrf_are_refused(sec_client, db):
    response = sec_client.post("/secretariat/charter/new")
    assert response.status_code == 400
    assert services.draft_in_progress() is None


def test_dashboard_panel_shows_current_version_and_draft(sec_client, two_versions, secretariat, db):
    draft = services.start_draft(secretariat)
    db.session.commit()
    body = _body(sec_client.get("/dashboard"))
    assert "Version 2, in force since" in body
    assert "The draft of version 3 is in progress (4 principles)." in body
    assert f'href="/secretariat/charter/{draft.id}"' in body


def test_admin_index_lists_drafts_and_published_versions(sec_client, two_versions, secretariat, db):
    body = _body(sec_client.get("/secretariat/charter"))
    assert "Start version 3" in body and "Sam Secretary" in body
    services.start_draft(secretariat)
    db.session.commit()
    body = _body(sec_client.get("/secretariat/charter"))
    assert "Draft of version 3 in progress" in body and "Start version" not in body


def test_a_draft_can_be_edited_with_a_json_body(sec_client, two_versions, db):
    _post(sec_client, "/secretariat/charter/new")
    draft = services.draft_in_progress()
    token = csrf_token(sec_client, "/secretariat/charter")
    response = sec_client.post(
        f"/secretariat/charter/{draft.id}",
        json={
            "csrf_token": token,
            "title": "Via JSON",
            "preamble_md": "",
            "change_summary": "JSON edit",
        },
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert services.load_version(draft.id).title == "Via JSON"
