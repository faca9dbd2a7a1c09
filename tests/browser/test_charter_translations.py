"""Charter translations in Chromium: the secretariat translates a principle into French
beside its source, the source changes and the translation shows as outdated; a French
reader reads the charter in French, compares two versions in French and downloads the
French PDF (its text is French, its /Lang is fr). Every page visited is checked with axe."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pikepdf
import pytest
from babel.messages.pofile import read_po, write_po
from playwright.sync_api import expect
from pypdf import PdfReader

from app.charter import services
from app.charter.translations import services as translations
from tests.charter.builders import publish
from tests.charter.test_translation_xliff import _translated as translated_xliff
from tests.charter.test_translations import FRENCH, _draft
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_secretariat_translates_and_sees_an_outdated_translation(
    page, live_server, secretariat, db, a11y, login_browser
):
    draft = _draft(secretariat)
    db.session.commit()
    login_browser(page, "sec@example.org", PASSWORD)
    page.goto(f"/secretariat/charter/{draft.id}")
    page.get_by_role("link", name="Translations", exact=True).click()
    expect(page.get_by_role("heading", name="Translations of version 1")).to_be_visible()
    a11y(page, "translations overview")
    page.get_by_role("link", name="Translate into Français").click()
    expect(page.get_by_role("heading", name="Version 1 in Français")).to_be_visible()
    a11y(page, "translation page")

    page.get_by_label("Principle 1: title").fill(FRENCH["P1.title"])
    page.get_by_label("Principle 1: text").fill("Voir [ceci](https://x.example")  # broken
    page.get_by_role("button", name="Save the translations").click()
    expect(page.locator("#P1_body-error")).to_contain_text("A link is not closed")
    a11y(page, "translation with errors")
    page.get_by_label("Principle 1: text").fill(FRENCH["P1.body"])
    page.get_by_role("button", name="Save the translations").click()
    expect(page.get_by_text("2 translations saved.")).to_be_visible()
    expect(page.locator("#entry-P1_title").get_by_text("Translated", exact=True)).to_be_visible()

    # The source changes: the translation of principle 1's title is now outdated.
    page.goto(f"/secretariat/charter/{draft.id}")
    page.get_by_role("link", name="Edit principle 1").click()
    page.get_by_label("Short title").fill("Protect every user")
    page.get_by_role("button", name="Save the principle").click()
    expect(page.get_by_text("Principle 1 saved.")).to_be_visible()
    page.goto(f"/secretariat/charter/{draft.id}/translations/fr")
    entry = page.locator("#entry-P1_title")
    expect(entry.get_by_text("Outdated", exact=True)).to_be_visible()
    expect(entry.get_by_text("The source text changed after this was translated")).to_be_visible()
    expect(entry.get_by_text("Protect every user")).to_be_visible()
    expect(page.locator("#entry-P1_body").get_by_text("Translated", exact=True)).to_be_visible()
    a11y(page, "outdated translation")
    page.get_by_label("This translation still matches the changed source text").check()
    page.get_by_role("button", name="Save the translations").click()
    expect(page.get_by_text("1 translation saved.")).to_be_visible()
    expect(entry.get_by_text("Translated", exact=True)).to_be_visible()


def test_a_french_reader_reads_compares_and_downloads_in_french(
    browser, live_server, secretariat, db, a11y
):
    v1 = _draft(secretariat)
    translations.save(secretariat, v1.id, "fr", FRENCH)
    publish(secretariat, v1.id, dt.date(2024, 1, 1))
    v2 = services.start_draft(secretariat)
    text = next(t for t in v2.texts if t.number == 2)
    services.update_principle(
        secretariat,
        v2.id,
        text.id,
        number=2,
        title=text.title,
        body_md="We will oppose attacks on innocent citizens everywhere.",
    )
    translations.save(
        secretariat,
        v2.id,
        "fr",
        {"P2.body": "Nous nous opposerons partout aux attaques contre des citoyens innocents."},
    )
    publish(secretariat, v2.id, dt.date(2025, 1, 1))
    db.session.commit()

    context = browser.new_context(base_url=live_server, locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/charter")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_role("heading", level=1)).to_have_text("L’Accord de test")
        expect(page.get_by_text("Nous nous opposerons partout")).to_be_visible()
        assert "Protect all users" not in page.content()
        a11y(page, "charter in French")

        page.goto("/charter/compare/1/2")
        expect(page.locator("ins").filter(has_text="partout")).to_be_visible()
        assert "everywhere" not in page.content()
        a11y(page, "comparison in French")

        page.goto("/charter")
        link = page.locator("a[hreflang='fr'].button").first
        href = link.get_attribute("href")
        assert re.search(r"\.pdf\?lang=fr$", href)
        response = page.request.get(href)
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        data = response.body()
        text = " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split()
        )
        assert "Nous nous opposerons partout aux attaques" in text
        assert "Protéger tous les utilisateurs" in text and "Protect all users" not in text
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert str(pdf.Root.Lang) == "fr"
    finally:
        context.close()


def test_secretariat_imports_a_translated_po_file(
    page, live_server, secretariat, db, a11y, login_browser
):
    draft = _draft(secretariat)
    db.session.commit()
    login_browser(page, "sec@example.org", PASSWORD)
    page.goto(f"/secretariat/charter/{draft.id}/translations/fr")
    page.get_by_role("link", name="Import a translated file").click()
    a11y(page, "PO import")
    exported = page.request.get(f"/secretariat/charter/{draft.id}/translations/fr.po").body()
    catalog = read_po(io.BytesIO(exported))
    for message in catalog:
        if message.context in FRENCH:
            message.string = FRENCH[message.context]
    catalog.add("Not ours", "Pas à nous", context="P99.title")
    out = io.BytesIO()
    write_po(out, catalog, width=0)
    page.get_by_label("PO or XLIFF file").set_input_files(
        files=[{"name": "fr.po", "mimeType": "text/x-po", "buffer": out.getvalue()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("This text is not part of this version.")).to_be_visible()
    a11y(page, "PO import with an error")
    catalog.delete("Not ours", context="P99.title")
    out = io.BytesIO()
    write_po(out, catalog, width=0)
    page.get_by_label("PO or XLIFF file").set_input_files(
        files=[{"name": "fr.po", "mimeType": "text/x-po", "buffer": out.getvalue()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("9 translations will be saved.")).to_be_visible()
    a11y(page, "PO import preview")
    page.get_by_role("button", name="Import 9 translations").click()
    expect(page.get_by_text("9 translations saved.")).to_be_visible()
    expect(page.get_by_text("9 of 9 texts translated")).to_be_visible()


def test_secretariat_imports_a_translated_xliff_file(
    page, live_server, secretariat, db, a11y, login_browser
):
    """The XLIFF variant: downloaded from its link, translated, checked, imported."""
    draft = _draft(secretariat)
    db.session.commit()
    login_browser(page, "sec@example.org", PASSWORD)
    page.goto(f"/secretariat/charter/{draft.id}/translations/fr")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download an XLIFF file for a CAT tool").click()
    assert download.value.suggested_filename == "charter-v1-fr.xlf"
    exported = Path(download.value.path()).read_bytes()
    page.get_by_role("link", name="Import a translated file").click()
    page.get_by_label("PO or XLIFF file").set_input_files(
        files=[
            {
                "name": "fr.xlf",
                "mimeType": "application/x-xliff+xml",
                "buffer": translated_xliff(exported, **FRENCH),
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("9 translations will be saved.")).to_be_visible()
    a11y(page, "XLIFF import preview")
    page.get_by_role("button", name="Import 9 translations").click()
    expect(page.get_by_text("9 translations saved.")).to_be_visible()
    expect(page.get_by_text("9 of 9 texts translated")).to_be_visible()
