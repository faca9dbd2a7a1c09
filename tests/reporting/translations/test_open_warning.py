"""Opening a cycle: the confirmation page warns, per language, about missing and outdated
questionnaire translations (they freeze with the questionnaire), and still opens (issue 18).
The page is read in English (the interface strings are compared as written)."""

from __future__ import annotations

import datetime as dt
import re

from app import clock
from app.core import languages
from app.db import db
from app.reporting import cycles
from app.reporting.translations import services
from app.reporting.translations.entries import question_key
from tests.conftest import csrf_token, login_as
from tests.reporting.builders_filling import at, build_cycle

CYCLE = "/secretariat/cycles/2026"
OPEN = f"{CYCLE}/open"


def _draft(secretariat):
    clock.freeze(at(dt.date(2026, 1, 2)))
    return build_cycle(secretariat, open_it=False)


def _translate_all(secretariat, cycle, language):
    entries = services.status_for(cycle, language).entries
    services.save(
        secretariat,
        cycle,
        language,
        {e.source.key: f"[{language}] {e.source.text}" for e in entries},
    )


def _status_line(html: str, language: str) -> str:
    found = re.search(rf'<li id="translation-status-{language}">(.*?)</li>', html, re.S)
    assert found, language
    return " ".join(found.group(1).split())


def _client(app, secretariat):
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    return client


def test_the_cycle_page_leads_to_the_confirmation(app, secretariat):
    _draft(secretariat)
    client = _client(app, secretariat)
    assert f'href="{OPEN}"' in client.get(CYCLE).get_data(True)


def test_missing_and_outdated_translations_are_counted_per_language(app, secretariat):
    cycle = _draft(secretariat)
    mfa, approach = cycle.q["mfa"], cycle.q["approach"]
    services.save(
        secretariat,
        cycle,
        "fr",
        {
            question_key(mfa.id, "text"): "Proposez-vous la double authentification ?",
            question_key(approach.id, "text"): "Décrivez comment vous protégez les utilisateurs.",
        },
    )
    # The source of one translated text changes afterwards: that translation is outdated.
    cycles.update_question(
        secretariat, mfa, "Do you offer two-factor authentication?", mfa.type, required=True
    )
    total = len(services.status_for(cycle, "fr").entries)
    client = _client(app, secretariat)
    response = client.get(OPEN)
    html = response.get_data(True)
    assert response.status_code == 200
    assert 'id="translation-warning"' in html
    assert "frozen together with its translations" in html
    french = _status_line(html, "fr")
    assert f"{total - 2} texts missing; 1 text outdated." in french
    assert f'href="{CYCLE}/translations/fr"' in french
    for other in [code for code in languages.translations() if code != "fr"]:
        line = _status_line(html, other)
        assert f"{total} texts missing." in line and "outdated" not in line
        assert f'href="{CYCLE}/translations/{other}"' in line
    # A warning, not a block: the page's button opens the cycle.
    assert f'action="{OPEN}"' in html
    opened = client.post(OPEN, data={"csrf_token": csrf_token(client, OPEN)})
    assert opened.status_code == 302
    assert cycles.get_cycle(2026).status == "open"
    # Once open, there is nothing to confirm: back to the cycle page.
    again = client.get(OPEN)
    assert again.status_code == 302 and again.headers["Location"].endswith(CYCLE)


def test_no_warning_when_everything_is_translated(app, secretariat):
    cycle = _draft(secretariat)
    for language in languages.translations():
        _translate_all(secretariat, cycle, language)
    client = _client(app, secretariat)
    html = client.get(OPEN).get_data(True)
    assert 'id="translation-warning"' not in html
    for language in languages.translations():
        line = _status_line(html, language)
        assert line.endswith(": complete.") and "href" not in line
    assert "frozen together with its translations" in html
