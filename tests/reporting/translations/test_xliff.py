"""A questionnaire's texts as an XLIFF 1.2 file for a CAT tool, and the file imported back
through the same preview as a PO file (issue 18): the charter's exchange code, with the
cycle's stamp as the file's `original`."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import xml.etree.ElementTree as ET

from defusedxml.ElementTree import fromstring

from app import clock
from app.charter.translations import xliff
from app.db import db
from app.reporting.translations import services
from app.reporting.translations.entries import question_key
from tests.charter.test_translation_xliff import BILLION_LAUGHS, DTD
from tests.conftest import csrf_token, login_as, post_form
from tests.reporting.builders_filling import at, build_cycle

BASE = "/secretariat/cycles/2026/translations/fr"
X = f"{{{xliff.NS}}}"


def _setup(app, secretariat):
    clock.freeze(at(dt.date(2026, 1, 2)))
    cycle = build_cycle(secretariat, open_it=False)
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    return cycle, client


def _translated(data: bytes, texts: dict[str, str]) -> bytes:
    root = fromstring(data)
    for unit in root.iter(X + "trans-unit"):
        if unit.get("id") in texts:
            target = ET.Element(X + "target", {"state": "translated"})
            target.text = texts[unit.get("id")]
            unit.insert(1, target)
    for element in root.iter():
        element.tag = element.tag.removeprefix(X)
    root.set("xmlns", xliff.NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _upload(client, data: bytes, action: str = "preview"):
    url = f"{BASE}/import"
    return post_form(
        client,
        url,
        {"file": (io.BytesIO(data), "questionnaire.xlf"), "action": action},
        form_url=url,
        content_type="multipart/form-data",
    )


def _confirm(client, preview_html: str):
    """Press "Import": the preview page carries the file's text in its hidden form."""
    match = re.search(r'<textarea[^>]*name="po"[^>]*>(.*?)</textarea>', preview_html, re.S)
    assert match, "no file text in the preview's form"
    text = html.unescape(match.group(1)).removeprefix("\r\n")
    url = f"{BASE}/import"
    return client.post(
        url, data={"po": text, "action": "import", "csrf_token": csrf_token(client, url)}
    )


def test_export_translate_preview_and_import(app, secretariat):
    cycle, client = _setup(app, secretariat)
    assert f'href="{BASE}.xlf"' in client.get(BASE).get_data(True)
    response = client.get(f"{BASE}.xlf")
    assert response.status_code == 200
    assert response.mimetype == "application/x-xliff+xml"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="questionnaire-2026-fr.xlf"'
    )
    file = fromstring(response.data).find(X + "file")
    assert file.get("original") == f"Pactum questionnaire 2026-{cycle.id}"
    assert file.get("target-language") == "fr"
    assert "Do you offer multi-factor authentication?" in response.get_data(True)
    key = question_key(cycle.q["mfa"].id, "text")
    data = _translated(response.data, {key: "Proposez-vous la double authentification ?"})
    preview = _upload(client, data)
    assert preview.status_code == 200 and "1 translation will be saved." in preview.get_data(True)
    assert services.status_for(cycle, "fr").translated == []  # nothing saved by the preview
    done = _confirm(client, preview.get_data(True))
    assert done.status_code == 302
    assert [e.source.key for e in services.status_for(cycle, "fr").translated] == [key]
    again = _upload(client, client.get(f"{BASE}.xlf").data)  # exported again, unchanged
    assert "This file changes nothing" in again.get_data(True)


def test_a_wrong_file_is_refused_whole_and_bad_entries_one_by_one(app, secretariat):
    cycle, client = _setup(app, secretariat)
    data = client.get(f"{BASE}.xlf").data
    for bad, message in (
        (
            data.replace(f"2026-{cycle.id}".encode(), b"2025-1"),
            "This file is not for the questionnaire of the 2026 cycle",
        ),
        (data.replace(b"Pactum questionnaire", b"Pactum charter"), "not for the questionnaire"),
        (BILLION_LAUGHS, DTD),
        (data.replace(b"</body>", b"</bdy>"), "This is not an XML file that can be read"),
    ):
        refused = _upload(client, bad)
        assert refused.status_code == 422
        body = refused.get_data(True)
        assert message in body and 'id="file-error"' in body
    key = question_key(cycle.q["mfa"].id, "text")
    text = _translated(data, {key: "Une question avec %(nom)s"}).replace(
        b"</body>",
        b'<trans-unit id="q999999.text"><source>Invented</source></trans-unit></body>',
    )
    preview = _upload(client, text)
    body = preview.get_data(True)
    assert preview.status_code == 422
    assert "This text is not part of this questionnaire." in body
    assert "These placeholders are not in the source: %(nom)s." in body
    assert _upload(client, text, "import").status_code == 422
    assert services.status_for(cycle, "fr").translated == []
