"""Charter translations per version: entered beside the source, outdated when the source
changes, frozen at publication, and read in the reader's language (page, JSON, PDF,
comparison) with the source text and a notice where a translation is missing."""

from __future__ import annotations

import datetime as dt
import io
import re

import pikepdf
import pytest
from flask_babel import force_locale, gettext, ngettext
from markupsafe import escape
from pypdf import PdfReader

from app.charter import services
from app.charter.publication import PublishedVersionChanged
from app.charter.translations import checks
from app.charter.translations import services as translations
from app.charter.translations.entries import source_entries
from app.charter.translations.models import CharterTranslation
from app.db import db as _db
from app.errors import Conflict, NotFound, ValidationFailed
from tests.charter.builders import confirmation_token, publish, publish_charter
from tests.conftest import post_form
from tests.querycount import count_queries

FRENCH = {
    "title": "L’Accord de test",
    "preamble": "Nous nous engageons à **ceci**.",
    "change_summary": "Première version.",
    "P1.title": "Protéger tous les utilisateurs",
    "P1.body": "Nous protégerons tous nos utilisateurs, où qu’ils soient.",
    "P2.title": "S’opposer aux attaques contre les citoyens",
    "P2.body": "Nous nous opposerons aux attaques contre des citoyens innocents.",
    "P3.title": "Divulguer les vulnérabilités",
    "P3.body": "Nous mènerons un programme coordonné de divulgation des vulnérabilités.",
}


def _draft(secretariat):
    """A first draft with the builders' title, preamble, summary and three principles."""
    draft = services.start_draft(secretariat)
    services.update_draft(
        secretariat,
        draft.id,
        title="The Test Accord",
        preamble_md="We commit to **this**.",
        change_summary="First version.",
    )
    for title, body, theme in (
        ("Protect all users", "We will protect all our users, wherever they are.", "Security"),
        ("Oppose attacks on citizens", "We will oppose attacks on innocent citizens.", "R"),
        (
            "Disclose vulnerabilities",
            "We will run a coordinated vulnerability disclosure programme.",
            "Security",
        ),
    ):
        services.add_principle(
            secretariat, draft.id, number=None, title=title, body_md=body, theme=theme
        )
    return draft


@pytest.fixture
def draft(db, secretariat):
    return _draft(secretariat)


@pytest.fixture
def french_v1(db, secretariat):
    """Version 1, fully translated into French, published."""
    draft = _draft(secretariat)
    translations.save(secretariat, draft.id, "fr", FRENCH)
    publish(secretariat, draft.id, dt.date(2024, 1, 1))
    db.session.commit()
    return draft


def _status(version, lang="fr"):
    return translations.status_for(services.load_version(version.id), lang)


# Services -------------------------------------------------------------------------------------


def test_the_translatable_texts_of_a_version(draft):
    keys = [e.key for e in source_entries(services.load_version(draft.id))]
    assert keys == [
        "title",
        "preamble",
        "change_summary",
        *[f"P{n}.{f}" for n in (1, 2, 3) for f in ("title", "body")],
    ]


def test_a_translation_is_outdated_when_its_source_changes(draft, secretariat):
    translations.save(secretariat, draft.id, "fr", {"P1.title": FRENCH["P1.title"]})
    status = _status(draft)
    assert [e.source.key for e in status.translated] == ["P1.title"]
    assert len(status.missing) == len(status.entries) - 1

    text = next(t for t in draft.texts if t.number == 1)
    services.update_principle(
        secretariat, draft.id, text.id, number=1, title="Protect every user", body_md=text.body_md
    )
    status = _status(draft)
    assert [e.source.key for e in status.outdated] == ["P1.title"]

    # Saving the same text again does not hide the change; confirming it does.
    translations.save(secretariat, draft.id, "fr", {"P1.title": FRENCH["P1.title"]})
    assert [e.source.key for e in _status(draft).outdated] == ["P1.title"]
    saved = translations.save(
        secretariat, draft.id, "fr", {"P1.title": FRENCH["P1.title"]}, confirmed={"P1.title"}
    )
    assert saved.confirmed == ["P1.title"]
    assert _status(draft).outdated == []


def test_a_source_changed_while_translating_leaves_the_translation_outdated(draft, secretariat):
    """The page carries the hash of the source it showed; a translation made from an older
    source is stored as outdated."""
    translations.save(secretariat, draft.id, "fr", {"title": "L’Accord"}, seen={"title": "0" * 32})
    assert [e.source.key for e in _status(draft).outdated] == ["title"]


