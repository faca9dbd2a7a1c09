"""Cycles and the questionnaire builder: services (issue 5, part A)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.charter.models import CharterVersion, Principle, PrincipleText
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.reporting import cycles
from app.reporting.models import Extension, Question, Section
from tests import factories
from tests.reporting.builders_filling import QUESTIONNAIRE, build_cycle

D = dt.date


def test_create_cycle_and_year_is_unique(secretariat, db):
    cycle = cycles.create_cycle(
        secretariat,
        2026,
        "",
        D(2026, 1, 10),
        D(2026, 3, 31),
        categories=["company", "academia"],
        reminder_offsets=["7", "30"],
    )
    assert cycle.title == "" and cycle.shown_title == "2026 reporting cycle"
    assert cycle.status == "draft"
    assert cycle.categories == ["company", "academia"]
    assert cycle.reminder_offsets == [30, 7]
    with pytest.raises(ValidationFailed) as error:
        cycles.create_cycle(secretariat, 2026, "Again", D(2026, 1, 10), D(2026, 3, 31))
    assert error.value.field == "year"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"year": 1999}, "year"),
        ({"due_on": D(2026, 1, 1)}, "due_on"),
        ({"grace_days": -1}, "grace_days"),
        ({"categories": []}, "categories"),
        ({"categories": ["pirates"]}, "categories"),
        ({"reminder_offsets": ["soon"]}, "reminder_offsets"),
        ({"reminder_offsets": [400]}, "reminder_offsets"),
    ],
)
def test_create_cycle_refuses_bad_settings(secretariat, db, kwargs, field):
    args = {
        "year": 2026,
        "title": "x",
        "opens_on": D(2026, 1, 10),
        "due_on": D(2026, 3, 31),
        "categories": ["company"],
    }
    args.update(kwargs)
    with pytest.raises(ValidationFailed) as error:
        cycles.create_cycle(secretariat, **args)
    assert error.value.field == field


def test_only_the_secretariat_builds(rep_a, secretariat, db):
    with pytest.raises(PermissionDenied):
        cycles.create_cycle(rep_a, 2026, "x", D(2026, 1, 10), D(2026, 3, 31))
    cycle = cycles.create_cycle(secretariat, 2026, "x", D(2026, 1, 10), D(2026, 3, 31))
    with pytest.raises(PermissionDenied):
        cycles.add_section(rep_a, cycle, "Sneaky")


def test_questions_of_every_type_and_validation(secretariat, db):
    cycle = cycles.create_cycle(secretariat, 2026, "x", D(2026, 1, 10), D(2026, 3, 31))
    section = cycles.add_section(secretariat, cycle, "General")
    q = cycles.add_question(
        secretariat,
        section,
        "Share?",
        "number",
        unit="%",
        min_value=0,
        max_value=100,
        required=True,
    )
    assert (q.unit, q.min_value, q.max_value, q.required) == ("%", 0, 100, True)
    assert len(q.lineage) == 32
    choice = cycles.add_question(
        secretariat, section, "Pick", "single_choice", choices="One\n Two \n\nThree"
    )
    assert choice.choices == ["One", "Two", "Three"]
    with pytest.raises(ValidationFailed, match="at least two"):
        cycles.add_question(secretariat, section, "Pick", "multiple_choice", choices=["Only"])
    with pytest.raises(ValidationFailed, match="twice"):
        cycles.add_question(secretariat, section, "Pick", "multiple_choice", choices=["A", "A"])
    with pytest.raises(ValidationFailed) as error:
        cycles.add_question(secretariat, section, "Bounds", "number", min_value=5, max_value=1)
    assert error.value.field == "max_value"
    with pytest.raises(ValidationFailed) as error:
        cycles.add_question(secretariat, section, "  ", "short_text")
    assert error.value.field == "text"
    with pytest.raises(ValidationFailed) as error:
        cycles.add_question(secretariat, section, "Type?", "poem")
    assert error.value.field == "type"
    # Options of other types are dropped: a text question has no unit or choices.
    text = cycles.add_question(
        secretariat, section, "Name", "short_text", unit="kg", choices=["a", "b"], min_value=1
    )
    assert (text.unit, text.choices, text.min_value) == ("", [], None)


def test_conditions_must_point_to_an_earlier_choice_question(secretariat, db):
    cycle = cycles.create_cycle(secretariat, 2026, "x", D(2026, 1, 10), D(2026, 3, 31))
    first = cycles.add_section(secretariat, cycle, "One")
    second = cycles.add_section(secretariat, cycle, "Two")
    yes_no = cycles.add_question(secretariat, first, "Do you?", "yes_no")
    text = cycles.add_question(secretariat, first, "Name", "short_text")
    follow = cycles.add_question(
        secretariat, second, "How?", "long_text", condition_question=yes_no, condition_value="yes"
    )
    assert follow.condition_question_id == yes_no.id
    with pytest.raises(ValidationFailed) as error:
        cycles.add_question(
            secretariat, second, "x", "short_text", condition_question=text, condition_value="Ada"
        )
    assert error.value.field == "condition"
    with pytest.raises(ValidationFailed, match="one of that question"):
        cycles.add_question(
            secretariat,
            second,
            "x",
            "short_text",
            condition_question=yes_no,
            condition_value="maybe",
        )
    # A later question cannot control an earlier one.
    later = cycles.add_question(secretariat, second, "Later?", "yes_no")
    db.session.commit()
    with pytest.raises(ValidationFailed):
        cycles.update_question(
            secretariat,
            yes_no,
            "Do you?",
            "yes_no",
            condition_question=later,
            condition_value="yes",
        )
    # Moving the follow-up above its controller is refused; so is deleting the controller.
    with pytest.raises(ValidationFailed, match="depends on an answer"):
        cycles.move_section(secretariat, second, "up")
    db.session.rollback()
    db.session.expire_all()
    yes_no = db.session.get(Question, yes_no.id)
    with pytest.raises(ValidationFailed, match="depends on this question"):
        cycles.delete_question(secretariat, yes_no)
    with pytest.raises(ValidationFailed, match="another section depends"):
        cycles.delete_section(secretariat, db.session.get(Section, first.id))
    # Changing the controller's type in a way that breaks the condition is refused.
    with pytest.raises(ValidationFailed, match="depends on the answer"):
        cycles.update_question(secretariat, yes_no, "Pick", "single_choice", choices=["A", "B"])


def test_reorder_and_delete_keep_positions_dense(secretariat, db):
    cycle = cycles.create_cycle(secretariat, 2026, "x", D(2026, 1, 10), D(2026, 3, 31))
    section = cycles.add_section(secretariat, cycle, "One")
    a, b, c = (cycles.add_question(secretariat, section, t, "short_text") for t in "ABC")
    cycles.move_question(secretariat, c, "up")
    cycles.move_question(secretariat, c, "up")
    cycles.move_question(secretariat, c, "up")  # already first: nothing happens
    order = [q.text for q in cycles.ordered_questions(cycles.load_questionnaire(cycle))]
    assert order == ["C", "A", "B"]
    cycles.delete_question(secretariat, a)
    sections = cycles.load_questionnaire(cycle)
    assert [(q.text, q.position) for q in sections[0].questions] == [("C", 0), ("B", 1)]
    other = cycles.add_section(secretariat, cycle, "Two")
    cycles.move_section(secretariat, other, "up")
    assert [s.title for s in cycles.load_questionnaire(cycle)] == ["Two", "One"]
    assert cycles.numbering(cycles.load_questionnaire(cycle))[c.id] == "2.1"


def _charter(db, published=True):
    version = CharterVersion(
        number=1, title="The charter", status="published" if published else "draft"
    )
    principles = [Principle(key=f"P{i}") for i in (1, 2, 3)]
    texts = [
        PrincipleText(
            version=version,
            principle=p,
            number=i,
            position=i,
            title=f"Principle {i} title",
            body_md=f"Body {i}",
        )
        for i, p in enumerate(principles, start=1)
    ]
    db.session.add_all([version, *principles, *texts])
    db.session.flush()
    return version


def test_one_section_per_principle(secretariat, db):
    version = _charter(db)
    cycle = cycles.create_cycle(
        secretariat, 2026, "x", D(2026, 1, 10), D(2026, 3, 31), charter_version=version
    )
    added = cycles.add_principle_sections(secretariat, cycle)
    assert [s.title for s in added] == ["", "", ""]  # made when shown
    assert [s.shown_title for s in added] == [
        f"Principle {i}: Principle {i} title" for i in (1, 2, 3)
    ]
    assert added[0].description_md == "Body 1"
    assert cycles.add_principle_sections(secretariat, cycle) == []  # not twice
    bare = cycles.create_cycle(secretariat, 2027, "x", D(2027, 1, 10), D(2027, 3, 31))
    with pytest.raises(ValidationFailed, match="charter version"):
        cycles.add_principle_sections(secretariat, bare)


def test_draft_charter_version_is_refused(secretariat, db):
    version = _charter(db, published=False)
    with pytest.raises(ValidationFailed) as error:
        cycles.create_cycle(
            secretariat, 2026, "x", D(2026, 1, 10), D(2026, 3, 31), charter_version=version
        )
    assert error.value.field == "charter_version_id"


def test_copy_keeps_lineage_and_conditions(secretariat, db):
    old = build_cycle(secretariat, year=2025)
    new = cycles.create_cycle(secretariat, 2026, "x", D(2026, 1, 10), D(2026, 3, 31))
    copied = cycles.copy_questionnaire(secretariat, old, new)
    assert copied == sum(len(qs) for _t, qs in QUESTIONNAIRE)
    before = cycles.ordered_questions(cycles.load_questionnaire(old))
    after = cycles.ordered_questions(cycles.load_questionnaire(new))
    assert [q.lineage for q in before] == [q.lineage for q in after]
    assert {q.id for q in before}.isdisjoint({q.id for q in after})
    share = next(q for q in after if q.lineage == old.q["mfa_share"].lineage)
    mfa = next(q for q in after if q.lineage == old.q["mfa"].lineage)
    assert share.condition_question_id == mfa.id and share.condition_value == "yes"
    assert new.copied_from_id == old.id
    assert cycles.questionnaire_hash(cycles.load_questionnaire(new)) != cycles.questionnaire_hash(
        cycles.load_questionnaire(old)
    )  # ids differ


def test_create_cycle_can_start_from_a_copy(secretariat, db):
    old = build_cycle(secretariat, year=2025)
    new = cycles.create_cycle(
        secretariat, 2026, "", D(2026, 1, 10), D(2026, 3, 31), copy_from_id=old.id
    )
    assert new.copied_from_id == old.id
    assert cycles.question_count(new) == sum(len(qs) for _t, qs in QUESTIONNAIRE)
    with pytest.raises(ValidationFailed) as refused:
        cycles.create_cycle(
            secretariat, 2027, "", D(2027, 1, 10), D(2027, 3, 31), copy_from_id=424242
        )
    assert refused.value.field == "copy_from"


def test_open_freezes_the_questionnaire_and_close(secretariat, db):
    cycle = cycles.create_cycle(secretariat, 2026, "x", D(2026, 1, 10), D(2026, 3, 31))
    with pytest.raises(ValidationFailed, match="at least one question"):
        cycles.open_cycle(secretariat, cycle)
    section = cycles.add_section(secretariat, cycle, "One")
    question = cycles.add_question(secretariat, section, "Q", "yes_no")
    cycles.open_cycle(secretariat, cycle)
    assert cycle.status == "open" and cycle.opened_at is not None
    for attempt in (
        lambda: cycles.add_section(secretariat, cycle, "Two"),
        lambda: cycles.update_section(secretariat, section, "Renamed"),
        lambda: cycles.move_section(secretariat, section, "down"),
        lambda: cycles.delete_section(secretariat, section),
        lambda: cycles.add_question(secretariat, section, "Q2", "yes_no"),
        lambda: cycles.update_question(secretariat, question, "Q!", "yes_no"),
        lambda: cycles.move_question(secretariat, question, "down"),
        lambda: cycles.delete_question(secretariat, question),
        lambda: cycles.add_principle_sections(secretariat, cycle),
        lambda: cycles.copy_questionnaire(secretariat, cycle, cycle),
        lambda: cycles.open_cycle(secretariat, cycle),
    ):
        with pytest.raises(Conflict):
            attempt()
    other = build_cycle(secretariat, year=2027, open_it=False)
    with pytest.raises(Conflict, match="still open"):
        cycles.open_cycle(secretariat, other)
    cycles.close_cycle(secretariat, cycle)
    assert cycle.status == "closed"
    with pytest.raises(Conflict):
        cycles.close_cycle(secretariat, cycle)
    with pytest.raises(Conflict):
        cycles.update_cycle(
            secretariat, cycle, "x", D(2026, 1, 10), D(2026, 3, 31), 14, ["company"]
        )


def test_open_cycle_dates_can_move_but_not_who_reports(secretariat, db):
    cycle = build_cycle(secretariat)
    cycles.update_cycle(
        secretariat, cycle, "Renamed", D(2026, 1, 10), D(2026, 4, 30), 7, ["company"]
    )
    assert (cycle.due_on, cycle.grace_days, cycle.title) == (D(2026, 4, 30), 7, "Renamed")
    with pytest.raises(Conflict, match="fixed once the cycle is open"):
        cycles.update_cycle(
            secretariat, cycle, "x", D(2026, 1, 10), D(2026, 4, 30), 7, ["company", "academia"]
        )


def test_who_must_report_and_effective_due_date(secretariat, db):
    cycle = build_cycle(secretariat)
    active = factories.make_org(name="Active Co")
    silent = factories.make_org(name="Silent Co", status="non_communicating")
    ngo = factories.make_org(name="An NGO", category="civil_society")
    suspended = factories.make_org(name="Paused Co", status="suspended")
    delisted = factories.make_org(name="Gone Co", status="delisted")
    assert cycles.must_report(cycle, active) and cycles.must_report(cycle, silent)
    assert not cycles.must_report(cycle, ngo) and not cycles.must_report(cycle, suspended)
    assert not cycles.must_report(cycle, delisted) and cycles.may_report(cycle, delisted)
    names = [o.name for o in db.session.scalars(cycles.obligated_organisations(cycle))]
    assert names == ["Active Co", "Silent Co"]
    assert cycles.effective_due_date(cycle, active.id) == D(2026, 3, 31)
    db.session.add(
        Extension(
            cycle_id=cycle.id,
            organisation_id=active.id,
            reason="r",
            state="granted",
            new_due_on=D(2026, 4, 30),
        )
    )
    db.session.add(
        Extension(
            cycle_id=cycle.id,
            organisation_id=silent.id,
            reason="r",
            state="refused",
            new_due_on=D(2026, 5, 30),
        )
    )
    db.session.flush()
    assert cycles.effective_due_date(cycle, active.id) == D(2026, 4, 30)
    assert cycles.effective_due_date(cycle, silent.id) == D(2026, 3, 31)
