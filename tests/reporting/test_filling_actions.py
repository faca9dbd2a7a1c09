"""One service call per user action, run without a request (issue 14): the autosave, the
section save and the submit page's action, as the views call them."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import Conflict
from app.reporting import filling
from app.reporting.models import Report, ReportVersion
from tests.reporting.builders_filling import PDF, cycle, raw, world  # noqa: F401  (fixtures)


def test_autosave_starts_the_report_and_returns_the_draft(world, db):
    c = world.cycle
    contact = c.q["contact"]
    state = filling.autosave(world.rep_a, 2026, 3, {f"q-{contact.id}": ["Ada"]}, "0")
    report = db.session.scalar(select(Report).where(Report.organisation_id == world.org_a.id))
    assert report is not None and report.revision == 1 == state.revision
    assert state.changed and state.values[contact.id] == "Ada"
    assert [q.id for q in state.section] == [contact.id, c.q["audit"].id]
    assert state.progress(state.section) == (1, 1)
    again = filling.autosave(world.rep_a, 2026, 3, {f"q-{contact.id}": ["Ada"]}, "1")
    assert not again.changed and again.revision == 1
    with pytest.raises(filling.StaleDraft):
        filling.autosave(world.rep_a, 2026, 3, {f"q-{contact.id}": ["Bob"]}, "0")


def test_autosave_refuses_other_sections_and_unknown_pages(world, db):
    c = world.cycle
    with pytest.raises(filling.ForeignAnswers):
        filling.autosave(world.rep_a, 2026, 1, {f"q-{c.q['contact'].id}": ["Ada"]}, "0")
    with pytest.raises(filling.NoSuchPage):
        filling.autosave(world.rep_a, 2026, 9, {}, "0")
    with pytest.raises(filling.NoSuchPage):
        filling.autosave(world.rep_a, 2031, 1, {}, "0")


def test_answers_from_form_reads_one_value_or_a_list(world):
    c = world.cycle
    questions = [c.q["programme"], c.q["frameworks"], c.q["policy"], c.q["policy_url"]]
    form = {
        f"q-{c.q['programme'].id}": ["Bug bounty", "ignored"],
        f"q-{c.q['frameworks'].id}": ["ISO 27001", "NIST CSF"],
        "base_revision": ["0"],
    }
    assert filling.answers_from_form(questions, form) == {
        c.q["programme"].id: "Bug bounty",
        c.q["frameworks"].id: ["ISO 27001", "NIST CSF"],
        c.q["policy_url"].id: "",
    }


def test_save_section_saves_answers_then_files(world, db):
    c = world.cycle
    _cycle, report, exists = filling.my_report(world.rep_a, 2026)
    assert not exists and report.id is None
    section = filling.load(report).sections[1]
    answers = {c.q["programme"].id: "Email address"}
    saved = filling.save_section(
        world.rep_a, report, section, answers, "0", [(c.q["policy"], "policy.pdf", PDF)]
    )
    report = saved.report
    assert saved.file_errors == {}
    data = filling.load(report)
    assert data.values[c.q["programme"].id] == "Email address"
    assert [e.filename for e in data.evidence[c.q["policy"].id]] == ["policy.pdf"]


def test_a_refused_file_keeps_the_answers_and_the_other_files(world, db):
    """Issue 16: a rejected evidence file no longer throws away the section's answers."""
    c = world.cycle
    _cycle, report, _exists = filling.my_report(world.rep_a, 2026)
    section = filling.load(report).sections[1]
    uploads = [(c.q["policy"], "x.pdf", b""), (c.q["policy"], "policy.pdf", PDF)]
    saved = filling.save_section(
        world.rep_a, report, section, {c.q["programme"].id: "None"}, "0", uploads
    )
    assert set(saved.file_errors) == {c.q["policy"].id}
    assert "x.pdf is empty" in saved.file_errors[c.q["policy"].id]
    data = filling.load(saved.report)
    assert data.values[c.q["programme"].id] == "None"
    assert [e.filename for e in data.evidence[c.q["policy"].id]] == ["policy.pdf"]


def test_invalid_answers_store_nothing_and_name_the_bad_files_too(world, db):
    c = world.cycle
    _cycle, report, _exists = filling.my_report(world.rep_a, 2026)
    section = filling.load(report).sections[1]
    with pytest.raises(filling.AnswersInvalid) as refused:
        filling.save_section(
            world.rep_a,
            report,
            section,
            {c.q["programme"].id: "not a choice"},
            "0",
            [(c.q["policy"], "x.pdf", b"")],
        )
    assert set(refused.value.errors) == {c.q["programme"].id}
    assert set(refused.value.file_errors) == {c.q["policy"].id}


def test_a_refused_submission_keeps_the_attestation(world, db):
    c = world.cycle
    _cycle, report, _exists = filling.my_report(world.rep_a, 2026)
    attestation = filling.Attestation("Grace Hopper", "CEO", "We support the charter.")
    outcome = filling.attest_and_submit(world.rep_a, report, attestation, "0", submit=True)
    assert outcome.version is None and outcome.refused is not None
    assert {i.anchor for i in outcome.refused.issues} >= {"authorised", f"q-{c.q['mfa'].id}"}
    assert outcome.report.officer_name == "Grace Hopper" and outcome.report.revision == 1
    assert db.session.scalar(select(ReportVersion.id)) is None


def test_attest_and_submit_submits(world, db):
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, raw(c), 0)
    filling.attach_evidence(world.rep_a, report, c.q["policy"], "policy.pdf", PDF)
    attestation = filling.Attestation("Grace Hopper", "CEO", "We support the charter.")
    outcome = filling.attest_and_submit(
        world.rep_a, report, attestation, report.revision, submit=True, authorised=True
    )
    assert outcome.refused is None and outcome.version.number == 1
    assert report.state == "submitted"


def test_a_stale_submission_is_a_plain_conflict(world, db, monkeypatch):
    """Changed between the attestation and the submission: the error page, like any other
    refusal of the submission, not the attestation's conflict view."""
    report = filling.get_or_start_report(world.rep_a, world.cycle, world.org_a)

    def stale(*_args, **_kwargs):
        raise filling.StaleDraft("changed", [], {}, 7)

    monkeypatch.setattr(filling.submission, "submit_report", stale)
    attestation = filling.Attestation("Grace Hopper", "CEO", "We support the charter.")
    with pytest.raises(Conflict) as error:
        filling.attest_and_submit(world.rep_a, report, attestation, "0", submit=True)
    assert not isinstance(error.value, filling.StaleDraft)
