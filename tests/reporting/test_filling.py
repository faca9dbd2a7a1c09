"""Filling in a report, as services: drafts, validation, conditions, progress, optimistic
locking, pledges, prefill, snapshots, versions and the receipt (issue 5, part A)."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app import clock
from app.core import signals
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.members.models import Pledge, PledgeUpdate
from app.reporting import cycles, filling, versions
from app.reporting.models import Answer, Report, ReportEdit, ReportVersion, SubmittedAnswer
from tests import factories
from tests.reporting.builders_filling import (  # noqa: F401  (fixtures)
    PDF,
    at,
    build_cycle,
    cycle,
    fill_and_submit,
    make_charter,
    raw,
    world,
)


def _answers(report):
    return {
        a.question_id: a.value
        for a in factories.db.session.scalars(select(Answer).where(Answer.report_id == report.id))
    }


def test_save_answers_stores_typed_values_and_bumps_revision(world, db):
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    assert report.revision == 0 and report.state == "draft"
    filling.save_answers(world.rep_a, report, raw(c), 0)
    assert report.revision == 1
    values = _answers(report)
    assert values[c.q["mfa"].id] is True
    assert values[c.q["mfa_share"].id] == 87.5
    assert values[c.q["frameworks"].id] == ["ISO 27001", "NIST CSF"]
    assert values[c.q["audit"].id] == "2026-02-01"
    edit = db.session.scalar(select(ReportEdit).where(ReportEdit.report_id == report.id))
    assert edit.revision == 1 and edit.by_user_id == world.rep_a.id
    assert edit.changes[str(c.q["contact"].id)] == {"old": None, "new": "Ada Lovelace"}
    # Saving the same values again changes nothing, not even the revision.
    filling.save_answers(world.rep_a, report, raw(c), 1)
    assert report.revision == 1
    # Clearing an answer removes it.
    filling.save_answers(world.rep_a, report, {c.q["contact"].id: "  "}, 1)
    assert c.q["contact"].id not in _answers(report) and report.revision == 2


def test_invalid_answers_store_nothing(world, db):
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, raw(c), 0)
    db.session.commit()
    before = _answers(report)
    with pytest.raises(filling.AnswersInvalid) as error:
        filling.save_answers(
            world.rep_a,
            report,
            {
                c.q["contact"].id: "New name",  # valid, but must not be stored either
                c.q["mfa_share"].id: "101",  # out of bounds
                c.q["policy_url"].id: "javascript:alert(1)",
                c.q["audit"].id: "2026-13-01",
                c.q["programme"].id: "Carrier pigeon",  # not offered
            },
            1,
        )
    assert set(error.value.errors) == {
        c.q[k].id for k in ("mfa_share", "policy_url", "audit", "programme")
    }
    assert "between 0 and 100" in error.value.errors[c.q["mfa_share"].id][0]
    db.session.rollback()
    report = db.session.get(Report, report.id)
    assert _answers(report) == before and report.revision == 1


def test_answers_to_another_questionnaire_are_refused(world, secretariat, db):
    other = build_cycle(secretariat, year=2027, open_it=False)
    report = filling.get_or_start_report(world.rep_a, world.cycle, world.org_a)
    with pytest.raises(filling.ForeignAnswers) as error:
        filling.save_answers(world.rep_a, report, {other.q["contact"].id: "Eve"}, 0)
    assert error.value.status_code == 400
    with pytest.raises(filling.ForeignAnswers):
        filling.save_answers(world.rep_a, report, {"999999": "Eve"}, 0)
    assert _answers(report) == {}


def test_only_the_organisations_representatives_edit(world, db):
    report = filling.get_or_start_report(world.rep_a, world.cycle, world.org_a)
    with pytest.raises(PermissionDenied):
        filling.save_answers(world.rep_b, report, raw(world.cycle), 0)
    with pytest.raises(PermissionDenied):
        filling.save_answers(world.sec, report, raw(world.cycle), 0)
    with pytest.raises(PermissionDenied):
        filling.get_or_start_report(world.rep_b, world.cycle, world.org_a)
    with pytest.raises(NotFound):
        filling.ensure_can_view(world.rep_b, report)
    filling.ensure_can_view(world.sec, report)


def test_stale_save_is_refused_with_what_changed(world, make_user, db):
    c = world.cycle
    colleague = make_user(role="representative", organisation=world.org_a, name="Bob Builder")
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, {c.q["contact"].id: "Ada"}, 0)  # rev 1
    filling.save_answers(
        colleague, report, {c.q["contact"].id: "Bob", c.q["mfa"].id: "no"}, 1
    )  # rev 2
    filling.set_attestation(colleague, report, "Grace", "CEO", "", 2)  # rev 3
    with pytest.raises(filling.StaleDraft) as error:
        filling.save_answers(world.rep_a, report, {c.q["contact"].id: "Ada L."}, 1)
    stale = error.value
    assert stale.status_code == 409 and stale.revision == 3
    assert "Bob Builder" in stale.message
    assert [ch["by"] for ch in stale.changes] == ["Bob Builder", "Bob Builder"]
    changed = {q["number"] for q in stale.changes[0]["questions"]}
    assert changed == {"1.1", "3.1"}
    assert stale.changes[1]["parts"] == ["the attestation"]
    # The value each answer had when the editor loaded the page (revision 1).
    assert stale.base_values == {c.q["contact"].id: "Ada", c.q["mfa"].id: None}
    assert _answers(report)[c.q["contact"].id] == "Bob"
    # Garbage revisions are stale too, never a crash.
    for bad in ("", "abc", None, "٣", -5):
        with pytest.raises(filling.StaleDraft):
            filling.save_answers(world.rep_a, report, {c.q["contact"].id: "x"}, bad)


def test_concurrent_claim_is_refused_at_the_database(world, db):
    """Two saves that both read revision 0: the second UPDATE finds revision 1 and fails."""
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, {c.q["contact"].id: "Ada"}, 0)
    report.revision = 0  # what a request that loaded the report earlier still believes
    db.session.flush()
    db.session.execute(Report.__table__.update().values(revision=1))
    with pytest.raises(filling.StaleDraft):
        filling.claim_revision(world.rep_a, report, 0)


def test_a_save_whose_claim_fails_writes_nothing(world, db):
    """The request read revision 1, but another save took revision 2 before this one's claim:
    the save is refused and no answer (changed, new or removed) and no edit-log entry is
    written. On PostgreSQL the claim and the writes are one statement, each write conditional
    on the claim; on SQLite the writes come after a successful claim."""
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, {c.q["contact"].id: "Ada", c.q["mfa"].id: "yes"}, 0)
    db.session.execute(
        Report.__table__.update().where(Report.id == report.id).values(revision=2)
    )  # another request's claim
    assert report.revision == 1  # what this request still believes
    with pytest.raises(filling.StaleDraft) as error:
        filling.save_answers(
            world.rep_a,
            report,
            {c.q["contact"].id: "Grace", c.q["mfa"].id: "", c.q["approach"].id: "New."},
            1,
        )
    assert error.value.revision == 2
    assert _answers(report) == {c.q["contact"].id: "Ada", c.q["mfa"].id: True}
    assert db.session.scalars(
        select(ReportEdit.revision).where(ReportEdit.report_id == report.id)
    ).all() == [1]


def test_conditions_and_progress(world, db):
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    data = filling.load(report)
    # Required and shown: mfa, approach, programme, policy (evidence), contact. mfa_share is
    # required but hidden until "yes".
    assert data.progress() == (0, 5)
    filling.save_answers(world.rep_a, report, {c.q["mfa"].id: "yes"}, 0)
    data = filling.load(report)
    assert data.shown[c.q["mfa_share"].id] is True
    assert data.progress() == (1, 6)
    assert data.progress(data.sections[0]) == (1, 3)
    filling.save_answers(world.rep_a, report, {c.q["mfa"].id: "no", c.q["mfa_share"].id: "50"}, 1)
    data = filling.load(report)
    assert data.shown[c.q["mfa_share"].id] is False
    assert data.progress() == (1, 5)  # the hidden answer counts for nothing
    filling.attach_evidence(world.rep_a, report, c.q["policy"], "policy.pdf", PDF)
    assert filling.load(report).progress() == (2, 5)


def test_submission_lists_every_problem(world, db):
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, raw(c, approach=None, contact=None), 0)
    with pytest.raises(filling.SubmissionIncomplete) as error:
        filling.submit_report(world.rep_a, report, authorised=False)
    issues = error.value.issues
    by_anchor = {i.anchor: i for i in issues}
    assert f"q-{c.q['approach'].id}" in by_anchor
    assert by_anchor[f"q-{c.q['approach'].id}"].section_index == 1
    assert by_anchor[f"q-{c.q['policy'].id}"].message == "Attach at least one file."
    assert by_anchor[f"q-{c.q['contact'].id}"].section_index == 3
    assert {"officer_name", "officer_title", "support_statement", "authorised"} <= set(by_anchor)
    assert db.session.scalar(select(ReportVersion.id)) is None


def test_submit_freezes_a_snapshot_and_emails_a_receipt(world, db, mailbox, make_user):
    c = world.cycle
    make_user(role="representative", organisation=world.org_a, email="second@alpha.example")
    received = []

    def receiver(sender, actor):
        received.append((sender, actor))

    signals.report_submitted.connect(receiver)
    try:
        version = fill_and_submit(world.rep_a, c, mfa="no")
    finally:
        signals.report_submitted.disconnect(receiver)
    report = version.report
    assert received == [(version, world.rep_a)]
    assert report.state == "submitted" and report.current_version_id == version.id
    assert version.number == 1 and not version.is_late and not report.is_late
    snap = version.snapshot
    assert snap["schema"] == 1
    assert snap["cycle"] == {"id": c.id, "year": 2026, "title": "2026 reporting cycle"}
    assert snap["organisation"]["slug"] == world.org_a.slug
    assert snap["questionnaire_hash"] == version.questionnaire_hash
    assert version.questionnaire_hash == cycles.questionnaire_hash(cycles.load_questionnaire(c))
    flat = {q["id"]: q for s in snap["sections"] for q in s["questions"]}
    mfa = flat[c.q["mfa"].id]
    assert (mfa["value"], mfa["display"], mfa["shown"], mfa["is_public"]) == (
        False,
        "No",
        True,
        True,
    )
    share = flat[c.q["mfa_share"].id]
    assert share["shown"] is False and share["value"] is None  # hidden: not part of the report
    policy = flat[c.q["policy"].id]
    assert policy["value"] is None
    assert policy["evidence"][0]["filename"] == "policy.pdf"
    assert policy["evidence"][0]["content_type"] == "application/pdf"
    assert snap["attestation"]["officer_name"] == "Grace Hopper"
    assert snap["attestation"]["submitted_by"]["id"] == world.rep_a.id
    rows = db.session.scalars(
        select(SubmittedAnswer).where(SubmittedAnswer.version_id == version.id)
    ).all()
    assert {r.question_id: r.value for r in rows}[c.q["frameworks"].id] == ["ISO 27001", "NIST CSF"]
    assert len(rows) == len(flat)
    db.session.commit()  # mail goes out after the commit
    messages = mailbox.wait(1)
    assert len(messages) == 1
    message = messages[0]
    assert "rep@alpha.example" in message["To"] and "second@alpha.example" in message["To"]
    assert "Receipt" in message["Subject"] and "Alpha Org" in message["Subject"]
    [(name, ctype, pdf)] = mailbox.attachments(message)
    assert ctype == "application/pdf" and name == "alpha-org-report-2026-v1.pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Alpha Org" in text and "Describe how you protect users." in text
    assert "Grace Hopper" in text
    assert f"/reports/2026/{world.org_a.slug}/versions/1" in mailbox.body(message)


def test_corrections_make_new_versions_and_pledge_history(world, db):
    c = world.cycle
    pledge = Pledge(organisation_id=world.org_a.id, title="Ship MFA by default", status="planned")
    db.session.add(pledge)
    db.session.flush()
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_pledges(world.rep_a, report, {pledge.id: ("in_progress", "Half the products")}, 0)
    first = fill_and_submit(world.rep_a, c)
    assert pledge.status == "in_progress"
    updates = db.session.scalars(
        select(PledgeUpdate).where(PledgeUpdate.pledge_id == pledge.id)
    ).all()
    assert [(u.status, u.note, u.report_version_id) for u in updates] == [
        ("in_progress", "Half the products", first.id)
    ]
    report = first.report
    filling.save_answers(world.rep_a, report, {c.q["contact"].id: "Grace"}, report.revision)
    second = filling.submit_report(world.rep_a, report, authorised=True)
    assert second.number == 2 and report.current_version_id == second.id
    assert first.snapshot["sections"][2]["questions"][0]["value"] == "Ada Lovelace"  # unchanged
    # An unchanged pledge statement is not recorded twice.
    assert (
        db.session.scalar(
            select(PledgeUpdate.id).where(PledgeUpdate.report_version_id == second.id)
        )
        is None
    )
    changes = versions.change_summary(versions.compare_snapshots(first.snapshot, second.snapshot))
    assert [(ch["number"], ch["before"], ch["after"]) for ch in changes] == [
        ("3.1", "Ada Lovelace", "Grace")
    ]


def test_late_submission_uses_the_organisations_own_due_date(world, db):
    clock.freeze(at(dt.date(2026, 4, 2)))
    version = fill_and_submit(world.rep_a, world.cycle)
    assert version.is_late and version.report.is_late


def test_no_submission_when_the_cycle_is_not_open(world, secretariat, db):
    report = filling.get_or_start_report(world.rep_a, world.cycle, world.org_a)
    cycles.close_cycle(secretariat, world.cycle)
    with pytest.raises(Conflict, match="closed"):
        filling.submit_report(world.rep_a, report, authorised=True)
    with pytest.raises(Conflict, match="closed"):
        filling.save_answers(world.rep_a, report, raw(world.cycle), 0)
    draft = build_cycle(secretariat, year=2027, open_it=False)
    with pytest.raises(Conflict, match="not open yet"):
        filling.get_or_start_report(world.rep_a, draft, world.org_a)


def test_organisations_outside_the_cycle_cannot_start(world, db):
    ngo = factories.make_org(name="An NGO", category="civil_society")
    rep = factories.make_user(role="representative", organisation=ngo)
    with pytest.raises(NotFound):
        filling.get_or_start_report(rep, world.cycle, ngo)


def test_pledges_section_and_new_pledge(world, db):
    c = world.cycle
    old = Pledge(organisation_id=world.org_a.id, title="Old and done", status="achieved")
    mine = Pledge(organisation_id=world.org_a.id, title="Patch faster", status="in_progress")
    theirs = Pledge(organisation_id=world.org_b.id, title="Not yours", status="planned")
    db.session.add_all([old, mine, theirs])
    db.session.flush()
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    data = filling.load(report)
    assert [p.title for p in data.pledges] == ["Patch faster"]
    with pytest.raises(ValidationFailed):
        filling.save_pledges(world.rep_a, report, {theirs.id: ("achieved", "")}, 0)
    with pytest.raises(ValidationFailed) as error:
        filling.save_pledges(world.rep_a, report, {mine.id: ("finished", "")}, 0)
    assert f"status-{mine.id}" in error.value.errors
    charter = make_charter(db)
    principle = charter.texts[0].principle_id
    created = filling.add_pledge(
        world.rep_a,
        report,
        "  Publish a transparency report ",
        "A report a year",
        dt.date(2026, 12, 31),
        [principle],
        "Yearly.",
        True,
    )
    assert created.organisation_id == world.org_a.id
    assert created.title == "Publish a transparency report" and created.status == "planned"
    assert report.revision == 1
    with pytest.raises(ValidationFailed) as error:  # the members domain's pledge rules
        filling.add_pledge(world.rep_a, report, "", "", None, [])
    assert {"title", "indicator", "target_date", "principle_ids"} <= set(error.value.errors)
    with pytest.raises(PermissionDenied):
        filling.add_pledge(world.rep_b, report, "x", "y", dt.date(2026, 12, 31), [principle])
    filling.save_pledges(
        world.rep_a, report, {mine.id: ("achieved", "All patched in 48h")}, report.revision
    )
    data = filling.load(report)
    assert [p.title for p in data.pledges] == ["Patch faster", "Publish a transparency report"]
    snapshot = filling.build_snapshot(report, data=data)
    assert [(p["title"], p["status"], p["note"]) for p in snapshot["pledges"]] == [
        ("Patch faster", "achieved", "All patched in 48h"),
        ("Publish a transparency report", "planned", ""),
    ]


def test_prefill_copies_unchanged_questions_only(world, secretariat, db):
    cycles.close_cycle(secretariat, world.cycle)  # not part of this story
    last_year = build_cycle(secretariat, year=2025)
    clock.freeze(at(dt.date(2025, 2, 1)))
    fill_and_submit(world.rep_a, last_year)
    cycles.close_cycle(secretariat, last_year)
    this_year = cycles.create_cycle(
        secretariat, 2027, "", dt.date(2027, 1, 10), dt.date(2027, 3, 31), categories=["company"]
    )
    cycles.copy_questionnaire(secretariat, last_year, this_year)
    copied = {q.lineage: q for q in cycles.ordered_questions(cycles.load_questionnaire(this_year))}
    q = {key: copied[question.lineage] for key, question in last_year.q.items()}
    # The secretariat rewords one question and changes another's type.
    cycles.update_question(
        secretariat, q["contact"], "Who is your contact person?", "short_text", required=True
    )
    cycles.update_question(secretariat, q["audit"], "When was your last audit?", "short_text")
    cycles.add_question(secretariat, q["contact"].section, "A brand new question", "yes_no")
    cycles.open_cycle(secretariat, this_year)
    clock.freeze(at(dt.date(2027, 2, 1)))
    report = filling.get_or_start_report(world.rep_a, this_year, world.org_a)
    filling.save_answers(world.rep_a, report, {q["programme"].id: "Email address"}, 0)
    count = filling.prefill_from_last_year(world.rep_a, report, report.revision)
    values = _answers(report)
    assert values[q["mfa"].id] is True and values[q["mfa_share"].id] == 87.5
    assert values[q["programme"].id] == "Email address"  # never overwritten
    assert q["contact"].id not in values and q["audit"].id not in values  # changed questions
    data = filling.load(report)
    assert [e.filename for e in data.evidence[q["policy"].id]] == ["policy.pdf"]
    assert report.officer_name == "Grace Hopper" and report.support_statement == ""
    assert count == 6  # mfa, mfa_share, approach, policy_url, frameworks + the evidence
    assert filling.prefill_from_last_year(world.rep_a, report, report.revision) == 0
    with pytest.raises(filling.StaleDraft):
        filling.prefill_from_last_year(world.rep_a, report, 0)


def test_prefill_without_an_earlier_report(world, db):
    report = filling.get_or_start_report(world.rep_a, world.cycle, world.org_a)
    with pytest.raises(ValidationFailed, match="no submitted report"):
        filling.prefill_from_last_year(world.rep_a, report, 0)


def test_public_snapshot_shows_only_public_answers(world, db):
    version = fill_and_submit(world.rep_a, world.cycle)
    public = filling.public_snapshot(version.snapshot)
    texts = [q["text"] for s in public["sections"] for q in s["questions"]]
    assert texts == [
        "Do you offer multi-factor authentication?",
        "How do you receive vulnerability reports?",
    ]
    assert "submitted_by" not in public["attestation"]


def test_draft_survives_other_sessions(world, make_user, db):
    """A draft is server state: a second representative (or a new login) sees it."""
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, {c.q["contact"].id: "Ada"}, 0)
    db.session.commit()
    db.session.expire_all()
    colleague = make_user(role="representative", organisation=world.org_a)
    again = filling.get_or_start_report(colleague, c, world.org_a)
    assert again.id == report.id
    assert filling.load(again).values[c.q["contact"].id] == "Ada"
