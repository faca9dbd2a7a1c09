"""The French translation: public pages render in French, the choice sticks, and the catalog
is complete (every string the code marks has a French translation keeping its placeholders).

The compiled catalog (messages.mo) is git-ignored; `make translations` builds it, and the
fixture below compiles it too when it is missing or older than messages.po.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, get_babel, gettext

from app.config import BASE_DIR

TRANSLATIONS = BASE_DIR / "translations"
PO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
NBSP = "\u00a0"  # French puts a no-break space before : ; ? ! and inside « »


def _read_catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="fr")


def _compile_if_stale() -> bool:
    if MO.exists() and MO.stat().st_mtime >= PO.stat().st_mtime:
        return False
    catalog = _read_catalog()
    # Written next to the target and renamed: pytest-xdist workers may race here.
    fd, tmp = tempfile.mkstemp(dir=MO.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalog)
        os.chmod(tmp, 0o644)
        os.replace(tmp, MO)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return True


@pytest.fixture(autouse=True)
def compiled_catalog(app):
    if _compile_if_stale():
        # Flask-Babel caches loaded catalogs per (locale, domain): drop a stale one.
        with app.app_context():
            getattr(get_babel(app).instance.domain_instance, "cache", {}).clear()


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


def test_browser_language_is_honoured(client):
    html = client.get("/members", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(True)
    assert '<html lang="fr">' in html and "Rechercher des membres" in html


def test_language_switcher_offers_both_languages(client):
    html = page(client, "/?lang=fr")
    assert re.search(r'<option value="fr"\s+selected', html)
    assert 'lang="en">English</option>' in html and "Français</option>" in html


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


def test_every_message_has_a_french_translation_with_the_same_placeholders():
    catalog = _read_catalog()
    assert catalog.plural_forms.startswith("nplurals=")
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


def test_every_marked_string_is_in_the_catalog():
    """Run `make translations-update` and translate the new entries when this fails."""
    catalog = _read_catalog()
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = sorted(_marked_strings() - known)
    assert not missing, "not in translations/fr/LC_MESSAGES/messages.po:\n" + "\n".join(missing)


def test_every_template_parses_for_extraction():
    """A template the extractor cannot parse is skipped in silence, with all its strings."""
    from jinja2 import Environment

    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    for path in sorted((BASE_DIR / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            env.parse(path.read_text(encoding="utf-8"), filename=str(path))
