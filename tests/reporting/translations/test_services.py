"""Questionnaire translations (issue 18): saved all or nothing with every problem by field,
outdated when the source changes in the draft, copied with "copy from last year", frozen
once the cycle opens, and read by representatives in their language."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.reporting import cycles
from app.reporting.models import QuestionnaireTranslation
from app.reporting.translations import services
from app.reporting.translations.entries import question_key, section_keys
from tests.reporting.builders_filling import build_cycle


@pytest.fixture
def draft(secretariat, db):
    return build_cycle(secretariat, year=2027, open_it=False)


def _status(cycle):
    return {e.source.key: e for e in services.status_for(cycle, "fr").entries}


def test_entries_cover_titles_questions_help_and_choices(draft):
    keys = set(_status(draft))
    programme = draft.q["programme"]
    assert section_keys(draft.sections[0].id)[0] in keys
    assert question_key(draft.q["mfa"].id, "text") in keys
    assert question_key(draft.q["approach"].id, "help") in keys
    assert {question_key(programme.id, f"c{i}") for i in (1, 2, 3)} <= keys
    assert question_key(draft.q["mfa"].id, "help") not in keys  # no help text to translate


def test_save_then_source_change_makes_it_outdated(secretariat, draft):
    key = question_key(draft.q["mfa"].id, "text")
    saved = services.save(
        secretariat, draft, "fr", {key: "Proposez-vous la double authentification ?"}
    )
    assert saved.translated == [key]
    assert _status(draft)[key].current
    q = draft.q["mfa"]
    cycles.update_question(
        secretariat, q, "Do you offer two-factor authentication?", q.type, required=True
    )
    entry = _status(draft)[key]
    assert entry.outdated and entry.text.startswith("Proposez")
    reading = services.reading_for(draft, "fr")
    assert reading.text(q).lang == "en"  # an outdated translation is not shown
    services.save(secretariat, draft, "fr", {key: entry.text}, confirmed={key})
    assert _status(draft)[key].current
    assert reading.text(q).lang == "en"  # the reading was made before
    assert services.reading_for(draft, "fr").text(q).lang == "fr"


def test_every_problem_at_once_and_nothing_saved(secretariat, draft):
    text_key = question_key(draft.q["mfa"].id, "text")
    help_key = question_key(draft.q["approach"].id, "help")
    with pytest.raises(ValidationFailed) as refused:
        services.save(
            secretariat,
            draft,
            "fr",
            {text_key: "Une\nquestion sur deux lignes", help_key: "x" * 6000},
        )
    assert set(refused.value.errors) == {text_key.replace(".", "_"), help_key.replace(".", "_")}
    assert not _status(draft)[text_key].text
    with pytest.raises(ValidationFailed):
        services.save(secretariat, draft, "fr", {"q999999.text": "Inconnu"})
    with pytest.raises(NotFound):
        services.save(secretariat, draft, "en", {text_key: "Source"})
    with pytest.raises(NotFound):
        services.save(secretariat, draft, "xx", {text_key: "?"})


def test_copy_from_last_year_carries_the_translations(secretariat, draft, db):
    title_key = section_keys(draft.sections[0].id)[0]
    choice_key = question_key(draft.q["programme"].id, "c1")
    services.save(secretariat, draft, "fr", {title_key: "Protéger", choice_key: "Prime aux bogues"})
    later = cycles.create_cycle(
        secretariat,
        2028,
        "",
        draft.opens_on.replace(year=2028),
        draft.due_on.replace(year=2028),
        copy_from_id=draft.id,
    )
    sections = cycles.load_questionnaire(later)
    status = {e.source.key: e for e in services.status_for(later, "fr", sections).entries}
    copied_title = status[section_keys(sections[0].id)[0]]
    assert copied_title.current and copied_title.text == "Protéger"
    programme = next(q for s in sections for q in s.questions if q.type == "single_choice")
    reading = services.reading_for(later, "fr")
    assert reading.choices(programme)[0][0] == "Bug bounty"  # the stored value stays
    assert reading.choices(programme)[0][1].text == "Prime aux bogues"
    assert reading.choices(programme)[1][1].lang == "en"
    count = db.session.scalar(
        select(db.func.count())
        .select_from(QuestionnaireTranslation)
        .where(QuestionnaireTranslation.cycle_id == later.id)
    )
    assert count == 2


def test_frozen_once_the_cycle_opens(secretariat, draft):
    key = question_key(draft.q["mfa"].id, "text")
    services.save(secretariat, draft, "fr", {key: "Double authentification ?"})
    cycles.open_cycle(secretariat, draft)
    with pytest.raises(Conflict):
        services.save(secretariat, draft, "fr", {key: "Autre chose"})
    assert _status(draft)[key].text == "Double authentification ?"


def test_representatives_cannot_translate(rep_a, draft):
    with pytest.raises(PermissionDenied):
        services.save(rep_a, draft, "fr", {})


def test_the_source_language_reads_without_a_query(draft, db):
    reading = services.reading_for(draft, "en")
    assert reading.rows == {} and reading.untranslated(draft.sections) == 0


def test_removing_a_question_or_section_removes_its_translations(secretariat, draft, db):
    q = draft.q["audit"]
    section = draft.sections[0]
    keys = {question_key(q.id, "text"): "Dernier audit ?", section_keys(section.id)[0]: "Protéger"}
    services.save(secretariat, draft, "fr", keys)
    cycles.delete_question(secretariat, q)
    assert set(services.rows_for(draft.id, "fr")) == {section_keys(section.id)[0]}
    cycles.delete_question(secretariat, draft.q["mfa_share"])  # the condition first
    cycles.delete_section(secretariat, section)
    assert services.rows_for(draft.id, "fr") == {}
