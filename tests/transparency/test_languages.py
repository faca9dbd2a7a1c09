"""The annual report per language (issue 18): the secretariat's texts translated beside
their source (outdated when the source changes, the source with a notice when missing),
builds and editions per language (numbered per language, or every language at once),
the public pages and PDFs per language with their fallbacks, and one French edition laid
out for real and read back."""

from __future__ import annotations

import io

import pikepdf
import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert, select

from app import clock
from app.charter.translations.entries import source_hash
from app.charter.translations.models import CharterTranslation
from app.db import db as _db
from app.errors import NotFound, ValidationFailed
from app.reporting.models import QuestionnaireTranslation
from app.transparency import jobs, services, translations
from app.transparency.models import AnnualReportTranslation, BuildJob, Edition
from tests.conftest import login_as, post_form
from tests.transparency.pdftools import page_texts

PAGE = "/secretariat/annual-reports/2025"
SECRET = "ZEBRA SENTINEL 4711"


def publish(secretariat, language=None, note="") -> BuildJob:
    job, created = services.request_build(secretariat, 2025, "publish", note, language)
    assert created
    _db.session.commit()
    assert jobs.run_job(job.id) == "done", job.message
    return _db.session.get(BuildJob, job.id)


def editions() -> list[tuple[str, int]]:
    return [
        (e.language, e.number)
        for e in _db.session.scalars(select(Edition).order_by(Edition.id)).all()
    ]


# Texts and their translations ---------------------------------------------------------------


def _report(secretariat):
    report = services.annual_report(secretariat, 2025)
    report.executive_summary_md = "An **important** year."
    report.methodology_md = "Counted [carefully](https://example.org/how)."
    _db.session.flush()
    return report


def test_a_translation_is_shown_until_its_source_changes(db, world, secretariat):
    report = _report(secretariat)
    translations.save(secretariat, report, "fr", {"executive_summary": "Une année **importante**."})
    texts = translations.texts_in(report, "fr")
    assert texts.executive_summary.text == "Une année **importante**."
    assert texts.executive_summary.lang == "fr"
    # the methodology has no translation: the source, said so
    assert texts.methodology.lang == "en" and texts.untranslated == ["methodology"]
    # the source changes: the translation is outdated, the report shows the source
    services.update_texts(secretariat, 2025, "A *different* year.", report.methodology_md)
    texts = translations.texts_in(report, "fr")
    assert texts.executive_summary.text == "A *different* year."
    assert texts.executive_summary.lang == "en"
    status = translations.status_for(report, "fr")
    assert [e.source.key for e in status.outdated] == ["executive_summary"]
    # confirmed as still right: current again
    translations.save(
        secretariat,
        report,
        "fr",
        {"executive_summary": "Une année **importante**."},
        confirmed={"executive_summary"},
    )
    assert translations.texts_in(report, "fr").executive_summary.lang == "fr"
    # the source language reads the source, with no query for translations
    assert translations.texts_in(report, "en").untranslated == []


def test_a_broken_translation_is_refused_with_every_problem_by_field(db, world, secretariat):
    report = _report(secretariat)
    with pytest.raises(ValidationFailed) as refused:
        translations.save(
            secretariat,
            report,
            "fr",
            {
                "executive_summary": "Une année **importante.",
                "methodology": "Compté [soigneusement](https://evil.example).",
            },
        )
    errors = refused.value.errors
    assert set(errors) == {"executive_summary", "methodology"}
    assert any("**" in m for m in errors["executive_summary"])
    assert any("https://example.org/how" in m for m in errors["methodology"])
    assert _db.session.scalars(select(AnnualReportTranslation)).all() == []
    with pytest.raises(NotFound):
        translations.save(secretariat, report, "en", {"methodology": "x"})
    with pytest.raises(NotFound):
        translations.save(secretariat, report, "xx", {"methodology": "x"})


