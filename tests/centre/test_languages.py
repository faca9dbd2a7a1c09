"""The public pages in the reader's language (issues 15 and 18): principle titles and texts
from the charter's translations, question wordings and choice labels from the cycle's
questionnaire translation (public questions only), the member report PDF per language;
untranslated or outdated texts in the source language with a notice; answers as written."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pikepdf
import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from app.charter.models import CharterVersion, PrincipleText
from app.charter.translations.entries import source_hash
from app.charter.translations.models import CharterTranslation
from app.reporting.models import QuestionnaireTranslation
from app.transparency.models import MemberReportPdf
from tests.centre.conftest import SENTINEL
from tests.centre.test_pages import text
from tests.querycount import count_queries
from tests.transparency.builders import at
from tests.transparency.pdftools import page_texts, structure_problems

MFA_FR = "Proposez-vous l’authentification multifacteur ?"
TITLE_FR = "Titre du principe 1"
SECTION_FR = "Protéger les utilisateurs"
BUG_BOUNTY_FR = "Prime aux bogues"
REPORT = "/members/alpha-security/reports/2025"


def plant_french(db, w) -> None:
    """French translations of the 2025 questionnaire (a public question, its choices, a
    section title; a non-public question with the sentinel) and of the charter (principle 1
    current, principle 2 outdated, principle 3 missing)."""
    q = w.q2025
    rows = {
        f"q{q.mfa.id}.text": (MFA_FR, q.mfa.text),
        f"q{q.programme.id}.c1": (BUG_BOUNTY_FR, "Bug bounty"),
        f"q{q.programme.id}.c3": ("Aucun", "None"),
        f"q{q.share.id}.unit": ("pour cent", "%"),
        f"s{q.mfa.section_id}.title": (SECTION_FR, "Protect users"),
        f"q{q.secret.id}.text": (f"Question interne {SENTINEL} ?", q.secret.text),
        f"q{q.hidden_yes.id}.text": (f"Payez-vous des rançons {SENTINEL} ?", q.hidden_yes.text),
    }
    for key, (translated, source) in rows.items():
        db.session.add(
            QuestionnaireTranslation(
                cycle_id=w.c2025.id,
                language="fr",
                key=key,
                text=translated,
                source_hash=source_hash(source),
            )
        )
    # The charter is published: its translations go in around the ORM's guard.
    charter = [
        ("P1.title", TITLE_FR, "Principle title 1"),
        ("P1.body", "Corps du principe.", "Body."),
        ("P2.title", "Titre 2 périmé", "An older source title"),  # outdated
        ("title", "L’Accord de test", "The Test Accord"),
    ]
    for key, translated, source in charter:
        db.session.execute(
            insert(CharterTranslation).values(
                version_id=w.charter.id,
                language="fr",
                key=key,
                text=translated,
                source_hash=source_hash(source),
            )
        )
    db.session.commit()


@pytest.fixture
def french(db, world):
    plant_french(db, world)
    return world


def notice(language: str = "fr") -> str:
    with force_locale(language):
        return _(
            "Some of the alliance’s texts on this page are not translated into %(language)s "
            "yet, or their translation is out of date: they are shown in %(source)s.",
            language="Français",
            source="English",
        )


def test_the_principles_in_french(app, client, french):
    response = client.get("/principles?lang=fr")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<span lang="fr" dir="auto">{TITLE_FR}</span>' in html
    # Principle 2's translation was made from another text: the English title, marked.
    assert '<span lang="en" dir="auto">Principle title 2</span>' in html
    assert "Titre 2 périmé" not in html
    assert f'<span lang="fr" dir="auto">{MFA_FR}</span>' in html
    assert html_lib_unescape(notice()) in text(response)


def html_lib_unescape(value: str) -> str:
    return html.unescape(value)


def test_a_principle_page_in_french(client, french):
    response = client.get("/principles/1?lang=fr")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(rf'<h1 dir="auto" lang="fr">{TITLE_FR}</h1>', html)
    assert 'lang="fr" dir="auto"><p>Corps du principe.</p>' in html
    assert f'<span lang="fr" dir="auto">{MFA_FR}</span>' in html  # the lineage's wording
    # 2024's questionnaire has no translation: its wording in English, marked so.
    assert '<span lang="en" dir="auto">Do you offer MFA?</span>' in html
    # Answers stay as written; Pactum's units are translated.
    assert "Hardware keys for all." in html
    assert re.search(r"80\W*pour cent", html)


def test_a_question_page_in_french(client, french):
    response = client.get("/principles/2/questions/programme?lang=fr")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(
        rf'<li><span lang="fr" dir="auto">{BUG_BOUNTY_FR}</span>: 25\W*% \(1\)</li>', html
    )
    # "Email address" has no translation: in English.
    assert '<span lang="en" dir="auto">Email address</span>' in html
    assert f'<span lang="fr" dir="auto">{BUG_BOUNTY_FR}</span>' in html.split("centre-answers")[1]


def test_the_member_report_page_in_french(client, french):
    response = client.get(REPORT + "?lang=fr")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<span lang="fr" dir="auto">{SECTION_FR}</span>' in html
    assert f'<dt><span lang="fr" dir="auto">{MFA_FR}</span></dt>' in html
    assert f'<span lang="fr" dir="auto">{BUG_BOUNTY_FR}</span>' in html
    assert "Hardware keys for all." in html  # the answer as written
    assert SENTINEL not in html
    # Untranslated wordings ("How do you protect users?") say so once.
    assert '<span lang="en" dir="auto">How do you protect users?</span>' in html
    assert html_lib_unescape(notice()) in text(response)
    # The PDF in every language, the reader's first, each with its hreflang.
    pdf_fr = f'href="{REPORT}.pdf?lang=fr" hreflang="fr"'
    assert pdf_fr in html
    assert f'hreflang="es" href="{REPORT}.pdf?lang=es"' in html
    assert (
        f'<link rel="alternate" type="application/pdf" hreflang="en" href="{REPORT}.pdf">' in html
    )
    # The checksum does not depend on the reader's language.
    english = client.get(REPORT + "?lang=en").get_data(as_text=True)
    checksum = re.compile(r'<code class="checksum">([0-9a-f]{64})</code>')
    assert checksum.search(english)[1] == checksum.search(html)[1]


def test_a_reader_in_the_source_language_sees_no_notice_and_no_markup(client, french):
    html = client.get(REPORT + "?lang=en").get_data(as_text=True)
    assert MFA_FR not in html and "Do you offer multi-factor authentication?" in html
    assert 'lang="en" dir="auto"' not in html
    assert notice("en") not in html


def test_compare_in_french(client, french):
    url = "/compare?members=alpha-security,beta-rights&year=2025&lang=fr"
    html = client.get(url).get_data(as_text=True)
    assert f'<span lang="fr" dir="auto">{MFA_FR}</span>' in html
    assert BUG_BOUNTY_FR in html and SENTINEL not in html


def test_an_unconfigured_language_is_ignored_politely(client, french):
    response = client.get(REPORT + "?lang=xx")
    assert response.status_code == 200
    assert "Do you offer multi-factor authentication?" in response.get_data(as_text=True)
    pdf = client.get(REPORT + ".pdf?lang=xx")
    assert pdf.status_code == 200
    with pikepdf.open(io.BytesIO(pdf.data)) as document:
        assert str(document.Root.Lang) == "en"
    assert client.get("/principles/1?lang=xx").status_code == 200


def test_the_member_pdf_in_french(client, db, french):
    response = client.get(REPORT + ".pdf?lang=fr")
    assert response.status_code == 200
    assert 'filename="alpha-security-report-2025-fr.pdf"' in response.headers["Content-Disposition"]
    words = " ".join(page_texts(response.data))
    assert MFA_FR in words and BUG_BOUNTY_FR in words and SECTION_FR in words
    assert "Page 1 sur" in words and "Hardware keys for all." in words
    assert SENTINEL not in words and "rançons" not in words
    with pikepdf.open(io.BytesIO(response.data)) as document:
        assert str(document.Root.Lang) == "fr" and "/StructTreeRoot" in document.Root
    assert structure_problems(response.data) == []
    english = client.get(REPORT + ".pdf")
    assert english.headers["ETag"] != response.headers["ETag"]
    assert MFA_FR not in " ".join(page_texts(english.data))
    # One cached PDF per language; a second French request renders nothing.
    assert db.session.scalar(select(func.count()).select_from(MemberReportPdf)) == 2
    with count_queries() as counter:
        again = client.get(REPORT + ".pdf?lang=fr")
    assert again.data == response.data and counter.count <= 9


def test_the_translations_of_a_page_are_one_query(client, french):
    """A page in French reads its translations in one statement more than in English."""
    counts = {}
    for lang in ("en", "fr"):
        with count_queries() as counter:
            assert client.get(f"{REPORT}?lang={lang}").status_code == 200
        counts[lang] = counter.count
    assert counts["fr"] == counts["en"] + 1


def test_the_home_page_names_the_charter_in_the_readers_language(client, french):
    french_home = client.get("/?lang=fr").get_data(as_text=True)
    assert '<cite dir="auto">L’Accord de test</cite>' in french_home
    english = client.get("/?lang=en").get_data(as_text=True)
    assert '<cite dir="auto">The Test Accord</cite>' in english
    # Spanish has no translation: the English title, marked as English.
    assert '<cite lang="en" dir="auto">The Test Accord</cite>' in client.get("/?lang=es").get_data(
        as_text=True
    )


def _second_version(db, w, translated: bool) -> None:
    """Version 2 in force since 2025, principle 1 reworded; in French too if `translated`."""
    version = CharterVersion(
        number=2,
        title="The Test Accord",
        status="published",
        effective_date=dt.date(2025, 1, 1),
        published_at=at(2024, 12),
    )
    sources = [(t.principle, t.number, t.position, t.title, t.body_md) for t in w.charter.texts]
    for principle, number, position, title, body in sources:
        version.texts.append(
            PrincipleText(
                principle=principle,
                number=number,
                position=position,
                title="Reworded title 1" if number == 1 else title,
                body_md=body,
            )
        )
    db.session.add(version)
    if translated:  # published in this flush: its translations may come with it
        for key, text, source in (
            ("P1.title", "Titre reformulé 1", "Reworded title 1"),
            ("P1.body", "Corps du principe.", "Body."),
        ):
            version_translation = CharterTranslation(
                language="fr", key=key, text=text, source_hash=source_hash(source)
            )
            version_translation.version = version
            db.session.add(version_translation)
    db.session.commit()


def test_the_wording_changes_in_french_when_every_version_is_translated(client, db, french):
    _second_version(db, french, translated=True)
    html = client.get("/principles/1?lang=fr").get_data(as_text=True)
    assert '<h1 dir="auto" lang="fr">Titre reformulé 1</h1>' in html
    assert re.search(r'<p class="diff preserve-lines" lang="fr">.*reformulé', html, re.S)
    assert f"“{TITLE_FR}”" in html or f'<span lang="fr" dir="auto">{TITLE_FR}</span>' in html


def test_the_wording_changes_in_english_when_a_version_is_not_translated(client, db, french):
    _second_version(db, french, translated=False)
    html = client.get("/principles/1?lang=fr").get_data(as_text=True)
    assert '<h1 dir="auto" lang="en">Reworded title 1</h1>' in html
    assert re.search(r'<p class="diff preserve-lines" lang="en">.*Reworded', html, re.S)
    assert html_lib_unescape(notice()) in text(client.get("/principles/1?lang=fr"))


def test_the_page_cache_keeps_one_page_per_language(app, french):
    reader = app.test_client()
    assert reader.get("/principles/1?lang=fr").status_code == 200  # remembered in the session
    first = reader.get("/principles/1")
    again = reader.get("/principles/1")
    assert again.headers.get("X-Pactum-Cache") == "hit"
    assert TITLE_FR in first.get_data(as_text=True) and again.data == first.data
    english = app.test_client().get("/principles/1", headers={"Accept-Language": "en"})
    assert TITLE_FR not in english.get_data(as_text=True)
    assert "Principle title 1" in english.get_data(as_text=True)