def test_every_problem_at_once_and_nothing_saved(draft, secretariat):
    services.update_draft(
        secretariat,
        draft.id,
        title="The Test Accord for %(year)s",
        preamble_md="Read [the statutes](https://example.org/statutes).",
        change_summary="First version.",
    )
    with pytest.raises(ValidationFailed) as refused:
        translations.save(
            secretariat,
            draft.id,
            "fr",
            {
                "title": "L’Accord de test",  # placeholder lost
                "preamble": "Lisez [les statuts](https://example.org/statuts",  # broken link
                "P1.body": "Nous protégerons. " * 40,  # far longer than the source
                "P2.title": "Ok",
            },
        )
    errors = refused.value.errors
    assert set(errors) == {"title", "preamble", "P1_body"}
    assert "%(year)s" in errors["title"][0]
    assert any("link is not closed" in m for m in errors["preamble"])
    assert any("far longer than the source" in m for m in errors["P1_body"])
    assert _db.session.query(CharterTranslation).count() == 0


def test_links_must_match_the_source():
    entry = next(
        e
        for e in source_entries_for("See [this](https://a.example) and **that**.")
        if e.key == "preamble"
    )
    assert checks.problems(entry, "Voir [ceci](https://a.example) et **cela**.") == []
    found = checks.problems(entry, "Voir [ceci](https://b.example) et **cela.")
    assert any("Keep the links of the source: https://a.example" in m for m in found)
    assert any("not in the source: https://b.example" in m for m in found)
    assert any("Bold text" in m for m in found)
    assert any("HTML" in m for m in checks.problems(entry, "Voir <b>[ceci](https://a.example)</b>"))


def source_entries_for(preamble: str):
    from app.charter.models import CharterVersion

    return source_entries(CharterVersion(title="T", preamble_md=preamble, change_summary=""))


def test_unknown_texts_and_languages_are_refused(draft, secretariat):
    with pytest.raises(ValidationFailed):
        translations.save(secretariat, draft.id, "fr", {"P99.title": "?"})
    with pytest.raises(NotFound):
        translations.save(secretariat, draft.id, "xx", {"title": "?"})
    with pytest.raises(NotFound):
        translations.save(secretariat, draft.id, "en", {"title": "?"})  # the source language


def test_published_translations_never_change(french_v1, secretariat):
    with pytest.raises(Conflict):
        translations.save(secretariat, french_v1.id, "fr", {"title": "Autre"})
    row = _db.session.query(CharterTranslation).filter_by(key="title").one()
    row.text = "Autre chose"
    with pytest.raises(PublishedVersionChanged):
        _db.session.flush()
    _db.session.rollback()
    row = _db.session.query(CharterTranslation).filter_by(key="title").one()
    _db.session.delete(row)
    with pytest.raises(PublishedVersionChanged):
        _db.session.flush()
    _db.session.rollback()


def test_a_new_draft_keeps_the_translations_until_its_source_changes(french_v1, secretariat):
    draft = services.start_draft(secretariat)
    assert _status(draft).complete
    text = next(t for t in draft.texts if t.number == 2)
    services.update_principle(
        secretariat, draft.id, text.id, number=2, title=text.title, body_md="New wording."
    )
    assert [e.source.key for e in _status(draft).outdated] == ["P2.body"]
    assert _status(french_v1).complete  # the published version keeps its own
    services.delete_draft(secretariat, draft.id)  # and a draft goes with its translations
    _db.session.flush()
    assert _db.session.query(CharterTranslation).filter_by(version_id=draft.id).count() == 0


# Secretariat pages ----------------------------------------------------------------------------


def test_the_side_by_side_page(client, login, secretariat, draft):
    _db.session.commit()
    login(client, secretariat)
    page = client.get(f"/secretariat/charter/{draft.id}/translations/fr")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "We will protect all our users" in body  # the source beside the field
    assert 'name="P1_body"' in body and 'lang="fr"' in body

    response = post_form(
        client,
        f"/secretariat/charter/{draft.id}/translations/fr",
        {"P1_title": FRENCH["P1.title"], "P1_body": FRENCH["P1.body"], "title": ""},
        form_url=f"/secretariat/charter/{draft.id}/translations/fr",
    )
    assert response.status_code == 302
    assert [e.source.key for e in _status(draft).translated] == ["P1.title", "P1.body"]
    overview = client.get(f"/secretariat/charter/{draft.id}/translations").get_data(as_text=True)
    assert "2 / 9" in overview


