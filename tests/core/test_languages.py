"""PACTUM_LANGUAGES and the small API other code reads the alliance's languages from
(app/core/languages.py, issue 18)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.config import ConfigError, language_settings
from app.core import languages


def test_the_setting_names_the_languages_by_their_own_names_source_first():
    settings = language_settings("fr, en,es,fr")
    assert settings["LANGUAGES"] == {"fr": "Français", "en": "English", "es": "Español"}
    assert settings["SOURCE_LANGUAGE"] == "fr"
    assert settings["BABEL_DEFAULT_LOCALE"] == "en"  # the interface's own strings
    assert list(language_settings(None)["LANGUAGES"]) == ["en", "fr", "es", "de"]


@pytest.mark.parametrize("value", ["", " , ", "en,klingon", "en,xx"])
def test_a_setting_that_names_no_language_is_refused_at_start(value):
    with pytest.raises(ConfigError):
        language_settings(value)


def test_the_api_for_other_code(app):
    with app.app_context():
        assert languages.languages() == {
            "en": "English",
            "fr": "Français",
            "es": "Español",
            "de": "Deutsch",
        }
        assert languages.source_language() == "en"
        assert languages.translations() == ["fr", "es", "de"]
        assert languages.current_language() == "en"  # no request: the source
        with force_locale("de"):
            assert languages.current_language() == "de"
        with force_locale("fr_CA"):
            assert languages.current_language() == "fr"
        with force_locale("ja"):
            assert languages.current_language() == "en"
        assert languages.is_language("es") and not languages.is_language("xx")
        assert not languages.is_language(None)


@pytest.mark.parametrize(
    "requested, remembered, accepted, expected",
    [
        ("fr", None, [], ("fr", "fr")),
        ("xx", "de", [], ("de", "de")),  # an unknown choice keeps what the reader had
        (None, "es", ["fr"], ("es", "es")),
        (None, "xx", ["de-AT"], ("de", None)),  # a language no longer offered is forgotten
        (None, None, ["ja", "fr-CA"], ("fr", None)),
        (None, None, ["ja"], ("en", None)),
        ("", None, [""], ("en", None)),
    ],
)
def test_the_negotiation(app, requested, remembered, accepted, expected):
    with app.app_context():
        assert languages.pick_language(requested, remembered, accepted) == expected
