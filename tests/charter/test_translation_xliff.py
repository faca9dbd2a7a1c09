"""A charter version's texts as an XLIFF 1.2 file for a CAT tool, and the translated file
imported back through the same preview as a PO file (issue 18): the content says which
format it is, an error per entry, and files that are not safe XML, not XLIFF 1.2, or for
another version or language refused whole with a message on the file field."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from babel.messages.pofile import read_po
from defusedxml.ElementTree import fromstring

from app.charter import services
from app.charter.translations import exchange, xliff
from app.charter.translations import services as translations
from app.charter.translations.forms import label
from app.charter.translations.models import CharterTranslation
from app.db import db as _db
from app.errors import ValidationFailed
from tests.charter.test_translations import FRENCH, _draft
from tests.conftest import post_form

NS = {"x": xliff.NS}
X = f"{{{xliff.NS}}}"


@pytest.fixture
def draft(db, secretariat):
    draft = _draft(secretariat)
    _db.session.commit()
    return draft


def _status(draft, lang="fr"):
    return translations.status_for(services.load_version(draft.id), lang)


def _export(draft, lang="fr") -> bytes:
    return exchange.export(services.load_version(draft.id), _status(draft, lang), label, "xliff")


def _preview(draft, data: bytes, lang="fr") -> exchange.Preview:
    return exchange.preview(services.load_version(draft.id), _status(draft, lang), data)


def _units(data: bytes) -> dict[str, ET.Element]:
    root = fromstring(data)
    return {u.get("id"): u for u in root.iter(X + "trans-unit")}


def _translated(data: bytes, **texts: str) -> bytes:
    """The file as a CAT tool gives it back, with these targets (by key) written in."""
    root = fromstring(data)
    for unit in root.iter(X + "trans-unit"):
        if unit.get("id") in texts:
            target = unit.find(X + "target")
            if target is None:
                target = ET.Element(X + "target")
                unit.insert(1, target)
            target.text, target.attrib["state"] = texts[unit.get("id")], "translated"
    for element in root.iter():  # written back with the default namespace, as it came
        element.tag = element.tag.removeprefix(X)
    root.set("xmlns", xliff.NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _refusal(draft, data: bytes, lang="fr") -> str:
    with pytest.raises(ValidationFailed) as refused:
        _preview(draft, data, lang)
    assert refused.value.field == "file"
    return str(refused.value)


# Export ----------------------------------------------------------------------------------------


def test_the_export_is_xliff_1_2_with_states_and_notes(draft, secretariat):
    translations.save(
        secretariat,
        draft.id,
        "fr",
        {"P1.title": FRENCH["P1.title"], "P2.title": FRENCH["P2.title"]},
    )
    text = next(t for t in draft.texts if t.number == 1)
    services.update_principle(
        secretariat, draft.id, text.id, number=1, title="Protect every user", body_md=text.body_md
    )
    _db.session.commit()
    data = _export(draft)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<xliff ')
    root = fromstring(data)
    assert root.tag == X + "xliff" and root.get("version") == "1.2"
    (file,) = root.findall("x:file", NS)
    assert file.attrib == {
        "original": f"Pactum charter v1-{draft.id}",
        "source-language": "en",
        "target-language": "fr",
        "datatype": "plaintext",
    }
    units = _units(data)
    assert list(units)[:3] == ["title", "preamble", "change_summary"]
    assert all(u.get("resname") == key for key, u in units.items())
    outdated, current, missing = units["P1.title"], units["P2.title"], units["P3.title"]
    assert outdated.find("x:source", NS).text == "Protect every user"
    assert outdated.find("x:target", NS).get("state") == "needs-review-translation"
    assert outdated.find("x:target", NS).text == FRENCH["P1.title"]
    assert current.find("x:target", NS).get("state") == "translated"
    assert missing.find("x:target", NS) is None
    assert [n.text for n in outdated.findall("x:note", NS)] == ["Principle 1: title"]
    assert [n.text for n in units["P1.body"].findall("x:note", NS)] == [
        "Principle 1: text",
        "Markdown: keep the links and the formatting.",
    ]
    assert outdated.get("maxwidth") == "200" and outdated.get("size-unit") == "char"
    assert units["P1.body"].get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"


def test_the_po_and_xliff_files_name_the_same_version(draft):
    version = services.load_version(draft.id)
    po_file = read_po(io.BytesIO(exchange.export(version, _status(draft), label, "po")))
    original = fromstring(_export(draft)).find("x:file", NS).get("original")
    assert original == f"{po_file.project} {po_file.version}"


# Round trip ------------------------------------------------------------------------------------


def test_a_file_sent_back_unchanged_changes_nothing(draft, secretariat):
    translations.save(secretariat, draft.id, "fr", FRENCH)
    _db.session.commit()
    preview = _preview(draft, _export(draft))
    assert len(preview.entries) == 9
    assert preview.problems == [] and preview.changes == []


def test_one_edited_target_is_one_change(draft, secretariat):
    translations.save(secretariat, draft.id, "fr", FRENCH)
    _db.session.commit()
    preview = _preview(draft, _translated(_export(draft), **{"P2.title": "S’opposer à tout"}))
    assert preview.problems == []
    assert preview.texts() == {"P2.title": "S’opposer à tout"}


def test_a_multi_line_markdown_text_keeps_its_lines(draft, secretariat):
    services.update_draft(
        secretariat,
        draft.id,
        title="The Test Accord",
        preamble_md="First paragraph.\n\n  * one\n  * two\n",
        change_summary="First version.",
    )
    _db.session.commit()
    data = _translated(_export(draft), preamble="Premier paragraphe.\n\n  * un\n  * deux\n")
    preview = _preview(draft, data)
    assert preview.problems == []
    assert preview.texts() == {"preamble": "Premier paragraphe.\n\n  * un\n  * deux"}


def test_a_text_typed_with_carriage_returns_keeps_them(draft, secretariat):
    services.update_draft(
        secretariat,
        draft.id,
        title="The Test Accord",
        preamble_md="First paragraph.\r\n\r\nSecond paragraph.",
        change_summary="First version.",
    )
    _db.session.commit()
    assert "\r" in _status(draft).entries[1].source.text  # as a browser sends it
    exported = _export(draft)
    source = _units(exported)["preamble"].find("x:source", NS).text
    assert source == "First paragraph.\r\n\r\nSecond paragraph."
    assert _preview(draft, exported).problems == []
    # A tool that writes them back raw: read as line feeds, still the same source.
    data = _translated(exported, preamble="Premier.\r\n\r\nSecond.")
    assert _preview(draft, data).texts() == {"preamble": "Premier.\n\nSecond."}


def test_a_control_character_xml_cannot_carry_is_left_out(draft, secretariat):
    services.update_draft(
        secretariat,
        draft.id,
        title="The Test\x0bAccord",
        preamble_md="We commit to **this**.",
        change_summary="First version.",
    )
    _db.session.commit()
    exported = _export(draft)
    assert _units(exported)["title"].find("x:source", NS).text == "The TestAccord"
    assert _preview(draft, _translated(exported, title="L’Accord")).texts() == {"title": "L’Accord"}


def test_markup_a_tool_adds_inside_a_target_is_read_as_its_text(draft):
    data = _export(draft).replace(
        b"<source>Protect all users</source>",
        b"<source>Protect all users</source>"
        b'<target><mrk mtype="seg" mid="1">Prot\xc3\xa9ger tous</mrk></target>',
    )
    assert _preview(draft, data).texts() == {"P1.title": "Protéger tous"}


def test_a_regional_target_language_is_the_language(draft):
    data = _export(draft).replace(b'target-language="fr"', b'target-language="fr-FR"')
    assert len(_preview(draft, _translated(data, title="L’Accord")).changes) == 1


# Errors per entry, as for PO -------------------------------------------------------------------


def test_an_error_per_entry(draft, secretariat):
    services.update_draft(
        secretariat,
        draft.id,
        title="The Test Accord",
        preamble_md="Read [the statutes](https://example.org/statutes).",
        change_summary="Version %(n)s.",
    )
    _db.session.commit()
    data = _translated(
        _export(draft),
        preamble="Lisez [les statuts](https://example.org/autre).",
        change_summary="Version sans numéro.",
        title="L’Accord",
    )
    unknown = (
        b'<trans-unit id="P99.title"><source>Not ours</source>'
        b"<target>Pas \xc3\xa0 nous</target></trans-unit></body>"
    )
    data = data.replace(b"</body>", unknown)
    preview = _preview(draft, data)
    problems = {e.key: e.problems for e in preview.problems}
    assert problems == {
        "preamble": [
            "Keep the links of the source: https://example.org/statutes.",
            "These links are not in the source: https://example.org/autre.",
        ],
        "change_summary": ["Keep the placeholders of the source: %(n)s."],
        "P99.title": ["This text is not part of this version."],
    }
    assert [e.key for e in preview.changes] == ["title"]


def test_a_source_changed_since_the_export_is_an_entry_error(draft, secretariat):
    data = _translated(_export(draft), **FRENCH)
    text = next(t for t in draft.texts if t.number == 1)
    services.update_principle(
        secretariat, draft.id, text.id, number=1, title="Protect every user", body_md=text.body_md
    )
    _db.session.commit()
    preview = _preview(draft, data)
    assert [(e.key, e.problems) for e in preview.problems] == [
        ("P1.title", ["The source text changed since the file was exported: export it again."])
    ]


def test_a_text_twice_in_the_file_is_an_entry_error(draft):
    data = _translated(_export(draft), title="L’Accord")
    unit = data[data.index(b'<trans-unit id="title"') : data.index(b'<trans-unit id="preamble"')]
    preview = _preview(draft, data.replace(b"</body>", unit + b"</body>"))
    assert [(e.key, e.problems) for e in preview.problems] == [
        ("title", ["This text is in the file twice."])
    ]


# Files refused whole ---------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="x"
 source-language="en" target-language="fr" datatype="plaintext"><body>
<trans-unit id="title"><source>&lol9;</source></trans-unit></body></file></xliff>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="x"
 source-language="en" target-language="fr" datatype="plaintext"><body>
<trans-unit id="title"><source>&secret;</source></trans-unit></body></file></xliff>"""

