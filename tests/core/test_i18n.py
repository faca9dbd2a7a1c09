"""The interface translations: public pages render in each translated language, the choice
sticks, and every catalog is complete (every string the code marks has a translation keeping
its placeholders, with the language's own plural forms).

The catalog tests run for every configured language (`PACTUM_LANGUAGES`) other than the
source that has a catalog under translations/ (French, and Spanish and German once theirs
land); the page texts below are French.

The compiled catalogs (messages.mo) are git-ignored; `make translations` builds them, and the
fixture below compiles them too when one is missing or older than its messages.po.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from flask_babel import force_locale, get_babel, gettext

from app.config import BASE_DIR, language_settings

TRANSLATIONS = BASE_DIR / "translations"
NBSP = "\u00a0"  # French puts a no-break space before : ; ? ! and inside « »
_SETTINGS = language_settings()
# The configured languages, the source aside, that have a catalog.
TRANSLATED = [
    code
    for code in _SETTINGS["LANGUAGES"]
    if code != _SETTINGS["SOURCE_LANGUAGE"]
    and (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").exists()
]


def _po(code: str) -> Path:
    return TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"


def _read_catalog(code: str = "fr"):
    with _po(code).open("rb") as f:
        return read_po(f, locale=code)


def _compile_if_stale(code: str) -> bool:
    po = _po(code)
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return False
    catalog = _read_catalog(code)
    # Written next to the target and renamed: pytest-xdist workers may race here.
    fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalog)
        os.chmod(tmp, 0o644)
        os.replace(tmp, mo)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return True


@pytest.fixture(autouse=True)
def compiled_catalog(app):
    stale = [_compile_if_stale(code) for code in TRANSLATED]  # each one, not the first only
    if any(stale):
        # Flask-Babel caches loaded catalogs per (locale, domain): drop a stale one.
        with app.app_context():
            getattr(get_babel(app).instance.domain_instance, "cache", {}).clear()


def test_french_is_among_the_translated_languages():
    assert "fr" in TRANSLATED


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# Pages in French -----------------------------------------------------------------------

PAGES = {
    "/": [
        "Aller au contenu principal",
        "Adhérer",
        "Données ouvertes",
        "Votre organisation est-elle prête à s’engager" + NBSP + "?",
    ],
    "/charter": ["La charte n’a pas encore été publiée. Veuillez revenir prochainement."],
    "/members": ["Rechercher des membres", "Trier par", "Afficher les membres", "Année d’adhésion"],
    "/login": [
        "Mot de passe",
        "Rester connecté sur cet appareil",
        "Mot de passe oublié" + NBSP + "?",
    ],
    "/reports": ["Aucun rapport de transparence n’a encore été publié."],
}


@pytest.mark.parametrize("url", list(PAGES))
def test_public_pages_render_in_french(client, url):
    html = page(client, f"{url}?lang=fr")
    assert '<html lang="fr">' in html
    for text in PAGES[url] + ["Charte", "Membres", "Rapports", "Se connecter", "Langue"]:
        assert text in html, f"{text!r} missing from {url}"
    for english in (">Members<", ">Log in<", "Skip to main content", ">Language<"):
        assert english not in html, f"{english!r} left in English on {url}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_public_pages_render_in_each_translated_language(client, code):
    """The layout's own strings, read from the language's catalog, replace the English."""
    catalog = _read_catalog(code)
    for url in PAGES:
        html = page(client, f"{url}?lang={code}")
        assert f'<html lang="{code}">' in html, url
        for english in ("Skip to main content", "Members"):
            translated = catalog.get(english).string
            assert translated and translated in html, f"{english!r} not in {code} on {url}"
        assert "Skip to main content" not in html, url


def test_the_choice_of_language_sticks_until_changed(client):
    assert '<html lang="en">' in page(client, "/")
    page(client, "/login?lang=fr")
    for url in PAGES:  # no ?lang any more: the session remembers it
        html = page(client, url)
        assert '<html lang="fr">' in html, url
        assert "Aller au contenu principal" in html, url
    html = page(client, "/members?lang=en")
    assert '<html lang="en">' in html and "Find members" in html
    assert '<html lang="en">' in page(client, "/charter")


def test_unknown_language_is_ignored(client):
    page(client, "/?lang=fr")
    assert '<html lang="fr">' in page(client, "/?lang=xx")


def test_an_unconfigured_language_falls_back_politely(app, client):
    """A language the alliance does not work in, asked for by ?lang=, remembered by the
    session cookie or preferred by the browser, leaves the reader in a configured one."""
    configured = dict(app.config["LANGUAGES"])
    try:
        app.config["LANGUAGES"] = {"en": "English", "fr": "Français"}
        html = page(client, "/?lang=de")
        assert '<html lang="en">' in html and 'value="de"' not in html
        with client.session_transaction() as session:
            session["lang"] = "es"  # remembered before the alliance dropped Spanish
        assert '<html lang="en">' in page(client, "/members")
        html = client.get("/members", headers={"Accept-Language": "de-DE,fr;q=0.5"}).get_data(True)
        assert '<html lang="fr">' in html
    finally:
        app.config["LANGUAGES"] = configured


def test_browser_language_is_honoured(client):
    html = client.get("/members", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(True)
    assert '<html lang="fr">' in html and "Rechercher des membres" in html


def test_language_switcher_offers_the_configured_languages(app, client):
    html = page(client, "/?lang=fr")
    assert re.search(r'<option value="fr"\s+selected', html)
    offered = re.findall(r'<option value="(\w+)"[^>]*lang="\w+">([^<]+)</option>', html)
    assert offered == list(app.config["LANGUAGES"].items())
    assert ("en", "English") in offered and ("fr", "Français") in offered
    assert list(app.config["LANGUAGES"]) == ["en", "fr", "es", "de"]  # the default
    assert dict(offered).get("es") == "Español" and dict(offered).get("de") == "Deutsch"


def test_python_strings_and_plurals_are_translated(app):
    from flask_babel import ngettext

    with app.test_request_context("/?lang=fr"), force_locale("fr"):
        assert gettext("Page not found") == "Page introuvable"
        assert gettext("Use at least %(n)d characters.", n=12) == "Utilisez au moins 12 caractères."
        assert ngettext("%(count)s member", "%(count)s members", 1, count="1") == "1 membre"
        assert ngettext("%(count)s member", "%(count)s members", 3, count="3") == "3 membres"
        # "Published" is both a plain string and the singular of a plural entry.
        assert gettext("Published") == "Publié"


# The catalog ----------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _percent_signs(text: str) -> tuple[int, int]:
    """How many "%%" (a literal % in a formatted string) and how many lone "%"."""
    rest = PLACEHOLDER.sub("", text)
    return rest.count("%%"), rest.replace("%%", "").count("%")


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_has_a_translation_with_the_same_placeholders(code):
    catalog = _read_catalog(code)
    assert catalog.plural_forms.startswith("nplurals=")
    assert catalog.num_plurals == get_plural(code).num_plurals, "the language's plural forms"
    problems = []
    count = 0
    for message in catalog:
        if not message.id:
            continue
        count += 1
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if message.pluralizable:
            singular, plural = message.id
            forms = list(message.string)
            if len(forms) != catalog.num_plurals or not all(f.strip() for f in forms):
                problems.append(f"untranslated plural: {message.id!r}")
                continue
            # The first form may leave the count out ("Publié" for "Published").
            if not set(_placeholders(forms[0])) <= set(_placeholders(singular + plural)):
                problems.append(f"placeholders: {message.id!r} -> {forms[0]!r}")
            for form in forms[1:]:
                if _placeholders(form) != _placeholders(plural):
                    problems.append(f"placeholders: {plural!r} -> {form!r}")
            continue
        if not message.string or not message.string.strip():
            problems.append(f"untranslated: {message.id!r}")
            continue
        if _placeholders(message.string) != _placeholders(message.id):
            problems.append(f"placeholders: {message.id!r} -> {message.string!r}")
        if _percent_signs(message.string) != _percent_signs(message.id):
            problems.append(f"percent signs: {message.id!r} -> {message.string!r}")
        if message.id.count("**") != message.string.count("**"):
            problems.append(f"Markdown: {message.id!r} -> {message.string!r}")
    assert count > 1000
    assert not problems, "\n".join(problems)


def _marked_strings() -> set:
    """Every string the code marks, extracted like `make translations-update` does, but with
    the `do` extension on for every template (as the app's Jinja environment has it) and
    without skipping folders that start with "_" (templates/_macros)."""
    jinja = {"extensions": "jinja2.ext.do"}
    found = set()
    for folder, method_map, options in (
        (BASE_DIR / "app", [("**.py", "python")], {}),
        (
            BASE_DIR / "templates",
            [("**.html", "jinja2"), ("**.txt", "jinja2")],
            {"**.html": jinja, "**.txt": jinja},
        ),
    ):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(folder),
            method_map,
            options_map=options,
            keywords={
                "_": None,
                "gettext": None,
                "ngettext": (1, 2),
                "_l": None,
                "lazy_gettext": None,
            },
            directory_filter=lambda path: not Path(path).name.startswith((".", "__")),
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def marked_strings():
    return _marked_strings()


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_marked_string_is_in_the_catalog(code, marked_strings):
    """Run `make translations-update` and translate the new entries when this fails."""
    catalog = _read_catalog(code)
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = sorted(marked_strings - known)
    assert not missing, f"not in translations/{code}/LC_MESSAGES/messages.po:\n" + "\n".join(
        missing
    )


def test_every_template_parses_for_extraction():
    """A template the extractor cannot parse is skipped in silence, with all its strings."""
    from jinja2 import Environment

    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    for path in sorted((BASE_DIR / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            env.parse(path.read_text(encoding="utf-8"), filename=str(path))
