"""`?lang=` on a secretariat preview names the language of the previewed content only: the
interface stays in the secretariat's language and nothing is remembered (issue 18). Public
`?lang=` links switch and remember the interface as before."""

from __future__ import annotations

from app.charter import services
from app.charter.translations import services as translations
from app.db import db


def _remembered(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("lang")


def test_a_french_preview_of_the_draft_leaves_the_interface_in_english(client, login, secretariat):
    draft = services.start_draft(secretariat)
    services.update_draft(
        secretariat, draft.id, title="The Test Accord", preamble_md="", change_summary=""
    )
    translations.save(secretariat, draft.id, "fr", {"title": "L’Accord de test"})
    db.session.commit()
    login(client, secretariat)
    html = client.get(f"/secretariat/charter/{draft.id}/preview?lang=fr").get_data(True)
    assert '<h1 lang="fr" dir="auto">L’Accord de test</h1>' in html  # the content
    assert '<html lang="en">' in html  # the interface
    assert _remembered(client) is None
    pdf = client.get(f"/secretariat/charter/{draft.id}/preview.pdf?lang=fr")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert _remembered(client) is None
    # The next secretariat page is still in English.
    assert '<html lang="en">' in client.get("/secretariat/charter").get_data(True)


def test_a_public_lang_link_still_switches_and_remembers_the_interface(client):
    assert '<html lang="fr">' in client.get("/?lang=fr").get_data(True)
    assert _remembered(client) == "fr"
    assert '<html lang="fr">' in client.get("/").get_data(True)
