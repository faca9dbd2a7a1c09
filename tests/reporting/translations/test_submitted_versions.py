"""Submitted versions read in the reader's language (issue 18): the version page and what
changed since the last version, the secretariat's review and comparison pages, and the PDF
copy of the receipt, from the cycle's questionnaire translations (frozen with the
questionnaire when the cycle opened, so they match the snapshot's texts)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from app import clock
from app.charter.translations.entries import source_hash
from app.charter.translations.models import CharterTranslation
from app.db import db
from app.reporting import cycles, filling
from app.reporting.filling import notifications
from app.reporting.filling.present import report_pdf
from app.reporting.translations import services
from app.reporting.translations.entries import question_key, section_keys
from tests.conftest import login_as
from tests.querycount import count_queries
from tests.reporting.builders_filling import at, build_cycle, fill_and_submit, make_charter
from tests.reporting.builders_review import fast_receipts  # noqa: F401  (fixture)

MFA_FR = "Proposez-vous la double authentification ?"
CONTACT_FR = "Qui répond aux questions sur ce rapport ?"
SECTION_FR = "Protéger les utilisateurs"


def _fr(text: str) -> str:
    return f'<span lang="fr" dir="auto">{text}</span>'


def _en(text: str) -> str:
    return f'<span lang="en" dir="auto">{text}</span>'


def _translated_cycle(secretariat):
    """The test questionnaire with three of its texts in French, then opened."""
    clock.freeze(at(dt.date(2026, 1, 2)))
    cycle = build_cycle(secretariat, open_it=False)
    mfa, contact = cycle.q["mfa"], cycle.q["contact"]
    services.save(
        secretariat,
        cycle,
        "fr",
        {
            section_keys(mfa.section_id)[0]: SECTION_FR,
            question_key(mfa.id, "text"): MFA_FR,
            question_key(contact.id, "text"): CONTACT_FR,
        },
    )
    cycles.open_cycle(secretariat, cycle)
    clock.freeze(at(dt.date(2026, 2, 1)))
    return cycle


def _second_version(rep, cycle):
    """Version 1, then version 2 with the contact's answer changed."""
    first = fill_and_submit(rep, cycle)
    report = first.report
    filling.save_answers(rep, report, {cycle.q["contact"].id: "Grace"}, report.revision)
    return filling.submit_report(rep, report, authorised=True)


@pytest.fixture
def submitted(secretariat, org_a, rep_a, fast_receipts):  # noqa: F811
    cycle = _translated_cycle(secretariat)
    second = _second_version(rep_a, cycle)
    db.session.commit()
    return second


def test_a_french_representative_reads_the_version_and_its_changes_in_french(
    app, org_a, rep_a, submitted
):
    client = app.test_client()
    login_as(client, rep_a)
    html = client.get(f"/reports/2026/{org_a.slug}/versions/2?lang=fr").get_data(True)
    assert _fr(MFA_FR) in html and _fr(SECTION_FR) in html
    # The contact's question: in the list of what changed since version 1, and in the report.
    assert html.count(_fr(CONTACT_FR)) == 2
    # Untranslated texts: the snapshot's, marked as English, with one notice for the page.
    assert _en("Describe how you protect users.") in html
    assert _en("General") in html
    assert html.count('id="untranslated-notice"') == 1
    # The answers stay as they were given.
    assert "Grace" in html and "Bug bounty" in html


def test_the_source_language_reader_reads_the_snapshot_as_before(app, org_a, rep_a, submitted):
    client = app.test_client()
    login_as(client, rep_a)
    html = client.get(f"/reports/2026/{org_a.slug}/versions/2?lang=en").get_data(True)
    assert "Do you offer multi-factor authentication?" in html
    assert "Who answers questions about this report?" in html
    assert MFA_FR not in html and SECTION_FR not in html
    assert "untranslated-notice" not in html


def test_a_french_speaking_reviewer_reads_the_review_page_in_french(app, secretariat, submitted):
    client = app.test_client()
    login_as(client, secretariat)
    url = f"/secretariat/review/versions/{submitted.id}"
    html = client.get(f"{url}?lang=fr").get_data(True)
    assert _fr(MFA_FR) in html and _fr(CONTACT_FR) in html and _fr(SECTION_FR) in html
    assert _en("Describe how you protect users.") in html
    assert html.count('id="untranslated-notice"') == 1
    # In English, the snapshot as submitted, no notice.
    english = client.get(f"{url}?lang=en").get_data(True)
    assert "Do you offer multi-factor authentication?" in english and MFA_FR not in english
    assert "untranslated-notice" not in english


