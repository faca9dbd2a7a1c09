"""The alliance's languages (`PACTUM_LANGUAGES`, app/config.py): which ones it works in, which
one its texts are written in first, and which one the current reader reads.

    languages()          {"en": "English", "fr": "Français", ...}, in the configured order
    source_language()    "en": the language the alliance writes its texts in first
    translations()       the configured languages other than the source
    current_language()   the reader's language (the request's locale), or the source
    is_language(code)    whether `code` is one of the configured languages
    pick_language(...)   the negotiation the locale selector makes (pure: no request)
    previews_content(view)  marks a secretariat preview: its `?lang=` names the language of
                         the content shown, not the interface's, and is never remembered

No request is needed: outside one (CLI, jobs, demo) the current language is the source
language, unless the caller forces a locale (`flask_babel.force_locale`).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, has_app_context
from flask_babel import get_locale

FALLBACK = "en"


def languages() -> dict[str, str]:
    """Code -> the language's own name, in the configured order (the source first)."""
    if not has_app_context():
        return {FALLBACK: "English"}
    return dict(current_app.config.get("LANGUAGES") or {FALLBACK: "English"})


def source_language() -> str:
    if not has_app_context():
        return FALLBACK
    return current_app.config.get("SOURCE_LANGUAGE") or next(iter(languages()))


def translations() -> list[str]:
    """The configured languages a text may be translated into (all but the source)."""
    source = source_language()
    return [code for code in languages() if code != source]


def is_language(code: object) -> bool:
    return isinstance(code, str) and code in languages()


def language_name(code: str) -> str:
    return languages().get(code, code)


def current_language() -> str:
    """The reader's language: the locale of the request (or of `force_locale`), when it is a
    configured language; else the source language."""
    locale = get_locale() if has_app_context() else None
    code = str(locale) if locale else ""
    if is_language(code):
        return code
    language = code.split("_")[0]
    return language if is_language(language) else source_language()


def pick_language(
    requested: str | None,
    remembered: str | None,
    accepted: Iterable[str] = (),
) -> tuple[str, str | None]:
    """(the language to use, the one to remember). An explicit choice (`?lang=`) wins when it
    is configured; then the remembered one, when still configured (a language the alliance
    dropped is forgotten); then the browser's best configured match; then the source. An
    unconfigured choice is ignored politely: the reader keeps what they had."""
    if is_language(requested):
        return requested, requested
    if is_language(remembered):
        return remembered, remembered
    configured = languages()
    for code in accepted:
        if code in configured:
            return code, None
        base = code.replace("-", "_").split("_")[0]
        if base in configured:
            return base, None
    return source_language(), None


CONTENT_PREVIEW = "pactum_previews_content"


def previews_content(view):
    """Mark a view that previews content in a language (a charter draft, a questionnaire):
    there `?lang=` names the language of the *content*. The locale selector then neither
    uses nor remembers it, so a secretariat member who previews the French text keeps the
    interface in their own language, on that page and the next. Everywhere else `?lang=`
    still switches (and remembers) the interface, public links included."""
    setattr(view, CONTENT_PREVIEW, True)
    return view


def is_content_preview(view) -> bool:
    return bool(getattr(view, CONTENT_PREVIEW, False))