DTD = "This file declares a DTD or entities, which are refused for safety."


def _edited(old: bytes, new: bytes):
    return lambda data: data.replace(old, new)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d[:-30], "This is not an XML file that can be read: "),
        (
            lambda d: d.replace(b"<body>", b"<body><oops>", 1),
            "This is not an XML file that can be read: mismatched tag at line ",
        ),
        (lambda d: b"<html><body>Hello</body></html>", "not an XLIFF file (its root is <html>)"),
        (
            _edited(b'version="1.2"', b'version="2.0"'),
            "This XLIFF file is version 2.0; only XLIFF 1.2 files can be imported.",
        ),
        (
            lambda d: d.replace(b'xmlns="urn:oasis:names:tc:xliff:document:1.2"', b'xmlns="urn:x"'),
            "not an XLIFF file (its root is <xliff>)",
        ),
        (_edited(b"Pactum charter v1-", b"Pactum charter v7-"), "not for the draft of version 1"),
        (_edited(b"Pactum charter", b"Pactum questionnaire"), "not for the draft of version 1"),
        (_edited(b'target-language="fr"', b'target-language="de"'), "in another language (de)"),
        (
            lambda d: d[: d.index(b"<body>")] + b"<body/></file></xliff>",
            "This file has no texts to import.",
        ),
        (lambda d: d + b"<!-- " + b"x" * exchange.MAX_BYTES + b" -->", "too large"),
        (lambda d: BILLION_LAUGHS, DTD),
        (lambda d: EXTERNAL_ENTITY, DTD),
        (
            lambda d: d.decode().encode("utf-16"),
            "This XML file is not in UTF-8: save it as UTF-8 and import it again.",
        ),
    ],
    ids=[
        "cut short",
        "malformed",
        "not xliff",
        "xliff 2.0",
        "another namespace",
        "another version",
        "a questionnaire's file",
        "another language",
        "no texts",
        "too large",
        "billion laughs",
        "external entity",
        "utf-16",
    ],
)
def test_files_refused_whole(draft, change, message):
    data = change(_translated(_export(draft), **FRENCH))
    assert message in _refusal(draft, data)


