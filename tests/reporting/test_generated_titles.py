"""Titles Pactum makes up ("2026 reporting cycle", "Principle 1: …") are not stored in English:
they are made when shown, in the reader's language (issue 18). Titles a person wrote are
shown as written."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale

from app import clock
from app.errors import ValidationFailed
from app.reporting import cycles, filling, titles
from tests.conftest import login_as
from tests.reporting.builders_filling import at, make_charter

NBSP = "\u00a0"


def _principle_cycle(secretariat, db, title=""):
    clock.freeze(at(dt.date(2026, 2, 1)))
    version = make_charter(db)
    cycle = cycles.create_cycle(
        secretariat,
        2026,
        title,
        dt.date(2026, 1, 10),
        dt.date(2026, 3, 31),
        categories=["company"],
        charter_version=version,
    )
    sections = cycles.add_principle_sections(secretariat, cycle)
    cycles.add_question(secretariat, sections[0], "Do you patch?", "yes_no", required=True)
    general = cycles.add_section(secretariat, cycle, "About your organisation")
    cycles.add_question(secretariat, general, "How many staff?", "number")
    return cycle


def test_generated_titles_are_stored_empty_and_shown_in_each_language(secretariat, db):
    cycle = _principle_cycle(secretariat, db)
    first = cycle.sections[0]
    assert cycle.title == "" and first.title == ""
    assert cycle.shown_title == "2026 reporting cycle"
    assert first.shown_title == "Principle 1: Principle 1 title"
    with force_locale("fr"):
        assert cycle.shown_title == "Cycle de rapport 2026"
        assert first.shown_title == f"Principe 1{NBSP}: Principle 1 title"
    assert first.title_in("fr") == f"Principe 1{NBSP}: Principle 1 title"
    assert cycle.sections[-1].title_in("fr") == "About your organisation"  # as written


def test_written_titles_stay_as_written(secretariat, db):
    cycle = _principle_cycle(secretariat, db, title="Année de la résilience")
    with force_locale("fr"):
        assert cycle.shown_title == "Année de la résilience"
    section = cycle.sections[1]
    cycles.update_section(secretariat, section, "Our own words", principle=section.principle_id)
    assert section.title_in("fr") == "Our own words"


def test_titles_stored_in_english_before_are_taken_as_generated(secretariat, db):
    """Rows written before titles were rendered hold Pactum's English text."""
    cycle = _principle_cycle(secretariat, db)
    cycle.title = "2026 reporting cycle"
    section = cycle.sections[0]
    section.title = "Principle 1: Principle 1 title"
    assert titles.cycle_title(2026, cycle.title, "fr") == "Cycle de rapport 2026"
    assert section.title_in("fr") == f"Principe 1{NBSP}: Principle 1 title"
    # A submitted report's snapshot keeps the English text; pages show it in French.
    assert titles.shown_section_text(section.title, "fr") == f"Principe 1{NBSP}: Principle 1 title"
    assert titles.shown_cycle_title({"year": 2026, "title": "2026 reporting cycle"}, "fr") == (
        "Cycle de rapport 2026"
    )


def test_a_section_on_a_principle_may_leave_its_title_empty_others_may_not(secretariat, db):
    cycle = _principle_cycle(secretariat, db)
    with pytest.raises(ValidationFailed):
        cycles.add_section(secretariat, cycle, "  ")


def test_the_representative_reads_the_titles_in_french(client, secretariat, db, org_a, rep_a):
    cycle = _principle_cycle(secretariat, db)
    cycles.open_cycle(secretariat, cycle)
    db.session.commit()
    login_as(client, rep_a)
    html = client.get("/my/reports/2026?lang=fr").get_data(as_text=True)
    assert "Cycle de rapport 2026" in html
    assert f"Principe 1{NBSP}: Principle 1 title" in html
    assert f"Principe 3{NBSP}: Principle 3 title" in html
    assert "2026 reporting cycle" not in html and "Principle 1: " not in html
    section = client.get("/my/reports/2026/sections/1?lang=fr").get_data(as_text=True)
    assert f"<h1>Principe 1{NBSP}: Principle 1 title</h1>" in section
    html = client.get("/my/reports/2026?lang=en").get_data(as_text=True)
    assert "2026 reporting cycle" in html and "Principle 1: Principle 1 title" in html


def test_a_submitted_report_shows_its_titles_in_the_readers_language(
    client, secretariat, db, org_a, rep_a
):
    cycle = _principle_cycle(secretariat, db)
    cycles.open_cycle(secretariat, cycle)
    report = filling.get_or_start_report(rep_a, cycle, org_a)
    q = cycle.sections[0].questions[0]
    filling.save_answers(rep_a, report, {q.id: "yes"}, report.revision)
    filling.set_attestation(rep_a, report, "Grace Hopper", "CEO", "We agree.", report.revision)
    version = filling.submit_report(rep_a, report, authorised=True)
    snapshot = version.snapshot
    # The snapshot keeps a complete record in English.
    assert snapshot["cycle"]["title"] == "2026 reporting cycle"
    assert snapshot["sections"][0]["title"] == "Principle 1: Principle 1 title"
    db.session.commit()
    login_as(client, secretariat)
    html = client.get(f"/secretariat/review/versions/{version.id}?lang=fr").get_data(True)
    assert f"Principe 1{NBSP}: Principle 1 title" in html
    assert "Principle 1: Principle 1 title" not in html
