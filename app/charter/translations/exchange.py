"""A version's or a questionnaire's texts as a file for a translator, and that file read
back, in either of two formats: PO (`po`: Poedit, Weblate, gettext tools) or XLIFF 1.2
(`xliff`: CAT tools such as Trados, memoQ, OmegaT). The translator picks the format on
export; on import the content says which it is (an XML document is XLIFF, anything else
PO), never the file's name.

Each format only writes a file and parses one into (what it is for, its language, its
(key, source, translation) units); what a file means is decided here, once for both. The
file is refused whole when it is too large, cannot be read, is for another version,
questionnaire or language, or has no texts; otherwise each entry gets its errors (an
unknown text, a source that changed since the export, placeholders or links that do not
match the source: `checks.problems`). Plain values; nothing is saved here
(`services.save` stores what the preview showed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.charter.models import CharterVersion
from app.charter.translations import checks, languages, po, xliff
from app.charter.translations.entries import LanguageStatus, SourceEntry
from app.errors import ValidationFailed

PROJECT = "Pactum charter"
MAX_BYTES = 1_000_000
MARKDOWN_HINT = "Markdown: keep the links and the formatting."


@dataclass(frozen=True)
class Format:
    extension: str
    mimetype: str


FORMATS = {
    "po": Format("po", "text/x-gettext-translation"),
    "xliff": Format("xlf", "application/x-xliff+xml"),
}


@dataclass(frozen=True)
class Target:
    """What a file is for: the project and stamp it names (a PO file's Project-Id-Version,
    an XLIFF file's `original`), and the sentences that refuse a file for something else
    (`wrong_file(found)`) or an entry that is not one of its texts. The questionnaires'
    files use their own."""

    project: str
    stamp: str
    wrong_file: Callable[[str], str]
    unknown: str

    @property
    def identity(self) -> str:
        return f"{self.project} {self.stamp}"


def _stamp(version: CharterVersion) -> str:
    """Which version a file is for: its number and its row (a deleted draft's number is
    given to the next one)."""
    return f"v{version.number}-{version.id}"


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


# Export ----------------------------------------------------------------------------------------


def notes(source: SourceEntry, label) -> list[str]:
    """What a translator is told about a text: its label, and what Markdown must keep."""
    return [str(label(source))] + ([MARKDOWN_HINT] if source.markdown else [])


def export_texts(target: Target, status: LanguageStatus, label, fmt: str = "po") -> bytes:
    """Every text with its current translation (outdated ones marked fuzzy in PO,
    "needs-review-translation" in XLIFF). `label(source)` names each text for the
    translator; `fmt`: a key of FORMATS."""
    units = [(entry, notes(entry.source, label)) for entry in status.entries]
    if fmt == "xliff":
        return xliff.write(target.identity, languages.source_language(), status.language, units)
    return po.write(target.project, target.stamp, status.language, units)


def export(version: CharterVersion, status: LanguageStatus, label, fmt: str = "po") -> bytes:
    return export_texts(_version_target(version), status, label, fmt)


# Import ----------------------------------------------------------------------------------------


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


def same_language(found: str, wanted: str) -> bool:
    """Whether a file's language is the one wanted: "fr-FR" and "fr_FR" are French for a
    text wanted in "fr", "pt-PT" is not "pt-BR"."""
    found = found.replace("_", "-").lower()
    return found == wanted.lower() or ("-" not in wanted and found.split("-")[0] == wanted)


def _parse(data: bytes) -> tuple[str, str, list[tuple[str, str, str]]]:
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            _("This file is too large for a translation (1 MB at most)."), field="file"
        )
    return (xliff.parse if xliff.is_xml(data) else po.parse)(data)


def _comparable(text: str) -> str:
    """A source text as an XML file carries it back: its line ends as a parser reads them (a
    tool may write a browser's carriage returns raw, read back as line feeds), without the
    control characters XML has no place for."""
    return xliff.carried(text).replace("\r\n", "\n").replace("\r", "\n")


def _entry(target: Target, key: str, entry, source_text: str, text: str, again: bool):
    if entry is None:
        return ImportedEntry(key, None, "", text, [target.unknown])
    problems = []
    if again:
        problems.append(_("This text is in the file twice."))
    elif _comparable(source_text) != _comparable(entry.source.text):
        problems.append(_("The source text changed since the file was exported: export it again."))
    elif text:
        problems += checks.problems(entry.source, text)
    return ImportedEntry(key, entry.source, entry.text, text, problems)


def preview_texts(target: Target, status: LanguageStatus, data: bytes) -> Preview:
    """What importing the file (PO or XLIFF) would change, entry by entry. Refuses
    (ValidationFailed on "file") a file for another target or language, one without
    texts, or one that cannot be read."""
    identity, language, units = _parse(data)
    if identity != target.identity:
        raise ValidationFailed(target.wrong_file(identity or "?"), field="file")
    if not same_language(language, status.language):
        raise ValidationFailed(
            _("This file is in another language (%(found)s).", found=language or "?"),
            field="file",
        )
    by_key = {e.source.key: e for e in status.entries}
    result, seen = Preview(), set()
    for key, source_text, text in units:
        result.entries.append(
            _entry(target, key, by_key.get(key), source_text, text.strip(), key in seen)
        )
        seen.add(key)
    if not result.entries:
        raise ValidationFailed(_("This file has no texts to import."), field="file")
    return result


def preview(version: CharterVersion, status: LanguageStatus, data: bytes) -> Preview:
    """What importing the file would change, entry by entry. Refuses (ValidationFailed on
    "file") a file for another version or language, or one that cannot be read."""
    return preview_texts(_version_target(version), status, data)
