"""A version's texts as a PO file for a translator (babel.messages.pofile), and that file
read back: an error per entry (an unknown text, a source that changed since the export,
placeholders or links that do not match the source), and the file refused whole when it is
for another version or language, or is not a PO file. Plain values; nothing is saved here
(`services.save` stores what the preview showed)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from flask_babel import gettext as _

from app.charter.models import CharterVersion
from app.charter.translations import checks
from app.charter.translations.entries import LanguageStatus, SourceEntry
from app.errors import ValidationFailed

PROJECT = "Pactum charter"
MAX_BYTES = 1_000_000


def _stamp(version: CharterVersion) -> str:
    """Which version a file is for: its number and its row (a deleted draft's number is
    given to the next one)."""
    return f"v{version.number}-{version.id}"


@dataclass(frozen=True)
class Target:
    """What a PO file is for: the project and stamp written in its header, and the
    sentences that refuse a file for something else (`wrong_file(found)`) or an entry
    that is not one of its texts. The questionnaires' files use their own."""

    project: str
    stamp: str
    wrong_file: Callable[[str], str]
    unknown: str


def _version_target(version: CharterVersion) -> Target:
    return Target(
        PROJECT,
        _stamp(version),
        lambda found: _(
            "This file is not for the draft of version %(n)d (it says “%(found)s”). "
            "Export the file of this draft and translate that one.",
            n=version.number,
            found=found,
        ),
        _("This text is not part of this version."),
    )


def export(version: CharterVersion, status: LanguageStatus, label) -> bytes:
    """Every text of the version, with its current translation (outdated ones marked
    fuzzy). `label(source)` names each text for the translator."""
    return export_texts(_version_target(version), status, label)


def export_texts(target: Target, status: LanguageStatus, label) -> bytes:
    catalog = Catalog(locale=status.language, project=target.project, version=target.stamp)
    for entry in status.entries:
        catalog.add(
            entry.source.text,
            entry.text,
            context=entry.source.key,
            auto_comments=[str(label(entry.source))]
            + (["Markdown: keep the links and the formatting."] if entry.source.markdown else []),
            flags=["fuzzy"] if entry.outdated else [],
        )
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=False)
    return out.getvalue()


@dataclass(frozen=True)
class ImportedEntry:
    key: str
    source: SourceEntry | None
    current: str  # the translation stored now
    text: str  # the translation in the file
    problems: list[str]

    @property
    def changes(self) -> bool:
        """An empty translation in the file leaves the stored one alone."""
        return not self.problems and bool(self.text) and self.text != self.current


@dataclass
class Preview:
    entries: list[ImportedEntry] = field(default_factory=list)

    @property
    def problems(self) -> list[ImportedEntry]:
        return [e for e in self.entries if e.problems]

    @property
    def changes(self) -> list[ImportedEntry]:
        return [e for e in self.entries if e.changes]

    def texts(self) -> dict[str, str]:
        return {e.key: e.text for e in self.changes}


def _read(data: bytes):
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            _("This file is too large for a charter translation (1 MB at most)."), field="file"
        )
    try:
        data.decode("utf-8")
        return read_po(io.BytesIO(data), abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError, IndexError) as error:
        raise ValidationFailed(
            _("This is not a PO file that can be read: %(error)s", error=str(error)[:200]),
            field="file",
        ) from error


def preview(version: CharterVersion, status: LanguageStatus, data: bytes) -> Preview:
    """What importing the file would change, entry by entry. Refuses (ValidationFailed on
    "file") a file for another version or language, or one that cannot be read."""
    return preview_texts(_version_target(version), status, data)


def preview_texts(target: Target, status: LanguageStatus, data: bytes) -> Preview:
    catalog = _read(data)
    if catalog.project != target.project or catalog.version != target.stamp:
        raise ValidationFailed(
            target.wrong_file(f"{catalog.project} {catalog.version}".strip()), field="file"
        )
    if str(catalog.locale or "") != status.language:
        raise ValidationFailed(
            _("This file is in another language (%(found)s).", found=str(catalog.locale or "?")),
            field="file",
        )
    by_key = {e.source.key: e for e in status.entries}
    result = Preview()
    for message in catalog:
        if not message.id:
            continue  # the header
        key = message.context or ""
        text = message.string if isinstance(message.string, str) else ""
        entry = by_key.get(key)
        if entry is None:
            result.entries.append(ImportedEntry(key, None, "", text, [target.unknown]))
            continue
        problems = []
        if message.id != entry.source.text:
            problems.append(
                _("The source text changed since the file was exported: export it again.")
            )
        elif text.strip():
            problems += checks.problems(entry.source, text.strip())
        result.entries.append(ImportedEntry(key, entry.source, entry.text, text.strip(), problems))
    if not result.entries:
        raise ValidationFailed(_("This file has no texts to import."), field="file")
    return result
