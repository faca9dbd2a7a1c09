"""The public answers read model (`public_answers`, `answer_tallies`) follows the writes that
change what it copies, holds nothing the public may not read, and equals its rebuild."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import Text, cast, func, select

from app.reporting.models import Question, Report, ReportingCycle, Section, SubmittedAnswer
from app.reporting.review import decisions
from app.transparency import answer_rows
from app.transparency.models import AnswerTally, PublicAnswerRow
from tests.transparency.builders import (
    make_charter,
    make_cycle,
    make_member,
    make_question,
    make_report,
    make_section,
)


@pytest.fixture
def small(db):
    charter, (p1, _p2) = make_charter(2)
    cycle = make_cycle(2025, charter=charter, status="open")
    section = make_section(cycle, "Protect users", p1)
    q_yes = make_question(section, "Do you offer MFA?", public=True, lineage="mfa")
    q_text = make_question(
        section, "How?", "long_text", public=True, indicator=False, lineage="how"
    )
    q_private = make_question(section, "Do you pay ransoms?", lineage="ransom")
    q_file = make_question(
        section, "Your policy", "evidence", public=True, indicator=False, lineage="policy"
    )
    alpha = make_member("Alpha Security", country="DE")
    beta = make_member("Beta Rights", country="FR")
    return {
        "cycle": cycle,
        "p1": p1,
        "yes": q_yes,
        "text": q_text,
        "private": q_private,
        "file": q_file,
        "alpha": alpha,
        "beta": beta,
    }


def _answers(w, yes=True, text="Keys."):
    return {w["yes"]: yes, w["text"]: text, w["private"]: True, w["file"]: "policy.pdf"}


def _rows(db, **where) -> list[PublicAnswerRow]:
    db.session.expire_all()
    statement = select(PublicAnswerRow).order_by(PublicAnswerRow.answer_id)
    for name, value in where.items():
        statement = statement.where(getattr(PublicAnswerRow, name) == value)
    return list(db.session.scalars(statement))


def _tallies(db) -> Counter:
    return Counter({(t.question_id, t.value): t.n for t in db.session.scalars(select(AnswerTally))})


def _source_tallies(db) -> Counter:
    """The tallies counted from the source tables, independently of answer_rows.py."""
    value = cast(SubmittedAnswer.value, Text)
    rows = db.session.execute(
        select(Question.id, Question.type, value, func.count())
        .select_from(SubmittedAnswer)
        .join(Report, Report.current_version_id == SubmittedAnswer.version_id)
        .join(Question, Question.id == SubmittedAnswer.question_id)
        .where(Report.state == "accepted", Question.is_public.is_(True))
        .group_by(Question.id, Question.type, value)
    ).all()
    found: Counter = Counter()
    for qid, kind, v, n in rows:
        found[(qid, v if kind in answer_rows.SUMMARISED else "")] += n
    return found


def test_an_accepted_report_has_its_public_answers_and_nothing_else(db, small):
    w = small
    make_report(w["cycle"], w["alpha"], _answers(w))
    rows = _rows(db)
    assert {r.question_id for r in rows} == {w["yes"].id, w["text"].id, w["file"].id}
    by_q = {r.question_id: r for r in rows}
    assert by_q[w["yes"].id].value is True and by_q[w["yes"].id].has_value
    assert by_q[w["file"].id].value is None and not by_q[w["file"].id].has_value  # never a file
    row = by_q[w["text"].id]
    assert (row.name, row.slug, row.country, row.year, row.lineage, row.principle_id) == (
        "Alpha Security",
        w["alpha"].slug,
        "DE",
        2025,
        "how",
        w["p1"].id,
    )
    assert _tallies(db) == _source_tallies(db)
    assert _tallies(db)[(w["yes"].id, "true")] == 1
    assert _tallies(db)[(w["text"].id, "")] == 1  # a text type is one total


def test_a_submitted_or_returned_report_has_no_rows(db, small):
    w = small
    make_report(w["cycle"], w["alpha"], _answers(w), state="submitted")
    make_report(w["cycle"], w["beta"], _answers(w), state="returned", review_state="returned")
    assert _rows(db) == []
    assert _tallies(db) == Counter()


def test_accepting_through_the_service_adds_the_rows(db, small, secretariat):
    w = small
    report = make_report(w["cycle"], w["alpha"], _answers(w), state="submitted")
    assert _rows(db) == []
    decisions.accept(secretariat, report.versions[-1])
    assert len(_rows(db, organisation_id=w["alpha"].id)) == 3
    assert _tallies(db) == _source_tallies(db)


def test_a_new_version_takes_the_old_rows_away_and_its_acceptance_brings_its_own(db, small):
    w = small
    report = make_report(w["cycle"], w["alpha"], _answers(w, yes=True))
    make_report(w["cycle"], w["beta"], _answers(w, yes=True))
    assert _tallies(db)[(w["yes"].id, "true")] == 2
    # A corrected version is submitted: the report is no longer accepted.
    from app.reporting.models import ReportVersion

    old = report.versions[-1]
    version = ReportVersion(
        report_id=report.id,
        number=old.number + 1,
        submitted_at=old.submitted_at,
        is_late=False,
        officer_name="Officer",
        officer_title="CEO",
        support_statement="We support it.",
        snapshot=old.snapshot,
        questionnaire_hash=old.questionnaire_hash,
        review_state="submitted",
    )
    db.session.add(version)
    db.session.flush()
    for q, value in _answers(w, yes=False, text="Changed.").items():
        db.session.add(SubmittedAnswer(version_id=version.id, question_id=q.id, value=value))
    report.state = "submitted"
    report.current_version_id = version.id
    db.session.flush()
    assert _rows(db, organisation_id=w["alpha"].id) == []
    assert _tallies(db)[(w["yes"].id, "true")] == 1
    # Accepted: the new answers replace the old ones.
    version.review_state = "accepted"
    report.state = "accepted"
    db.session.flush()
    rows = {r.question_id: r.value for r in _rows(db, organisation_id=w["alpha"].id)}
    assert rows[w["yes"].id] is False and rows[w["text"].id] == "Changed."
    assert _tallies(db) == _source_tallies(db)
    assert _tallies(db)[(w["yes"].id, "false")] == 1


def test_an_organisation_change_is_copied_into_its_rows(db, small):
    w = small
    make_report(w["cycle"], w["alpha"], _answers(w))
    alpha = w["alpha"]
    alpha.name = "Alpha Renamed"
    alpha.country = "FR"
    alpha.status = "suspended"
    db.session.flush()
    rows = _rows(db, organisation_id=alpha.id)
    assert {(r.name, r.country, r.status) for r in rows} == {("Alpha Renamed", "FR", "suspended")}
    before = _tallies(db)
    alpha.joined_on = None  # no longer listed: kept (with the flag), never shown
    db.session.flush()
    assert {r.joined_on for r in _rows(db, organisation_id=alpha.id)} == {None}
    assert _tallies(db) == before  # the figures count every accepted report, as before


def test_the_rebuild_equals_what_the_writes_kept(db, small):
    w = small
    make_report(w["cycle"], w["alpha"], _answers(w, yes=True))
    make_report(w["cycle"], w["beta"], _answers(w, yes=False, text=None))
    kept = [(r.answer_id, r.value, r.has_value, r.status) for r in _rows(db)]
    tallies = _tallies(db)
    assert answer_rows.rebuild(db.session.connection()) == len(kept)
    assert [(r.answer_id, r.value, r.has_value, r.status) for r in _rows(db)] == kept
    assert _tallies(db) == tallies == _source_tallies(db)


def test_a_non_public_question_is_never_present(db, small):
    w = small
    make_report(w["cycle"], w["alpha"], _answers(w))
    answer_rows.rebuild(db.session.connection())
    private = db.session.scalars(
        select(Question.id)
        .join(Section, Section.id == Question.section_id)
        .join(ReportingCycle, ReportingCycle.id == Section.cycle_id)
        .where(Question.is_public.is_(False))
    ).all()
    assert private and not [r for r in _rows(db) if r.question_id in private]
    assert not [k for k in _tallies(db) if k[0] in private]