def test_a_malformed_file_says_where(draft):
    data = b'<?xml version="1.0"?>\n<xliff version="1.2">\n  <file original="x">\n  </fil>\n'
    assert _refusal(draft, data) == (
        "This is not an XML file that can be read: mismatched tag at line 4, column 5."
    )


def test_a_po_file_is_still_read_as_po(draft):
    version = services.load_version(draft.id)
    po_file = exchange.export(version, _status(draft), label, "po")
    assert len(_preview(draft, po_file).entries) == 9


# Over HTTP -------------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, login, secretariat, draft):
    login(client, secretariat)
    return client


def _upload(client, draft, data: bytes, action="preview", filename="charter.xlf"):
    url = f"/secretariat/charter/{draft.id}/translations/fr/import"
    return post_form(
        client,
        url,
        {"file": (io.BytesIO(data), filename), "action": action},
        form_url=url,
        content_type="multipart/form-data",
    )


def test_the_translation_page_offers_both_files(signed_in, draft):
    page = signed_in.get(f"/secretariat/charter/{draft.id}/translations/fr").get_data(True)
    assert f'href="/secretariat/charter/{draft.id}/translations/fr.po"' in page
    assert f'href="/secretariat/charter/{draft.id}/translations/fr.xlf"' in page
    response = signed_in.get(f"/secretariat/charter/{draft.id}/translations/fr.xlf")
    assert response.status_code == 200
    assert response.mimetype == "application/x-xliff+xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="charter-v1-fr.xlf"'
    assert response.headers["Cache-Control"] == "no-store"
    assert _units(response.data)["title"].find("x:source", NS).text == "The Test Accord"


