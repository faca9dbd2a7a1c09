"""A submission's transaction lays out no PDF: the receipt's copy is rendered by the mail
deliverer after the commit, and the receipt still arrives with it (the deadline day)."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import io
import json
import sqlite3
import threading

import pytest
from flask_babel import refresh
from pypdf import PdfReader
from sqlalchemy import select, text

from app.mail.deferred import RENDER_LATER
from app.mail.models import OutboxAttachment, OutboxMessage
from app.reporting import cycles, filling
from app.reporting.filling import notifications, submission
from app.reporting.models import ReportVersion
from tests.conftest import csrf_token, login_as
from tests.reporting.builders_filling import (  # noqa: F401  (fixtures)
    PDF,
    cycle,
    fill_and_submit,
    raw,
    world,
)

WAIT = 30  # seconds: a safety net against a hang, never a timing assertion


def _committed(db, version_id: int) -> bool:
    """Seen from another connection, i.e. committed."""
    with db.engine.connect() as other:
        found = other.execute(
            text("SELECT id FROM report_versions WHERE id = :id"), {"id": version_id}
        ).scalar()
        other.rollback()
    return found is not None


def _nobody_holds_the_write_lock(db) -> bool:
    if db.engine.dialect.name != "sqlite":
        return True  # PostgreSQL has row locks; the commit check above is the proof there
    probe = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")  # fails at once while another writer holds it
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


@pytest.fixture
def spy_renderer(monkeypatch, db):
    """Record, for every receipt PDF laid out, whether its version was committed by then
    and whether the database's write lock was free."""
    calls = []
    real = notifications.report_pdf

    def spy(version):
        calls.append((_committed(db, version.id), _nobody_holds_the_write_lock(db)))
        return real(version)

    monkeypatch.setattr(notifications, "report_pdf", spy)
    return calls


def test_the_submission_commits_before_the_receipt_pdf_is_laid_out(
    world, db, mailbox, spy_renderer
):
    version = fill_and_submit(world.rep_a, world.cycle)
    assert spy_renderer == []  # nothing laid out inside the transaction
    [attachment] = db.session.scalars(select(OutboxAttachment)).all()
    assert attachment.content_type == RENDER_LATER  # the recipe, written with the version
    assert json.loads(attachment.data)["params"] == {"version_id": version.id}
    db.session.commit()
    [message] = mailbox.wait(1)
    assert spy_renderer == [(True, True)]  # after the commit, with the lock free
    [(name, ctype, pdf)] = mailbox.attachments(message)
    assert ctype == "application/pdf" and name == "alpha-org-report-2026-v1.pdf"
    assert "Alpha Org" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    db.session.expire_all()
    [stored] = db.session.scalars(select(OutboxAttachment)).all()
    assert stored.content_type == "application/pdf" and stored.data == pdf  # kept for retries


def test_a_rolled_back_submission_lays_out_nothing_and_sends_nothing(
    world, db, mailbox, spy_renderer
):
    fill_and_submit(world.rep_a, world.cycle)
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.id)) is None
    assert db.session.scalar(select(ReportVersion.id)) is None
    assert spy_renderer == [] and mailbox.messages == []


def test_the_receipt_pdf_is_in_the_language_the_mail_was_written_in(app, world, db, mailbox):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        refresh()
        fill_and_submit(world.rep_a, world.cycle)
        [attachment] = db.session.scalars(select(OutboxAttachment)).all()
        locale = json.loads(attachment.data)["locale"]
    db.session.commit()
    [message] = mailbox.wait(1)
    assert locale == "fr"
    [(_name, _ctype, pdf)] = mailbox.attachments(message)
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Rapport 2026, version 1" in pdf_text  # laid out in French by the deliverer


def test_a_submission_and_a_draft_save_at_once_both_succeed(app, world, db, mailbox, monkeypatch):
    """While one organisation's receipt PDF is being laid out, another organisation saves
    its draft: the save must not wait for the layout (it used to hold the write lock)."""
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, raw(c), report.revision)
    filling.attach_evidence(world.rep_a, report, c.q["policy"], "policy.pdf", PDF)
    db.session.commit()
    revision, mfa_field = report.revision, f"q-{c.q['mfa'].id}"  # no ORM access in threads
    submitter, saver = app.test_client(), app.test_client()
    login_as(submitter, world.rep_a)
    login_as(saver, world.rep_b)
    submit_token = csrf_token(submitter, "/my/reports/2026/submit")
    save_token = csrf_token(saver, "/my/reports/2026")

    rendering, saved = threading.Event(), threading.Event()
    real = notifications.report_pdf

    def slow_layout(version):
        rendering.set()
        saved.wait(WAIT)  # the layout goes on while the other request saves
        return real(version)

    monkeypatch.setattr(notifications, "report_pdf", slow_layout)
    statuses = {}

    def submit():
        statuses["submit"] = submitter.post(
            "/my/reports/2026/submit",
            data={
                "csrf_token": submit_token,
                "base_revision": str(revision),
                "officer_name": "Grace Hopper",
                "officer_title": "CEO",
                "support_statement": "We support the charter.",
                "authorised": "y",
                "action": "submit",
            },
        ).status_code

    def save():
        rendering.wait(WAIT)
        try:
            statuses["save"] = saver.post(
                "/my/reports/2026/sections/1/autosave",
                data={
                    "csrf_token": save_token,
                    "base_revision": "0",
                    mfa_field: "yes",
                },
                headers={"Accept": "application/json"},
            ).status_code
        finally:
            saved.set()

    threads = [threading.Thread(target=submit), threading.Thread(target=save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert rendering.is_set()  # the layout did happen while the draft was saved
    assert statuses == {"submit": 302, "save": 200}
    [message] = mailbox.wait(1)
    assert [a[1] for a in mailbox.attachments(message)] == ["application/pdf"]
    db.session.expire_all()
    assert filling.find_report(cycles.get_cycle(2026), world.org_a.id).state == "submitted"
    assert filling.find_report(cycles.get_cycle(2026), world.org_b.id).revision == 1


def test_a_submission_with_an_unchanged_attestation_holds_the_write_lock_before_it_reads(
    world, db, monkeypatch
):
    """Its first write (the revision claim) comes after a SAVEPOINT and the report's reads.
    On SQLite a SAVEPOINT outside a transaction began a deferred one, whose read snapshot
    could not be upgraded once another writer had committed: "database is locked" at once,
    with no busy wait. Now the SAVEPOINT begins with the write lock (`app.db`)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's lock upgrade")

    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, raw(c), report.revision)
    filling.attach_evidence(world.rep_a, report, c.q["policy"], "policy.pdf", PDF)
    attestation = filling.Attestation("Grace Hopper", "CEO", "We support the charter.")
    filling.set_attestation(world.rep_a, report, *attestation.__dict__.values(), report.revision)
    db.session.commit()
    seen = []
    real_load = submission.load

    def load_while_another_writes(*args, **kwargs):
        seen.append(_nobody_holds_the_write_lock(db))  # would another writer get in now?
        return real_load(*args, **kwargs)

    monkeypatch.setattr(submission, "load", load_while_another_writes)
    outcome = filling.attest_and_submit(
        world.rep_a, report, attestation, report.revision, submit=True, authorised=True
    )
    assert seen == [False]  # the submission held the lock while it read
    assert outcome.version is not None
    db.session.commit()
