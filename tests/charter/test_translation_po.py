"""A charter version's texts as a PO file for a translator, and the translated file
imported back: a preview with an error per entry, nothing saved before the last button,
and files for another version or language, or not PO at all, refused."""

from __future__ import annotations

import io

import pytest
from babel.messages.pofile import read_po, write_po

from app.charter import services
from app.charter.translations import services as translations
from app.charter.translations.models import CharterTranslation
from app.db import db as _db
from tests.charter.test_translations import FRENCH, _draft
from tests.conftest import post_form


@pytest.fixture
def draft(db, secretariat, client, login):
    draft = _draft(secretariat)
    _db.session.commit()
    login(client, secretariat)
    return draft


def _export(client, draft, lang="fr"):
    response = client.get(f"/secretariat/charter/{draft.id}/translations/{lang}.po")
    assert response.status_code == 200
    assert f'filename="charter-v1-{lang}.po"' in response.headers["Content-Disposition"]
    return read_po(io.BytesIO(response.data))


def _file(catalog, **strings) -> bytes:
    for message in catalog:
        if message.id and message.context in strings:
            message.string = strings[message.context]
    out = io.BytesIO()
    write_po(out, catalog, width=0)
    return out.getvalue()


def _upload(client, draft, data: bytes, lang="fr", action="preview"):
    url = f"/secretariat/charter/{draft.id}/translations/{lang}/import"
    return post_form(
        client,
        url,
        {"file": (io.BytesIO(data), "charter.po"), "action": action},
        form_url=url,
        content_type="multipart/form-data",
    )


def test_the_export_lists_every_text_and_marks_outdated_ones(client, draft, secretariat):
    translations.save(secretariat, draft.id, "fr", {"P1.title": FRENCH["P1.title"]})
    text = next(t for t in draft.texts if t.number == 1)
    services.update_principle(
        secretariat, draft.id, text.id, number=1, title="Protect every user", body_md=text.body_md
    )
    _db.session.commit()
    catalog = _export(client, draft)
    assert catalog.version == f"v1-{draft.id}" and str(catalog.locale) == "fr"
    messages = {m.context: m for m in catalog if m.id}
    assert list(messages)[:3] == ["title", "preamble", "change_summary"]
    assert messages["P1.title"].id == "Protect every user"
    assert messages["P1.title"].string == FRENCH["P1.title"] and messages["P1.title"].fuzzy
    assert "Principle 1: title" in messages["P1.title"].auto_comments


def test_a_translated_file_is_previewed_then_imported(client, draft):
    data = _file(_export(client, draft), **FRENCH)
    preview = _upload(client, draft, data)
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    assert "9 translations will be saved." in body and "Import 9 translations" in body
    assert _db.session.query(CharterTranslation).count() == 0  # nothing saved yet
    done = _upload(client, draft, data, action="import")
    assert done.status_code == 302
    status = translations.status_for(services.load_version(draft.id), "fr")
    assert status.complete


def test_an_error_per_entry_and_nothing_imported(client, draft, secretariat):
    services.update_draft(
        secretariat,
        draft.id,
        title="The Test Accord",
        preamble_md="Read [the statutes](https://example.org/statutes).",
        change_summary="First version.",
    )
    _db.session.commit()
    catalog = _export(client, draft)
    catalog.add("Not ours", "Pas à nous", context="P99.title")
    data = _file(
        catalog,
        preamble="Lisez [les statuts](https://example.org/autre).",
        title="L’Accord",
    )
    for action in ("preview", "import"):
        response = _upload(client, draft, data, action=action)
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert "2 entries of the file need a correction" in body
        assert "This text is not part of this version." in body
        assert "Keep the links of the source: https://example.org/statutes" in body
        assert "Import 1 translation" not in body and "Import 0" not in body
    assert _db.session.query(CharterTranslation).count() == 0


def test_a_changed_source_since_the_export_is_an_entry_error(client, draft, secretariat):
    catalog = _export(client, draft)
    text = next(t for t in draft.texts if t.number == 1)
    services.update_principle(
        secretariat, draft.id, text.id, number=1, title="Protect every user", body_md=text.body_md
    )
    _db.session.commit()
    response = _upload(client, draft, _file(catalog, **FRENCH))
    assert response.status_code == 422
    assert "The source text changed since the file was exported" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: setattr(c, "version", "v7-1"), "This file is not for the draft of version 1"),
        (lambda c: setattr(c, "locale", "de"), "This file is in another language"),
    ],
)
def test_files_for_another_version_or_language_are_refused(client, draft, change, message):
    catalog = _export(client, draft)
    change(catalog)
    response = _upload(client, draft, _file(catalog, **FRENCH))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body and 'id="file-error"' in body
    assert _db.session.query(CharterTranslation).count() == 0


@pytest.mark.parametrize(
    "data",
    [b'msgid "a\nmsgstr "b"\n', b"\xff\xfe not utf-8", b"{}", b""],
)
def test_what_is_not_a_po_file_is_refused(client, draft, data):
    response = _upload(client, draft, data)
    assert response.status_code == 422
    assert 'id="file-error"' in response.get_data(as_text=True)