def test_an_xliff_file_is_previewed_then_imported(signed_in, draft):
    exported = signed_in.get(f"/secretariat/charter/{draft.id}/translations/fr.xlf").data
    data = _translated(exported, **FRENCH)
    preview = _upload(signed_in, draft, data, filename="from-the-agency.po")  # the name is no clue
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    assert "9 translations will be saved." in body and "Import 9 translations" in body
    assert _db.session.query(CharterTranslation).count() == 0  # nothing saved yet
    done = _upload(signed_in, draft, data, action="import")
    assert done.status_code == 302
    assert _status(draft).complete


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<xliff version='1.2'><file", "This is not an XML file that can be read"),
        (BILLION_LAUGHS, DTD),
        (b"<?xml version='1.0'?><root/>", "not an XLIFF file (its root is &lt;root&gt;)"),
    ],
)
def test_a_bad_file_is_refused_next_to_the_field(signed_in, draft, data, message):
    for action in ("preview", "import"):
        response = _upload(signed_in, draft, data, action=action)
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert 'id="file-error"' in body and message in body
    assert _db.session.query(CharterTranslation).count() == 0


def test_a_file_for_another_version_is_refused_next_to_the_field(signed_in, draft):
    exported = signed_in.get(f"/secretariat/charter/{draft.id}/translations/fr.xlf").data
    data = _translated(exported, **FRENCH).replace(b"Pactum charter v1-", b"Pactum charter v2-")
    response = _upload(signed_in, draft, data, action="import")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="file-error"' in body and "This file is not for the draft of version 1" in body
    assert _db.session.query(CharterTranslation).count() == 0
