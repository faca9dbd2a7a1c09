"""Questionnaire translations in Chromium (issue 18): the secretariat's side-by-side page,
and a representative who chose French fills a section that reads in French, its answers
stored as typed (choices as their source values). Every page visited is checked with axe."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from app import clock
from app.reporting import cycles, filling
from app.reporting.translations import services
from app.reporting.translations.entries import question_key, section_keys
from tests.factories import PASSWORD
from tests.reporting.builders_filling import at, build_cycle

pytestmark = pytest.mark.browser


def _french_cycle(secretariat, db):
    clock.freeze(at(dt.date(2026, 1, 2), 9))
    cycle = build_cycle(secretariat, open_it=False)
    q = cycle.q
    services.save(
        secretariat,
        cycle,
        "fr",
        {
            section_keys(cycle.sections[0].id)[0]: "Protéger les utilisateurs",
            question_key(q["mfa"].id, "text"): "Proposez-vous l’authentification multifacteur ?",
            question_key(q["mfa_share"].id, "text"): "Quelle part des comptes l’utilise ?",
            question_key(q["mfa_share"].id, "unit"): "%",
            question_key(q["approach"].id, "text"): "Décrivez comment vous protégez les gens.",
            question_key(q["approach"].id, "help"): "Deux ou trois paragraphes.",
        },
    )
    db.session.commit()
    return cycle


def test_secretariat_page_and_a_representative_filling_in_french(
    page, live_server, secretariat, org_a, rep_a, db, a11y, login_browser
):
    cycle = _french_cycle(secretariat, db)
    q = cycle.q
    login_browser(page, "sec@example.org", PASSWORD)
    page.goto("/secretariat/cycles/2026")
    page.get_by_role("link", name="Translation into Français").click()
    entry = page.locator(f"#entry-{question_key(q['mfa'].id, 'text').replace('.', '_')}")
    expect(entry.get_by_text("Translated", exact=True)).to_be_visible()
    expect(entry).to_contain_text("Do you offer multi-factor authentication?")
    a11y(page, "questionnaire translation page")
    clock.freeze(at(dt.date(2026, 1, 10), 8))
    cycles.open_cycle(secretariat, cycle)
    clock.freeze(at(dt.date(2026, 2, 1), 9))
    db.session.commit()
    page.context.clear_cookies()

    login_browser(page, rep_a.email, PASSWORD)
    page.goto("/my/reports/2026/sections/1?lang=fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Protéger les utilisateurs")
    expect(page.locator("#untranslated-notice")).to_have_count(0)
    expect(page.locator(f"#q-{q['approach'].id}")).to_contain_text("Deux ou trois paragraphes.")
    a11y(page, "section 1 in French")
    page.locator(f"#q-{q['mfa'].id}").get_by_label("Oui").check()
    page.get_by_label("Quelle part des comptes l’utilise ?").fill("87,5")
    page.get_by_label("Décrivez comment vous protégez les gens.").fill("Des réglages sûrs.")
    page.get_by_role("button", name="Enregistrer", exact=True).first.click()
    expect(page.get_by_label("Décrivez comment vous protégez les gens.")).to_have_value(
        "Des réglages sûrs."
    )
    a11y(page, "section 1 in French, saved")
    # Section 2 is not translated: its texts are in English, with one notice for the page.
    page.goto("/my/reports/2026/sections/2")
    expect(page.locator("#untranslated-notice")).to_have_count(1)
    expect(page.locator(f"#q-{q['programme'].id} legend span[lang=en]")).to_be_visible()
    a11y(page, "section 2 in French with English texts")

    db.session.expire_all()
    data = filling.load(filling.find_report(cycle, org_a.id))
    assert data.values[q["mfa"].id] is True
    assert data.values[q["approach"].id] == "Des réglages sûrs."
    assert data.languages[q["approach"].id] == "fr"