def test_the_review_comparison_reads_in_french(app, secretariat, submitted):
    client = app.test_client()
    login_as(client, secretariat)
    url = f"/secretariat/review/reports/{submitted.report_id}/changes"
    html = client.get(f"{url}?lang=fr").get_data(True)
    # Only the contact's answer changed: its question in French, its section ("General",
    # untranslated) in English, so the page says so once.
    assert _fr(CONTACT_FR) in html and _en("General") in html
    assert html.count('id="untranslated-notice"') == 1
    everything = client.get(f"{url}?lang=fr&all=1").get_data(True)
    assert _fr(MFA_FR) in everything and _fr(SECTION_FR) in everything
    assert everything.count('id="untranslated-notice"') == 1
    english = client.get(f"{url}?lang=en&all=1").get_data(True)
    assert "Who answers questions about this report?" in english and CONTACT_FR not in english
    assert "untranslated-notice" not in english


def test_one_query_reads_the_translations_whatever_the_questions(app, secretariat, submitted):
    client = app.test_client()
    login_as(client, secretariat)
    url = f"/secretariat/review/versions/{submitted.id}"
    client.get(f"{url}?lang=fr")  # warm up (templates, catalogues)
    counts = {}
    for lang in ("en", "fr"):
        with count_queries() as counter:
            assert client.get(f"{url}?lang={lang}").status_code == 200
        counts[lang] = [s for s in counter.statements if "questionnaire_translations" in s]
    assert counts == {"en": [], "fr": counts["fr"]} and len(counts["fr"]) == 1


def test_a_fully_untranslated_questionnaire_shows_the_snapshot_with_a_notice(
    app,
    secretariat,
    org_a,
    rep_a,
    fast_receipts,  # noqa: F811
):
    clock.freeze(at(dt.date(2026, 2, 1)))
    cycle = build_cycle(secretariat)
    fill_and_submit(rep_a, cycle)
    db.session.commit()
    client = app.test_client()
    login_as(client, rep_a)
    html = client.get(f"/reports/2026/{org_a.slug}/versions/1?lang=fr").get_data(True)
    assert _en("Do you offer multi-factor authentication?") in html
    assert html.count('id="untranslated-notice"') == 1


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_receipt_pdf_lists_the_questions_in_the_representatives_language(
    app, secretariat, rep_a
):
    cycle = _translated_cycle(secretariat)
    version = fill_and_submit(rep_a, cycle)
    # As the mail deliverer lays it out: in the locale the receipt was written in.
    with force_locale("fr"):
        text = " ".join(
            _pdf_text(notifications._receipt_pdf(db.session, {"version_id": version.id})).split()
        )
    assert MFA_FR in text and SECTION_FR in text
    assert "Describe how you protect users." in text  # untranslated: as submitted
    assert "not translated into" in text or "pas traduit" in text  # the notice, once
    with force_locale("en"):
        english = " ".join(_pdf_text(report_pdf(version)).split())
    assert "Do you offer multi-factor authentication?" in english and MFA_FR not in english


def test_a_generated_section_title_uses_the_translated_principle_title(
    app,
    secretariat,
    org_a,
    rep_a,
    fast_receipts,  # noqa: F811
):
    clock.freeze(at(dt.date(2026, 2, 1)))
    charter = make_charter(db, published=False)  # translated, then published
    db.session.add(
        CharterTranslation(
            version_id=charter.id,
            language="fr",
            key="P1.title",
            text="Titre du principe 1",
            source_hash=source_hash("Principle 1 title"),
        )
    )
    db.session.flush()
    charter.status, charter.effective_date = "published", dt.date(2025, 1, 1)
    charter.published_at = at(dt.date(2025, 1, 1))
    cycle = cycles.create_cycle(
        secretariat,
        2026,
        "",
        dt.date(2026, 1, 10),
        dt.date(2026, 3, 31),
        categories=["company"],
        charter_version=charter,
    )
    first = cycles.add_principle_sections(secretariat, cycle)[0]
    question = cycles.add_question(secretariat, first, "Do you patch?", "yes_no")
    cycles.open_cycle(secretariat, cycle)
    report = filling.get_or_start_report(rep_a, cycle, org_a)
    filling.save_answers(rep_a, report, {question.id: "yes"}, report.revision)
    filling.set_attestation(rep_a, report, "Grace Hopper", "CEO", "We agree.", report.revision)
    version = filling.submit_report(rep_a, report, authorised=True)
    db.session.commit()
    client = app.test_client()
    login_as(client, secretariat)
    html = client.get(f"/secretariat/review/versions/{version.id}?lang=fr").get_data(True)
    assert "Principe 1\u00a0: Titre du principe 1" in html
