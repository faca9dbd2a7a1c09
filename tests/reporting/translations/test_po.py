"""A questionnaire's texts as a PO file for a translator, and the file imported back with a
preview and an error per entry (issue 18); the charter's PO code, with the cycle's stamp."""

from __future__ import annotations

import datetime as dt
import io

from babel.messages.pofile import read_po, write_po

from app import clock
from app.db import db
from app.reporting.translations import services
from app.reporting.translations.entries import question_key
from tests.conftest import csrf_token, login_as
from tests.reporting.builders_filling import at, build_cycle

BASE = "/secretariat/cycles/2026/translations/fr"


def _setup(app, secretariat):
    clock.freeze(at(dt.date(2026, 1, 2)))
    cycle = build_cycle(secretariat, open_it=False)
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    return cycle, client


def _translated(data: bytes, texts: dict[str, str], context=None) -> str:
    catalog = read_po(io.BytesIO(data))
    for message in catalog:
        if message.context in texts:
            message.string = texts[message.context]
    if context:
        catalog.add("Invented", "Inventé", context=context)
    out = io.BytesIO()
    write_po(out, catalog, width=0)
    return out.getvalue().decode()


def _post(client, text: str, action: str = "preview"):
    url = f"{BASE}/import"
    return client.post(
        url, data={"po": text, "action": action, "csrf_token": csrf_token(client, url)}
    )


def test_export_translate_preview_and_import(app, secretariat):
    cycle, client = _setup(app, secretariat)
    response = client.get(f"{BASE}.po")
    assert response.status_code == 200
    assert 'filename="questionnaire-2026-fr.po"' in response.headers["Content-Disposition"]
    assert "Do you offer multi-factor authentication?" in response.get_data(True)
    key = question_key(cycle.q["mfa"].id, "text")
    text = _translated(response.data, {key: "Proposez-vous la double authentification ?"})
    preview = _post(client, text)
    assert preview.status_code == 200 and "1 translation will be saved." in preview.get_data(True)
    assert services.status_for(cycle, "fr").translated == []  # nothing saved by the preview
    done = _post(client, text, "import")
    assert done.status_code == 302
    assert [e.source.key for e in services.status_for(cycle, "fr").translated] == [key]


def test_a_wrong_file_is_refused_whole_and_bad_entries_one_by_one(app, secretariat):
    cycle, client = _setup(app, secretariat)
    data = client.get(f"{BASE}.po").data
    other = data.replace(f"2026-{cycle.id}".encode(), b"2025-1")
    refused = _post(client, other.decode())
    assert refused.status_code == 422
    assert "This file is not for the questionnaire of the 2026 cycle" in refused.get_data(True)
    assert _post(client, "not a po file \x00 ").status_code == 422
    key = question_key(cycle.q["mfa"].id, "text")
    text = _translated(data, {key: "Une question avec %(nom)s"}, context="q999999.text")
    preview = _post(client, text)
    html = preview.get_data(True)
    assert preview.status_code == 422
    assert "This text is not part of this questionnaire." in html
    assert "These placeholders are not in the source: %(nom)s." in html
    assert _post(client, text, "import").status_code == 422
    assert services.status_for(cycle, "fr").translated == []
