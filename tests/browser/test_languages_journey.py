"""The alliance's languages in a browser (issue 18): the selector offers the configured
languages by their own names; a representative switches to French and reads the cycle's and
the principle sections' generated titles in French, types an answer that is kept as French,
and a right-to-left organisation name reads correctly inside the left-to-right page. Each
page is axe-checked in the language it is shown in."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import clock
from app.reporting import cycles
from app.reporting.models import Answer
from tests.factories import PASSWORD
from tests.reporting.builders_filling import at, make_charter

pytestmark = pytest.mark.browser

NBSP = "\u00a0"
SHOTS = os.environ.get("PACTUM_SCREENSHOTS")  # a folder: the pages are saved there as PNG


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def french_cycle(app, db, secretariat, org_a, rep_a):
    clock.freeze(at(dt.date(2026, 2, 1), 9))
    version = make_charter(db)
    cycle = cycles.create_cycle(
        secretariat,
        2026,
        "",
        dt.date(2026, 1, 10),
        dt.date(2026, 3, 31),
        categories=["company"],
        charter_version=version,
    )
    first = cycles.add_principle_sections(secretariat, cycle)[0]
    cycles.add_question(secretariat, first, "How do you protect users?", "short_text")
    cycles.open_cycle(secretariat, cycle)
    org_a.name = "مؤسسة الأمان الرقمي"  # an Arabic name: right to left
    db.session.commit()
    return cycle


def test_a_representative_works_in_french(page, french_cycle, rep_a, db, a11y, login_browser):
    page.set_viewport_size({"width": 1280, "height": 900})
    login_browser(page, rep_a.email, PASSWORD)
    options = page.locator("#lang-select option")
    expect(options).to_have_text(["English", "Français", "Español", "Deutsch"])
    page.goto("/my/reports/2026?lang=fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cycle de rapport 2026")
    expect(page.get_by_text(f"Principe 1{NBSP}: Principle 1 title").first).to_be_visible()
    eyebrow = page.locator("p.eyebrow[dir=auto]")
    expect(eyebrow).to_have_text("مؤسسة الأمان الرقمي")
    assert eyebrow.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert eyebrow.evaluate("e => getComputedStyle(e).textAlign") == "left"  # as the page
    _shot(page, "report-overview-fr")
    a11y(page, "report overview in French")
    page.goto("/my/reports/2026/sections/1")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Principe 1{NBSP}: Principle 1 title"
    )
    field = page.get_by_label("How do you protect users?")
    field.fill("Nous chiffrons tout.")
    page.get_by_role("button", name="Enregistrer", exact=True).first.click()
    page.wait_for_load_state("load")
    _shot(page, "section-fr")
    a11y(page, "section in French")
    languages = db.session.scalars(select(Answer.language)).all()
    assert languages == ["fr"]
