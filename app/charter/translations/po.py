"""Texts as a PO file for a translator (babel.messages.pofile), and such a file parsed
back. Only the format lives here: `exchange` decides what a file means (whose texts, which
language, what changes), the same way for XLIFF files.

The header's Project-Id-Version says what the file is for ("Pactum charter v3-12"); each
text is an entry whose context is its key, with its label and hints as comments, and
marked fuzzy when the source changed since it was translated."""

from __future__ import annotations

import io

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from flask_babel import gettext as _

from app.charter.translations.entries import EntryState
from app.errors import ValidationFailed

Units = list[tuple[str, str, str]]  # (key, source, translation)


def write(
    project: str, stamp: str, language: str, units: list[tuple[EntryState, list[str]]]
) -> bytes:
    """`units`: each text with its notes for the translator."""
    catalog = Catalog(locale=language, project=project, version=stamp)
    for entry, notes in units:
        catalog.add(
            entry.source.text,
            entry.text,
            context=entry.source.key,
            auto_comments=notes,
            flags=["fuzzy"] if entry.outdated else [],
        )
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=False)
    return out.getvalue()


def parse(data: bytes) -> tuple[str, str, Units]:
    """(what the file is for, its language, its entries). Refuses (ValidationFailed on
    "file") what is not a PO file that can be read."""
    try:
        data.decode("utf-8")
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError, IndexError) as error:
        raise ValidationFailed(
            _("This is not a PO file that can be read: %(error)s", error=str(error)[:200]),
            field="file",
        ) from error
    units = [
        (
            message.context or "",
            message.id if isinstance(message.id, str) else "",
            message.string if isinstance(message.string, str) else "",
        )
        for message in catalog
        if message.id  # not the header
    ]
    return f"{catalog.project} {catalog.version}".strip(), str(catalog.locale or ""), units
