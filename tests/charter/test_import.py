"""Importing several principles at once (issue 16): a Markdown list, a CSV or the JSON that
/charter.json publishes; a preview with an error per line before anything is saved; a
principle whose text an earlier version has may keep its stable reference, so that the
comparison shows it unchanged."""

from __future__ import annotations

import datetime as dt

import pytest

from app.charter import importing, services
from tests.charter.builders import PRINCIPLES, publish, publish_charter
from tests.conftest import login_as, post_form

MARKDOWN = """1. Protect all users
   We will protect all our users, wherever they are.
2. Build security in
   We make products **secure by default**.

   A second paragraph.
- Report every year
"""


def _body(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_markdown_list_is_read_with_numbers_and_indented_text():
    parsed = importing.parse(MARKDOWN)
    assert parsed.kind == "markdown" and not parsed.all_errors
    assert [(i.number, i.title) for i in parsed.items] == [
        (1, "Protect all users"),
        (2, "Build security in"),
        (None, "Report every year"),
    ]
    assert (
        parsed.items[1].body_md == "We make products **secure by default**.\n\nA second paragraph."
    )


def test_csv_with_a_header_and_an_error_per_line():
    parsed = importing.parse(
        "number;title;text;theme\n1;Protect;We protect.;Security\nx;Oppose;We oppose.;\n3;;Text;\n"
    )
    assert parsed.kind == "csv"
    assert parsed.items[0].theme == "Security" and parsed.items[0].body_md == "We protect."
    assert parsed.all_errors == [
        "Line 3: The number “x” is not a whole number.",
        "Line 4: The principle has no title.",
    ]


def test_json_and_markdown_errors_name_their_place():
    assert importing.parse('{"principles": [{"title": ""}, 3]}').all_errors == [
        "Principle 1 of the JSON: The principle has no title.",
        "Principle 2 of the JSON: Each principle must be an object with a title.",
    ]
    assert importing.parse("{not json").all_errors == ["The JSON cannot be read (line 1)."]
    assert importing.parse("Intro text\n- One").all_errors[0].startswith("Line 1: not a list item.")


@pytest.fixture
def sec_client(client, secretariat, db):
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    db.session.commit()
    login_as(client, secretariat)
    return client


def _empty_draft(client):
    post_form(
        client, "/secretariat/charter/new", {"start": "empty"}, form_url="/secretariat/charter"
    )
    return services.draft_in_progress()


def _import(client, draft, source, action="preview", keep=None):
    data = {"source": source, "action": action}
    if keep is not None:
        data["keep"] = [str(k) for k in keep]
    return post_form(
        client, f"/secretariat/charter/{draft.id}/import", data, form_url="/secretariat/charter"
    )


def test_preview_saves_nothing_and_offers_the_earlier_reference(sec_client, db):
    draft = _empty_draft(sec_client)
    response = _import(sec_client, draft, MARKDOWN)
    assert response.status_code == 200
    body = _body(response)
    assert "Preview: nothing is saved yet" in body and "Import 3 principles" in body
    assert "Keep P1" in body and "same text as principle 1 of version 1" in body
    assert 'name="keep" value="0" checked' in body
    assert body.count("A new reference") == 2
    db.session.expire_all()
    assert services.load_version(draft.id).texts == []


def test_preview_with_errors_has_no_import_button(sec_client, db):
    draft = _empty_draft(sec_client)
    response = _import(sec_client, draft, "title,number\nOne,1\nTwo,1\n")
    assert response.status_code == 422
    body = _body(response)
    assert "Line 3: Number 1 is already used by Line 2." in body
    assert "Import 2 principles" not in body
    forced = _import(sec_client, draft, "title,number\nOne,1\nTwo,1\n", action="import")
    assert forced.status_code == 422
    db.session.expire_all()
    assert services.load_version(draft.id).texts == []


def test_import_keeps_the_chosen_references_and_the_comparison_shows_unchanged(
    sec_client, secretariat, db
):
    draft = _empty_draft(sec_client)
    response = _import(sec_client, draft, MARKDOWN, action="import", keep=[0])
    assert response.status_code == 302
    db.session.expire_all()
    texts = services.load_version(draft.id).texts
    assert [(t.number, t.title) for t in texts] == [
        (1, "Protect all users"),
        (2, "Build security in"),
        (3, "Report every year"),
    ]
    assert texts[0].principle.key == "P1" and texts[1].principle.key not in ("P1", "P2", "P3")
    publish(secretariat, draft.id, dt.date(2024, 6, 1))
    db.session.commit()
    comparison = services.compare_versions(services.get_published(1), services.get_published(2))
    change = {c.key: c for c in comparison.changes}
    # Same words, kept reference: only the theme (which a Markdown list cannot carry) differs.
    assert change["P1"].status == "reworded" and change["P1"].theme_changed
    assert not change["P1"].title_changed and not change["P1"].body_changed
    assert change["P2"].status == "removed"


def test_json_round_trip_keeps_every_reference(sec_client, db):
    payload = sec_client.get("/charter.json").get_data(as_text=True)
    draft = _empty_draft(sec_client)
    preview = _body(_import(sec_client, draft, payload))
    assert preview.count("the reference the import names") == len(PRINCIPLES)
    response = _import(sec_client, draft, payload, action="import", keep=range(len(PRINCIPLES)))
    assert response.status_code == 302
    db.session.expire_all()
    texts = services.load_version(draft.id).texts
    assert [t.principle.key for t in texts] == ["P1", "P2", "P3"]
    assert [t.title for t in texts] == [p[0] for p in PRINCIPLES]
    comparison = services.compare_versions(
        services.get_published(1), services.load_version(draft.id)
    )
    assert not comparison.has_changes


def test_unchecked_reference_gets_a_new_one(sec_client, db):
    draft = _empty_draft(sec_client)
    _import(sec_client, draft, MARKDOWN, action="import", keep=[])
    db.session.expire_all()
    keys = [t.principle.key for t in services.load_version(draft.id).texts]
    assert "P1" not in keys and len(set(keys)) == 3


def test_import_into_a_copy_refuses_numbers_already_used(sec_client, db):
    post_form(sec_client, "/secretariat/charter/new", {}, form_url="/secretariat/charter")
    draft = services.draft_in_progress()
    body = _body(_import(sec_client, draft, "1. Another first"))
    assert "Line 1: Number 1 is already used by principle 1 of this draft." in body
    numberless = _import(sec_client, draft, "- A fourth", action="import")
    assert numberless.status_code == 302
    db.session.expire_all()
    assert [t.number for t in services.load_version(draft.id).texts] == [1, 2, 3, 4]