def test_bad_translations_answer_422_with_the_message_next_to_the_field(
    client, login, secretariat, draft
):
    _db.session.commit()
    login(client, secretariat)
    url = f"/secretariat/charter/{draft.id}/translations/fr"
    response = post_form(
        client,
        url,
        {"P1_body": "Voir [ceci](https://x.example", "P1_title": "x" * 300},
        form_url=url,
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(r'id="P1_body-error">[^<]*link is not closed', body)
    assert re.search(r'id="P1_title-error">[^<]*under 200 characters', body)
    assert _db.session.query(CharterTranslation).count() == 0


def test_outdated_translations_are_marked_and_can_be_confirmed(client, login, secretariat, draft):
    translations.save(secretariat, draft.id, "fr", {"P1.title": FRENCH["P1.title"]})
    text = next(t for t in draft.texts if t.number == 1)
    services.update_principle(
        secretariat, draft.id, text.id, number=1, title="Protect every user", body_md=text.body_md
    )
    _db.session.commit()
    login(client, secretariat)
    url = f"/secretariat/charter/{draft.id}/translations/fr"
    body = client.get(url).get_data(as_text=True)
    assert "Outdated" in body and 'name="confirm_P1_title"' in body
    response = post_form(
        client, url, {"P1_title": FRENCH["P1.title"], "confirm_P1_title": "y"}, form_url=url
    )
    assert response.status_code == 302
    assert _status(draft).outdated == []


def test_translation_pages_refuse_what_is_not_there(client, login, secretariat, french_v1):
    login(client, secretariat)
    assert client.get(f"/secretariat/charter/{french_v1.id}/translations/xx").status_code == 404
    assert client.get(f"/secretariat/charter/{french_v1.id}/translations/en").status_code == 404
    assert client.get("/secretariat/charter/999999/translations/fr").status_code == 404
    published = client.get(f"/secretariat/charter/{french_v1.id}/translations/fr")
    assert published.status_code == 302
    assert published.headers["Location"].endswith("/charter/v/1?lang=fr")
    refused = post_form(
        client,
        f"/secretariat/charter/{french_v1.id}/translations/fr",
        {"title": "Autre"},
        form_url="/secretariat/charter",
    )
    assert refused.status_code == 409


def test_publishing_shows_missing_and_outdated_translations(client, login, secretariat, draft):
    translations.save(secretariat, draft.id, "fr", {"P1.title": FRENCH["P1.title"]})
    text = next(t for t in draft.texts if t.number == 1)
    services.update_principle(
        secretariat, draft.id, text.id, number=1, title="Protect every user", body_md=text.body_md
    )
    _db.session.commit()
    login(client, secretariat)
    page = client.get(f"/secretariat/charter/{draft.id}/publish?effective_date=2030-01-01")
    body = page.get_data(as_text=True)
    assert "Français:" in body
    assert "8 texts missing (Title, Preamble" in body
    assert "; 1 text outdated (Principle 1: title)." in body
    assert confirmation_token(client, draft.id, "2030-01-01")


# Readers --------------------------------------------------------------------------------------


def _notice(locale: str, message: str, plural: str | None = None, num: int = 0, **params) -> str:
    """A reader's notice as the page shows it: in the reader's language, HTML-escaped."""
    with force_locale(locale):
        text = ngettext(message, plural, num, **params) if plural else gettext(message, **params)
    return str(escape(text))


NOT_TRANSLATED = (
    "This version of the charter has not been translated into %(language)s. It is shown in "
    "its original language, %(source)s."
)
SOME_UNTRANSLATED = (
    "%(num)d text of this version has no %(language)s translation yet: it is shown in its "
    "original language, %(source)s.",
    "%(num)d texts of this version have no %(language)s translation yet: they are shown in "
    "their original language, %(source)s.",
)
NOT_BOTH = (
    "These versions are not both translated into %(language)s: they are compared in their "
    "original language, %(source)s."
)


def test_a_french_reader_reads_the_charter_in_french(client, french_v1):
    body = client.get("/charter?lang=fr").get_data(as_text=True)
    assert '<h1 lang="fr" dir="auto">L’Accord de test</h1>' in body
    assert "Nous nous engageons à <strong>ceci</strong>." in body
    assert "Protect all users" not in body
    assert 'hreflang="fr" href="/charter.pdf?lang=fr"' in body
    assert 'hreflang="en" href="/charter?lang=en"' in body
    assert "translation-notice" not in body


def test_a_missing_translation_shows_the_source_with_a_notice(client, secretariat, db):
    publish_charter(secretariat)
    db.session.commit()
    body = client.get("/charter?lang=de").get_data(as_text=True)
    assert _notice("de", NOT_TRANSLATED, language="Deutsch", source="English") in body
    assert '<h1 lang="en" dir="auto">The Test Accord</h1>' in body
    assert "We will protect all our users" in body


def test_a_partial_translation_marks_each_source_text(client, secretariat, db):
    draft = _draft(secretariat)
    translations.save(secretariat, draft.id, "fr", {"P1.title": FRENCH["P1.title"]})
    publish(secretariat, draft.id, dt.date(2024, 1, 1))
    db.session.commit()
    body = client.get("/charter/v/1?lang=fr").get_data(as_text=True)
    assert _notice("fr", *SOME_UNTRANSLATED, num=8, language="Français", source="English") in body
    assert '<span class="principle-title" lang="fr" dir="auto">Protéger' in body
    assert '<span class="principle-title" lang="en" dir="auto">Oppose attacks' in body


def test_an_outdated_translation_is_not_shown_to_readers(client, secretariat, db):
    draft = _draft(secretariat)
    translations.save(secretariat, draft.id, "fr", FRENCH)
    text = next(t for t in draft.texts if t.number == 1)
    services.update_principle(
        secretariat, draft.id, text.id, number=1, title="Protect every user", body_md=text.body_md
    )
    publish(secretariat, draft.id, dt.date(2024, 1, 1))
    db.session.commit()
    body = client.get("/charter?lang=fr").get_data(as_text=True)
    assert "Protect every user" in body and FRENCH["P1.title"] not in body
    assert _notice("fr", *SOME_UNTRANSLATED, num=1, language="Français", source="English") in body


def test_the_json_says_which_language_each_text_is_in(client, french_v1):
    data = client.get("/charter.json?lang=fr").get_json()
    assert data["language"] == "fr" and data["source_language"] == "en"
    assert data["translated_into"] == ["fr"]
    assert data["title"] == "L’Accord de test" and data["title_language"] == "fr"
    principle = data["principles"][0]
    assert principle["title"] == FRENCH["P1.title"] and principle["body"]["language"] == "fr"
    english = client.get("/charter/v/1.json").get_json()
    assert english["language"] == "en" and english["title"] == "The Test Accord"
    german = client.get("/charter/v/1.json?lang=de").get_json()
    assert german["title_language"] == "en" and german["language"] == "de"
    bad = client.get("/charter.json?lang=xx")
    assert bad.status_code == 400 and "Unknown language" in bad.get_json()["error"]


def test_the_french_pdf_is_french_and_tagged_fr(client, french_v1):
    response = client.get("/charter/v/1.pdf?lang=fr")
    assert response.status_code == 200
    assert 'filename="charter-v1-fr.pdf"' in response.headers["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Protéger tous les utilisateurs" in " ".join(text.split())
    assert "Protect all users" not in text
    with pikepdf.open(io.BytesIO(response.data)) as pdf:
        assert str(pdf.Root.Lang) == "fr"
    english = client.get("/charter/v/1.pdf?lang=en")
    with pikepdf.open(io.BytesIO(english.data)) as pdf:
        assert str(pdf.Root.Lang) == "en"
    assert english.headers["ETag"] != response.headers["ETag"]


def test_the_comparison_reads_in_one_language(client, french_v1, secretariat, db):
    draft = services.start_draft(secretariat)
    text = next(t for t in draft.texts if t.number == 2)
    services.update_principle(
        secretariat,
        draft.id,
        text.id,
        number=2,
        title=text.title,
        body_md="We will oppose attacks on innocent citizens everywhere.",
    )
    translations.save(
        secretariat,
        draft.id,
        "fr",
        {"P2.body": "Nous nous opposerons partout aux attaques contre des citoyens innocents."},
    )
    publish(secretariat, draft.id, dt.date(2024, 6, 1))
    db.session.commit()
    body = client.get("/charter/compare/1/2?lang=fr").get_data(as_text=True)
    assert '<ins><span class="visually-hidden">' in body and "partout" in body
    assert "everywhere" not in body and "translation-notice" not in body
    # German: neither version is translated, so both are compared in English.
    body = client.get("/charter/compare/1/2?lang=de").get_data(as_text=True)
    assert "everywhere" in body
    assert _notice("de", NOT_BOTH, language="Deutsch", source="English") in body


def test_html_and_script_links_are_refused_and_never_rendered(client, login, secretariat, draft):
    with pytest.raises(ValidationFailed) as refused:
        translations.save(
            secretariat,
            draft.id,
            "fr",
            {
                "P1.body": "<script>alert(1)</script> Nous protégerons.",
                "P2.body": "Voir [ici](javascript:alert(1)).",
            },
        )
    assert any("HTML" in m for m in refused.value.errors["P1_body"])
    assert any("not in the source: javascript:alert" in m for m in refused.value.errors["P2_body"])
    # Even a row written past the service is sanitised when shown.
    _db.session.add(
        CharterTranslation(
            version_id=draft.id,
            language="fr",
            key="P1.body",
            text="<script>alert(1)</script><img src=x onerror=alert(2)> Nous protégerons.",
            source_hash=next(
                e.hash
                for e in source_entries(services.load_version(draft.id))
                if e.key == "P1.body"
            ),
        )
    )
    _db.session.commit()
    login(client, secretariat)
    body = client.get(f"/secretariat/charter/{draft.id}/preview?lang=fr").get_data(as_text=True)
    assert "Nous protégerons." in body
    assert "<script>alert" not in body and "onerror" not in body


def test_a_translation_changed_after_the_confirmation_stops_the_publication(
    client, login, secretariat, draft
):
    _db.session.commit()
    login(client, secretariat)
    token = confirmation_token(client, draft.id, "2030-01-01")
    translations.save(secretariat, draft.id, "fr", {"title": FRENCH["title"]})
    _db.session.commit()
    response = post_form(
        client,
        f"/secretariat/charter/{draft.id}/publish",
        {"effective_date": "2030-01-01", "confirmation": token},
        form_url="/secretariat/charter",
    )
    assert response.status_code == 409
    assert services.load_version(draft.id).is_draft


def test_the_list_of_versions_reads_in_french(client, french_v1):
    body = client.get("/charter/versions?lang=fr").get_data(as_text=True)
    assert '<span lang="fr" dir="auto">L’Accord de test</span>' in body
    assert '<span lang="fr" dir="auto">Première version.</span>' in body
    body = client.get("/charter/versions?lang=en").get_data(as_text=True)
    assert '<span lang="en" dir="auto">First version.</span>' in body


def _queries(client, url: str) -> int:
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_translation_pages_do_not_query_per_principle(client, login, secretariat, draft):
    translations.save(secretariat, draft.id, "fr", {"P1.title": FRENCH["P1.title"]})
    _db.session.commit()
    login(client, secretariat)
    pages = [
        f"/secretariat/charter/{draft.id}/translations",
        f"/secretariat/charter/{draft.id}/translations/fr",
        f"/secretariat/charter/{draft.id}/translations/fr.po",
        f"/secretariat/charter/{draft.id}/translations/fr.xlf",
        f"/secretariat/charter/{draft.id}/preview?lang=fr",
    ]
    client.get(pages[0])  # the first request finds the user in the test's session
    few = [_queries(client, url) for url in pages]
    for n in range(20):
        services.add_principle(
            secretariat, draft.id, number=None, title=f"Principle {n}", body_md=f"Text {n}."
        )
        translations.save(secretariat, draft.id, "fr", {f"P{n + 4}.title": f"Principe {n}"})
    _db.session.commit()
    assert [_queries(client, url) for url in pages] == few


@pytest.mark.parametrize(
    "payload",
    [
        {"P1_title": 5, "seen_P1_title": 7},
        {"P1_title": ["a", "b"], "confirm_P1_title": {"x": 1}},
        {"P1_body": None, "P1_title": True},
    ],
)
def test_odd_json_bodies_are_4xx_or_saved_never_500(client, login, secretariat, draft, payload):
    from tests.conftest import csrf_token

    _db.session.commit()
    login(client, secretariat)
    url = f"/secretariat/charter/{draft.id}/translations/fr"
    response = client.post(url, json={"csrf_token": csrf_token(client, url), **payload})
    assert response.status_code in (302, 400, 422)
