"""The alliance's languages for the charter, the first being its source language: a thin
view of `app.core.languages` (`PACTUM_LANGUAGES`) in the shapes the charter code uses."""

from __future__ import annotations

from app.core import languages as _core


class _Names:
    """`NAMES[code]`: the language's own name ("Français"), as configured."""

    def __getitem__(self, code: str) -> str:
        return _core.language_name(code)

    def get(self, code: str, default: str | None = None) -> str | None:
        return _core.language_name(code) if _core.is_language(code) else default


NAMES = _Names()


def languages() -> list[str]:
    return list(_core.languages())


def source_language() -> str:
    return _core.source_language()


def target_languages() -> list[str]:
    """The languages the charter is translated into."""
    return _core.translations()


def name(code: str) -> str:
    return _core.language_name(code)


def resolve(requested: str | None, fallback: str | None) -> str:
    """The language to show: the one asked for when the alliance has it, else the fallback
    (the reader's locale) when it has that, else the source language."""
    for candidate in (requested, fallback):
        if candidate and _core.is_language(str(candidate)):
            return str(candidate)
    return _core.source_language()
