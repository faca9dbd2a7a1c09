"""Texts as an XLIFF 1.2 file, the exchange format of CAT tools (Trados, memoQ, OmegaT,
Weblate), and such a file parsed back. Only the format lives here: `exchange` decides what
a file means (whose texts, which language, what changes), the same way for PO files.

One `<file original="Pactum charter v3-12" source-language target-language
datatype="plaintext">` and a `<trans-unit id=key resname=key>` per text: its `<source>`,
its `<target>` when there is a translation (state "translated", or
"needs-review-translation" when the source changed since), and a `<note>` per hint the PO
file carries as comments. The file is read with defusedxml, refusing any DTD: an uploaded
file cannot declare entities (billion laughs), nor make the parser fetch anything."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from codecs import BOM_UTF8, BOM_UTF16_BE, BOM_UTF16_LE
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask_babel import gettext as _

from app.charter.translations.entries import EntryState
from app.errors import ValidationFailed

NS = "urn:oasis:names:tc:xliff:document:1.2"
VERSION = "1.2"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
Units = list[tuple[str, str, str]]  # (key, source, translation)


# What XML 1.0 cannot carry at all, not even as a character reference.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def carried(text: str) -> str:
    """The text as an XML file can carry it: without the control characters XML 1.0 has no
    place for (a vertical tab pasted from a word processor)."""
    return NOT_XML.sub("", text)


def is_xml(data: bytes) -> bool:
    """Whether the content is an XML document (rather than a PO file): what it holds says
    which format it is, never the file's name."""
    if data.startswith((BOM_UTF16_LE, BOM_UTF16_BE)):  # refused below, as not UTF-8
        return data[:400].decode("utf-16", "ignore").lstrip("\ufeff \t\r\n").startswith("<")
    return data.removeprefix(BOM_UTF8).lstrip().startswith(b"<")


def write(
    identity: str,
    source_language: str,
    language: str,
    units: list[tuple[EntryState, list[str]]],
) -> bytes:
    """`identity`: what the file is for (the PO file's Project-Id-Version), its `original`;
    `units`: each text with its notes for the translator."""
    root = ET.Element("xliff", {"version": VERSION, "xmlns": NS})
    file = ET.SubElement(
        root,
        "file",
        {
            "original": identity,
            "source-language": source_language,
            "target-language": language,
            "datatype": "plaintext",
        },
    )
    body = ET.SubElement(file, "body")
    for entry, notes in units:
        source = entry.source
        attributes = {"id": source.key, "resname": source.key, XML_SPACE: "preserve"}
        if source.limit is not None:
            attributes |= {"maxwidth": str(source.limit), "size-unit": "char"}
        unit = ET.SubElement(body, "trans-unit", attributes)
        ET.SubElement(unit, "source").text = carried(source.text)
        if not entry.missing:
            state = "needs-review-translation" if entry.outdated else "translated"
            ET.SubElement(unit, "target", {"state": state}).text = carried(entry.text)
        for note in notes:
            ET.SubElement(unit, "note").text = note
    ET.indent(root)
    # A carriage return typed in a browser's text area stays one: a parser reads a raw one
    # as a line feed, the source would no longer match. (Attributes have none left raw.)
    text = ET.tostring(root, encoding="unicode").replace("\r", "&#13;")
    return (DECLARATION + text + "\n").encode()


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="file")


def _not_xliff(name: str) -> ValidationFailed:
    return _refused(
        _("This is an XML file, but not an XLIFF file (its root is <%(name)s>).", name=name)
    )


def _root(data: bytes) -> ET.Element:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refused(
            _("This XML file is not in UTF-8: save it as UTF-8 and import it again.")
        ) from error
    try:
        return fromstring(text, forbid_dtd=True)
    except DefusedXmlException as error:
        raise _refused(
            _(
                "This file declares a DTD or entities, which are refused for safety. "
                "Export the file again from this page."
            )
        ) from error
    except ET.ParseError as error:
        line, column = error.position
        raise _refused(
            _(
                "This is not an XML file that can be read: %(reason)s at line %(line)d, "
                "column %(column)d.",
                reason=ErrorString(error.code),
                line=line,
                column=column + 1,
            )
        ) from error


def _text(element: ET.Element | None) -> str:
    """The element's text with that of any inline markup (`<mrk>`, `<g>`) a tool added."""
    return "" if element is None else "".join(element.itertext())


def _split(tag: str) -> tuple[str, str]:
    """("urn:…", "xliff") from "{urn:…}xliff"."""
    if tag.startswith("{"):
        namespace, _brace, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def parse(data: bytes) -> tuple[str, str, Units]:
    """(what the file is for, its target language, its units). Refuses (ValidationFailed
    on "file") what is not XML that can be read safely, nor XLIFF 1.2."""
    root = _root(data)
    namespace, name = _split(root.tag)
    if name != "xliff":
        raise _not_xliff(name)
    if root.get("version") != VERSION:
        raise _refused(
            _(
                "This XLIFF file is version %(found)s; only XLIFF 1.2 files can be imported.",
                found=root.get("version") or "?",
            )
        )
    if namespace not in ("", NS):
        raise _not_xliff(name)
    q = f"{{{namespace}}}" if namespace else ""
    files = root.findall(q + "file")
    units = [
        (
            unit.get("id") or unit.get("resname") or "",
            _text(unit.find(q + "source")),
            _text(unit.find(q + "target")),
        )
        for file in files
        for unit in file.iter(q + "trans-unit")
    ]
    # Several <file> elements are read as one when they say the same; otherwise the
    # identity or the language found names them all, and matches nothing.
    identity = " / ".join(sorted({f.get("original", "") for f in files}))
    language = " / ".join(sorted({f.get("target-language", "") for f in files}))
    return identity, language, units
