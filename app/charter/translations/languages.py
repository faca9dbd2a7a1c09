"""The alliance's languages, the first being the source language of the charter.

Until `app.core.languages` lands (another part of issue 18), read `PACTUM_LANGUAGES` from
the app's configuration here: "en,fr,es,de" (a list or a comma-separated string).
"""

from __future__ import annotations

from flask import current_app

DEFAULT = "en,fr,es,de"
NAMES = {"en": "English", "fr": "Français", "es": "Español", "de": "Deutsch"}


def languages() -> list[str]:
    configured = current_app.config.get("PACTUM_LANGUAGES") or DEFAULT
    if isinstance(configured, str):
        configured = configured.split(",")
    codes = [c.strip() for c in configured if c and c.strip()]
    return list(dict.fromkeys(codes)) or ["en"]


def source_language() -> str:
    return languages()[0]


def target_languages() -> list[str]:
    """The languages the charter is translated into."""
    return languages()[1:]


def name(code: str) -> str:
    return NAMES.get(code, code)


def resolve(requested: str | None, fallback: str | None) -> str:
    """The language to show: the one asked for when the alliance has it, else the fallback
    (the reader's locale) when it has that, else the source language."""
    known = languages()
    for candidate in (requested, fallback):
        if candidate and str(candidate) in known:
            return str(candidate)
    return known[0]
