"""The questionnaire translation page (secretariat) and the report read in French
(representatives), over HTTP (issue 18)."""

from __future__ import annotations

import datetime as dt

from app import clock
from app.db import db
from app.reporting import cycles, filling
from app.reporting.translations import services
from app.reporting.translations.entries import question_key, section_keys
from tests.conftest import csrf_token, login_as
from tests.reporting.builders_filling import at, build_cycle

URL = "/secretariat/cycles/2026/translations/fr"


def _draft(secretariat):
    clock.freeze(at(dt.date(2026, 1, 2)))
    return build_cycle(secretariat, open_it=False)


def _field(key: str) -> str:
    return key.replace(".", "_")


def test_the_page_shows_sources_side_by_side_and_saves(app, secretariat):
    cycle = _draft(secretariat)
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    page = client.get("/secretariat/cycles/2026")
    assert URL in page.get_data(True)
    html = client.get(URL).get_data(True)
    assert "Do you offer multi-factor authentication?" in html and 'lang="fr"' in html
    key = question_key(cycle.q["mfa"].id, "text")
    response = client.post(
        URL,
        data={
            _field(key): "Proposez-vous la double authentification ?",
            "csrf_token": csrf_token(client, URL),
        },
    )
    assert response.status_code == 302
    assert "1 translation saved." in client.get(URL).get_data(True)
    assert services.status_for(cycle, "fr").translated[0].source.key == key
    # The secretariat's preview, in French, reads it (and says what is not translated yet).
    preview = client.get("/secretariat/cycles/2026/preview?section=1&lang=fr").get_data(True)
    assert '<span lang="fr" dir="auto">Proposez-vous la double authentification ?</span>' in preview
    assert preview.count('id="untranslated-notice"') == 1


def test_bad_input_gets_every_message_next_to_its_field(app, secretariat):
    cycle = _draft(secretariat)
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    text_key = question_key(cycle.q["mfa"].id, "text")
    help_key = question_key(cycle.q["approach"].id, "help")
    good_key = section_keys(cycle.sections[0].id)[0]
    response = client.post(
        URL,
        data={
            _field(text_key): "Une question avec un %(nom)s en trop",
            _field(help_key): "Voir [la politique](https://example.org",
            _field(good_key): "Protéger les utilisateurs",
            "csrf_token": csrf_token(client, URL),
        },
    )
    html = response.get_data(True)
    assert response.status_code == 422
    assert "These placeholders are not in the source: %(nom)s." in html
    assert "A link is not closed" in html
    assert 'id="error-summary"' in html
    assert services.status_for(cycle, "fr").translated == []  # nothing half saved


def test_unknown_language_and_frozen_cycle(app, secretariat):
    cycle = _draft(secretariat)
    cycles.open_cycle(secretariat, cycle)
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    assert client.get("/secretariat/cycles/2026/translations/xx").status_code == 404
    assert client.get("/secretariat/cycles/2026/translations/en").status_code == 404
    html = client.get(URL).get_data(True)
    assert "frozen" in html and "Save the translations" not in html
    key = question_key(cycle.q["mfa"].id, "text")
    response = client.post(URL, data={_field(key): "Non", "csrf_token": csrf_token(client, URL)})
    assert response.status_code == 409
    assert "frozen" in response.get_data(True)


def test_a_representative_reads_the_section_in_french(app, secretariat, org_a, rep_a):
    cycle = _draft(secretariat)
    programme = cycle.q["programme"]
    first = section_keys(programme.section_id)[0]
    texts = {
        first: "Divulgation",
        question_key(programme.id, "text"): "Comment recevez-vous les signalements ?",
        question_key(programme.id, "c1"): "Prime aux bogues",
        question_key(programme.id, "c2"): "Adresse électronique",
        question_key(programme.id, "c3"): "Aucun",
    }
    services.save(secretariat, cycle, "fr", texts)
    cycles.open_cycle(secretariat, cycle)
    clock.freeze(at(dt.date(2026, 2, 1)))
    db.session.commit()
    client = app.test_client()
    login_as(client, rep_a)
    html = client.get("/my/reports/2026/sections/2?lang=fr").get_data(True)
    assert '<span lang="fr" dir="auto">Divulgation</span>' in html
    assert '<span lang="fr" dir="auto">Comment recevez-vous les signalements ?</span>' in html
    assert 'value="Bug bounty"' in html and ">Prime aux bogues</span>" in html
    # Untranslated texts stay in English, marked so, with one notice for the page.
    assert '<span lang="en" dir="auto">Where is your disclosure policy?</span>' in html
    assert html.count('id="untranslated-notice"') == 1
    # The stored value stays the source value.
    data = {
        f"q-{programme.id}": "Bug bounty",
        "base_revision": "0",
        "action": "save",
        "csrf_token": csrf_token(client, "/my/reports/2026/sections/2"),
    }
    assert client.post("/my/reports/2026/sections/2", data=data).status_code in (200, 302)
    report = filling.find_report(cycle, org_a.id)
    assert filling.load(report).values[programme.id] == "Bug bounty"
    # The preview of the report reads in French too.
    preview = client.get("/my/reports/2026/preview?lang=fr").get_data(True)
    assert '<span lang="fr" dir="auto">Comment recevez-vous les signalements ?</span>' in preview
    assert '<span lang="fr" dir="auto">Divulgation</span>' in preview
    # In English: no notice, the source.
    html = client.get("/my/reports/2026/sections/2?lang=en").get_data(True)
    assert "untranslated-notice" not in html and "Prime aux bogues" not in html


def test_a_french_preview_of_the_questionnaire_leaves_the_interface_in_english(app, secretariat):
    cycle = _draft(secretariat)
    key = question_key(cycle.q["mfa"].id, "text")
    services.save(secretariat, cycle, "fr", {key: "Proposez-vous la double authentification ?"})
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    translation = client.get(URL).get_data(True)
    assert 'href="/secretariat/cycles/2026/preview?lang=fr"' in translation
    html = client.get("/secretariat/cycles/2026/preview?lang=fr").get_data(True)
    assert '<span lang="fr" dir="auto">Proposez-vous la double authentification ?</span>' in html
    assert '<html lang="en">' in html  # the interface stays the secretariat's
    # The page's own links keep the questionnaire in French.
    assert 'href="/secretariat/cycles/2026/preview?section=2&amp;lang=fr"' in html
    with client.session_transaction() as session:
        assert "lang" not in session
    assert '<html lang="en">' in client.get("/secretariat/cycles/2026").get_data(True)