def test_the_translation_page_shows_errors_next_to_the_fields(client, db, world, secretariat):
    _report(secretariat)
    _db.session.commit()
    login_as(client, secretariat)
    url = f"{PAGE}/translations/fr"
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'lang="fr"' in text and "An <strong>important</strong> year." in text
    response = post_form(
        client,
        url,
        {
            "executive_summary": "Une année **importante.",
            "seen_executive_summary": source_hash("An **important** year."),
            "methodology": "Compté [soigneusement](https://example.org/how).",
        },
        form_url=url,
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    entry = body.split('id="entry-executive_summary"')[1].split('id="entry-methodology"')[0]
    assert "Bold text (**…**) is opened but never closed." in entry
    assert _db.session.scalars(select(AnnualReportTranslation)).all() == []  # nothing saved
    saved = post_form(
        client,
        url,
        {"executive_summary": "Une année **importante**.", "methodology": ""},
        form_url=url,
    )
    assert saved.status_code == 302
    row = _db.session.scalar(select(AnnualReportTranslation))
    assert (row.language, row.key, row.text) == ("fr", "executive_summary", saved_text())
    assert client.get(f"{PAGE}/translations/xx").status_code == 404
    assert client.get(f"{PAGE}/translations/en").status_code == 404  # the source itself


def saved_text() -> str:
    return "Une année **importante**."


# Builds and editions per language ------------------------------------------------------------


def test_editions_are_numbered_per_language(db, world, secretariat, fast_build):
    publish(secretariat)
    publish(secretariat, "fr")
    publish(secretariat, "fr")
    assert editions() == [("en", 1), ("fr", 1), ("fr", 2)]
    job = publish(secretariat, services.ALL, note="All at once.")
    assert editions()[3:] == [("en", 2), ("fr", 3), ("es", 1), ("de", 1)]
    assert [d.language for d in fast_build[-4:]] == ["en", "fr", "es", "de"]
    assert job.edition_id is not None and job.state == "done"
    assert "edition 3" in job.message
    assert services.edition(2025, language="fr").number == 3
    assert services.edition(2025).number == 2 and services.edition(2025).language == "en"
    with pytest.raises(NotFound):
        services.edition(2025, language="xx")


def test_a_draft_is_built_in_one_language(db, world, secretariat, fast_build):
    job, _created = services.request_build(secretariat, 2025, "draft", language="de")
    _db.session.commit()
    assert jobs.run_job(job.id) == "done"
    assert fast_build[-1].language == "de" and fast_build[-1].draft
    assert editions() == []
    with pytest.raises(ValidationFailed):
        services.request_build(secretariat, 2025, "draft", language=services.ALL)
    with pytest.raises(ValidationFailed):
        services.request_build(secretariat, 2025, "publish", language="xx")


def test_the_secretariat_publishes_in_a_language_or_all(client, db, world, secretariat, fast_build):
    login_as(client, secretariat)
    response = post_form(
        client, f"{PAGE}/publish", {"language": "fr", "note": "Première."}, form_url=PAGE
    )
    assert response.status_code == 302
    job = _db.session.scalar(select(BuildJob))
    jobs.wait(job.id)
    _db.session.expire_all()
    assert editions() == [("fr", 1)]
    bad = post_form(client, f"{PAGE}/publish", {"language": "xx"}, form_url=PAGE)
    assert bad.status_code == 422
    assert "Not a valid choice" in bad.get_data(as_text=True)
    draft = post_form(client, f"{PAGE}/build", {"language": "all"}, form_url=PAGE)
    assert draft.status_code == 422
    page = client.get(PAGE).get_data(as_text=True)
    assert "Français" in page and f"{PAGE}/translations/fr" in page


# Public pages and PDFs ------------------------------------------------------------------------


def test_public_pdfs_and_pages_per_language_with_fallbacks(
    client, db, world, secretariat, fast_build
):
    publish(secretariat, note="English.")
    publish(secretariat, "fr", note="Français.")
    en, fr = (services.edition(2025, language=code) for code in ("en", "fr"))
    pdf = client.get("/reports/2025.pdf?lang=fr")
    assert pdf.status_code == 200 and pdf.headers["ETag"] == f'"{fr.sha256}"'
    assert pdf.headers["Content-Language"] == "fr"
    assert client.get("/reports/2025.pdf").headers["Content-Language"] == "en"
    assert client.get("/reports/2025/editions/1.pdf?lang=fr").headers["ETag"] == f'"{fr.sha256}"'
    # a configured language with no edition: the source language's edition
    german = client.get("/reports/2025.pdf?lang=de")
    assert german.status_code == 200 and german.headers["Content-Language"] == "en"
    assert client.get("/reports/2025/editions/2.pdf?lang=fr").status_code == 404
    # a language the alliance does not have: 404, never a 500
    for url in (
        "/reports/2025.pdf?lang=xx",
        "/reports/2025?lang=xx",
        "/reports/2025/editions/1?lang=%00",
        "/reports/2025/editions/1.pdf?lang=",
    ):
        assert client.get(url).status_code == 404, url
    page = client.get("/reports/2025?lang=fr").get_data(as_text=True)
    assert 'hreflang="fr" href="/reports/2025?lang=fr"' in page
    assert 'hreflang="en" href="/reports/2025?lang=en"' in page
    assert "/reports/2025.pdf?lang=fr" in page and 'lang="fr"' in page
    with force_locale("de"):  # the German reader's own notice
        notice = _(
            "This report has not been published in %(language)s yet. It is shown in its "
            "original language, %(source)s.",
            language="Deutsch",
            source="English",
        )
    assert notice in client.get("/reports/2025?lang=de").get_data(as_text=True)
    assert notice not in page
    archive = client.get("/reports").get_data(as_text=True)
    assert en.sha256 in archive and fr.sha256 in archive
    assert "Français" in archive and "English" in archive
    assert "/reports/2025.pdf?lang=fr" in archive and 'href="/reports/2025.pdf"' in archive


# A French edition laid out for real ----------------------------------------------------------


def _translate_into_french(w, secretariat):
    report = _report(secretariat)
    translations.save(
        secretariat,
        report,
        "fr",
        {"executive_summary": "Une année **décisive** pour l’alliance."},
    )
    title = next(t for t in w.charter.texts if t.number == 1).title
    # A published version's translations are frozen for the ORM: written as the
    # translators' import would have before publication.
    _db.session.execute(
        insert(CharterTranslation).values(
            version_id=w.charter.id,
            language="fr",
            key=f"{w.p1.key}.title",
            text="Titre du principe un",
            source_hash=source_hash(title),
            updated_at=clock.now(),
        )
    )
    q = w.q2025
    q.policy.is_public = True  # a public choice question: its labels are translated
    rows = {
        f"q{q.policy.id}.c1": ("Politique propre", "Own"),
        f"q{q.policy.id}.c2": ("Politique du secteur", "Sector"),
        f"q{q.mfa.id}.text": (
            "L’authentification à plusieurs facteurs est-elle active ?",
            q.mfa.text,
        ),
        f"q{q.story.id}.text": ("Qu’avez-vous fait cette année ?", q.story.text),
        # a question that is not public: its translation must never reach the report
        f"q{q.channels.id}.text": (f"Canaux internes {SECRET}", q.channels.text),
        f"q{q.secret.id}.text": (f"Contact interne {SECRET}", q.secret.text),
    }
    for key, (text, source) in rows.items():
        _db.session.add(
            QuestionnaireTranslation(
                cycle_id=w.c2025.id,
                language="fr",
                key=key,
                text=text,
                source_hash=source_hash(source),
            )
        )
    _db.session.flush()


def test_a_french_edition_is_in_french(client, db, world, secretariat):
    _translate_into_french(world, secretariat)
    job = publish(secretariat, "fr")
    fr = services.edition(2025, language="fr")
    assert job.edition_id == fr.id and fr.number == 1
    data = services.stored_bytes(fr.sha256)
    text = " ".join(page_texts(data))
    assert "Rapport de transparence 2025" in text
    assert "Résumé analytique" in text
    assert "Une année décisive pour l’alliance." in text
    assert "Principe 1 : Titre du principe un" in text
    assert "Politique propre" in text and "Politique du secteur" in text
    assert "Allemagne" in text  # country names too, laid out in a job (no request)
    assert "L’authentification à plusieurs facteurs est-elle active ?" in text
    assert "Qu’avez-vous fait cette année ?" in text
    # the untranslated methodology: the source, with a notice
    assert "Counted carefully" in text
    assert "SENTINEL" not in text.upper()
    assert "ZEBRA" not in data.decode("latin-1").upper()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.Root.Lang) == "fr"
    html = services.stored_bytes(fr.html_sha256).decode()
    assert "Résumé analytique" in html and "ZEBRA" not in html
    page = client.get("/reports/2025?lang=fr").get_data(as_text=True)
    assert "Titre du principe un" in page and "ZEBRA" not in page


def test_the_latest_page_follows_the_reader_and_a_cited_edition_stays(
    client, db, world, secretariat, fast_build
):
    publish(secretariat)
    publish(secretariat, "fr")
    french_reader = {"Accept-Language": "fr"}
    latest = client.get("/reports/2025", headers=french_reader).get_data(as_text=True)
    assert '<article class="report"' in latest and 'lang="fr">' in latest.split("<article")[1]
    cited = client.get("/reports/2025/editions/1", headers=french_reader).get_data(as_text=True)
    assert 'lang="en">' in cited.split("<article")[1]  # a citation shows the same edition


def test_the_secretariat_previews_in_a_language(client, db, world, secretariat):
    _report(secretariat)
    _db.session.commit()
    login_as(client, secretariat)
    page = client.get(f"{PAGE}/preview?lang=fr").get_data(as_text=True)
    assert 'lang="fr">' in page.split("<article")[1]
    with force_locale("fr"):
        assert _("Executive summary") in page
    assert client.get(f"{PAGE}/preview?lang=xx").status_code == 404
