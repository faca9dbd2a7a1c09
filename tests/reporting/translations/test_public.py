"""What public pages may read of the translations (`public.public_texts`): the wording, unit
and choices of public questions, the titles of sections shown and the principles of
published charter versions; never a non-public or evidence question's, a help text or a
charter draft's, whatever a caller asks for."""

from __future__ import annotations

from sqlalchemy import insert

from app.charter.models import CharterVersion, PrincipleText
from app.charter.translations.entries import source_hash
from app.charter.translations.models import CharterTranslation
from app.db import db
from app.reporting.models import QuestionnaireTranslation
from app.reporting.translations.public import (
    Asked,
    cycle_public_rows,
    public_texts,
    snapshot_texts,
)
from tests.centre.conftest import SENTINEL, build_centre_world
from tests.querycount import count_queries


def _translate(cycle_id: int, key: str, text: str, source: str) -> None:
    db.session.add(
        QuestionnaireTranslation(
            cycle_id=cycle_id, language="fr", key=key, text=text, source_hash=source_hash(source)
        )
    )


def test_only_public_texts_are_read(app):
    w = build_centre_world(db)
    q = w.q2025
    _translate(w.c2025.id, f"q{q.mfa.id}.text", "Proposez-vous la MFA ?", q.mfa.text)
    _translate(w.c2025.id, f"q{q.mfa.id}.help", f"Aide {SENTINEL}", "Help.")
    _translate(w.c2025.id, f"q{q.secret.id}.text", f"Interne {SENTINEL}", q.secret.text)
    _translate(w.c2025.id, f"q{q.policy.id}.text", f"Politique {SENTINEL}", q.policy.text)
    draft = CharterVersion(number=2, title="Draft", status="draft")
    draft.texts.append(
        PrincipleText(principle=w.p1, number=1, position=0, title="Draft title", body_md="B.")
    )
    db.session.add(draft)
    db.session.flush()
    db.session.add(
        CharterTranslation(
            version_id=draft.id,
            language="fr",
            key="P1.title",
            text=f"Brouillon {SENTINEL}",
            source_hash=source_hash("Draft title"),
        )
    )
    db.session.execute(
        insert(CharterTranslation).values(
            version_id=w.charter.id,
            language="fr",
            key="P1.title",
            text="Titre 1",
            source_hash=source_hash("Principle title 1"),
        )
    )
    db.session.commit()
    asked = [
        Asked(q.mfa.id, True, "yes_no"),
        Asked(q.secret.id, False, "short_text"),  # asked for, but not public
        Asked(q.policy.id, True, "evidence"),  # public, but files are never shown
    ]
    versions = [w.charter.id, draft.id]
    with app.test_request_context():
        with count_queries() as counter:
            texts = public_texts("fr", asked, (), versions)
        assert counter.count == 1
        assert SENTINEL not in repr(texts.rows)
        assert texts.question(q.mfa.id, q.mfa.text).text == "Proposez-vous la MFA ?"
        assert texts.principle_title(w.charter.id, "P1", "Principle title 1").text == "Titre 1"
        assert texts.principle_title(draft.id, "P1", "Draft title").text == "Draft title"
        assert texts.untranslated == 1  # the draft's title, shown as written
        # The source language reads nothing.
        with count_queries() as counter:
            english = public_texts("en", asked, (), versions)
        assert counter.count == 0 and english.rows == {}


def test_snapshot_texts_read_the_public_questions_of_a_snapshot(app):
    w = build_centre_world(db)
    q = w.q2025
    _translate(w.c2025.id, f"q{q.secret.id}.text", f"Interne {SENTINEL}", q.secret.text)
    _translate(w.c2025.id, f"q{q.programme.id}.c2", "Adresse", "Email address")
    db.session.commit()
    snapshot = w.alpha_2025.versions[-1].snapshot
    with app.test_request_context():
        texts = snapshot_texts([snapshot], "fr", w.c2025.charter_version_id)
    assert SENTINEL not in repr(texts.rows)
    assert texts.choice(q.programme.id, q.programme.choices, "Email address").text == "Adresse"
    assert texts.choice(q.programme.id, q.programme.choices, "Other").text == "Other"


def test_a_cycles_public_rows_keep_only_what_a_public_document_shows(app):
    """`cycle_public_rows` (the annual report's reading): the wording of a public question
    and the section titles; never a help text, a section description, a non-public
    question's or an evidence question's texts. Two queries; one when nothing is translated."""
    w = build_centre_world(db)
    q = w.q2025
    section_id, cycle_id = q.mfa.section_id, w.c2025.id  # the commit below expires them
    with app.test_request_context():
        with count_queries() as counter:
            assert cycle_public_rows(cycle_id, "fr") == {}
        assert counter.count == 1
    _translate(w.c2025.id, f"q{q.mfa.id}.text", "Proposez-vous la MFA ?", q.mfa.text)
    _translate(w.c2025.id, f"q{q.mfa.id}.help", f"Aide {SENTINEL}", "Help.")
    _translate(w.c2025.id, f"q{q.secret.id}.text", f"Interne {SENTINEL}", q.secret.text)
    _translate(w.c2025.id, f"q{q.policy.id}.text", f"Politique {SENTINEL}", q.policy.text)
    _translate(w.c2025.id, f"s{section_id}.title", "Sécurité", "Security")
    _translate(w.c2025.id, f"s{section_id}.description", f"Intro {SENTINEL}", "Intro")
    db.session.commit()
    with app.test_request_context():
        with count_queries() as counter:
            rows = cycle_public_rows(cycle_id, "fr")
        assert counter.count == 2
        assert set(rows) == {f"q{q.mfa.id}.text", f"s{section_id}.title"}
        assert SENTINEL not in repr(rows)
        with count_queries() as counter:
            assert cycle_public_rows(cycle_id, "en") == {}
        assert counter.count == 0
