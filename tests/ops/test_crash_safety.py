"""A worker killed with SIGKILL in the middle of a change leaves the whole change or none of
it: a report submission (no version without its answers, no receipt without a version), the
approval of an application, the publication of a charter version.

The change runs in a separate process (`tests/ops/crash_child.py`) against this test run's
database (a SQLite file, or PostgreSQL with PACTUM_TEST_DATABASE_URL), which pauses at a
named point of its transaction: after its first write, after a given INSERT, just before
the COMMIT. The test kills it there, then reads what the database kept; finally it runs
the same change to its end, which proves the paused change was a real, complete one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import clock
from app.accounts.models import User
from app.charter import services as charter
from app.charter.models import CharterVersion
from app.core.models import AuditEvent
from app.mail.models import OutboxMessage
from app.members.models import Application, Endorsement, Organisation
from app.reporting import filling
from app.reporting.models import Report, ReportVersion, SubmittedAnswer
from app.reporting.models.reports import ReportState
from tests import factories
from tests.charter.builders import publish_charter
from tests.members.builders import make_application
from tests.reporting.builders_filling import PDF, at, build_cycle, raw

pytestmark = pytest.mark.slow  # a child process (the whole app) per pause

ROOT = Path(__file__).resolve().parents[2]
NOW = at(dt.date(2026, 2, 20))
START_TIMEOUT = 90  # seconds for the child to reach its pause (it imports the whole app)


def run_child(database_url: str, action: str, pause: str, args: dict, tmp_path: Path) -> str:
    """Run the action in a child process; with a pause, kill it there with SIGKILL and
    return the statement it was about to run. Without one, wait for it to succeed."""
    marker = tmp_path / f"paused-{action}-{pause.replace(':', '-')}"
    log_path = tmp_path / f"child-{action}-{pause.replace(':', '-')}.log"
    log = log_path.open("w")
    payload = json.dumps({**args, "now": NOW.isoformat()})
    command = [sys.executable, "-m", "tests.ops.crash_child", action, pause, str(marker)]
    child = subprocess.Popen(
        [*command, database_url, payload],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        if pause == "none":
            assert child.wait(timeout=START_TIMEOUT) == 0, log_path.read_text()
            return ""
        deadline = time.monotonic() + START_TIMEOUT
        while not marker.exists():
            assert child.poll() is None, f"ended before its pause:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, "the child never reached its pause"
            time.sleep(0.05)
        time.sleep(0.05)  # the marker is written; let the write finish
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        return marker.read_text()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        log.close()


def count(db, model, *where) -> int:
    db.session.rollback()  # a fresh transaction: read what the child committed, if anything
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audited(db, action: str) -> int:
    return count(db, AuditEvent, AuditEvent.action == action)


# A report submission -------------------------------------------------------------------------


@pytest.fixture
def draft(db, secretariat, org_a, rep_a):
    """Org A's complete, attested draft, ready to submit."""
    clock.freeze(at(dt.date(2026, 2, 1)))
    cycle = build_cycle(secretariat)
    report = filling.get_or_start_report(rep_a, cycle, org_a)
    filling.save_answers(rep_a, report, raw(cycle), report.revision)
    filling.attach_evidence(rep_a, report, cycle.q["policy"], "policy.pdf", PDF)
    filling.set_attestation(
        rep_a, report, "Grace Hopper", "Chief Executive Officer", "We commit.", report.revision
    )
    db.session.commit()
    clock.freeze(None)
    return {"user": rep_a.id, "report": report.id, "revision": report.revision}


def _submission_untouched(db, draft) -> None:
    report = db.session.get(Report, draft["report"], populate_existing=True)
    assert report.state == ReportState.DRAFT
    assert report.current_version_id is None and report.revision == draft["revision"]
    assert count(db, ReportVersion) == 0
    assert count(db, SubmittedAnswer) == 0
    assert count(db, OutboxMessage) == 0  # no receipt
    assert audited(db, "report.submitted") == 0


def test_a_killed_submission_leaves_the_untouched_draft(db, draft, database_url, tmp_path):
    # After the version's INSERT (before its answers'), before the receipt's, at the COMMIT.
    for pause in ("after:report_versions", "before:outbox_messages", "commit"):
        assert run_child(database_url, "submit", pause, draft, tmp_path)
        _submission_untouched(db, draft)
    # The same submission, left to finish, is whole: the version, its answers, the receipt.
    run_child(database_url, "submit", "none", draft, tmp_path)
    report = db.session.get(Report, draft["report"], populate_existing=True)
    assert report.state == ReportState.SUBMITTED and report.current_version_id is not None
    version = db.session.get(ReportVersion, report.current_version_id)
    questions = sum(len(s["questions"]) for s in version.snapshot["sections"])
    assert count(db, SubmittedAnswer, SubmittedAnswer.version_id == version.id) == questions > 0
    receipts = db.session.scalars(select(OutboxMessage)).all()
    assert [m.recipients for m in receipts] == [["rep@alpha.example"]]
    assert audited(db, "report.submitted") == 1


# The approval of an application ------------------------------------------------------------


@pytest.fixture
def application(db, secretariat):
    version = publish_charter(secretariat)
    org = factories.make_org(name="Applicant Org", status="applicant")
    pending = make_application(org, version)
    db.session.commit()
    return {
        "user": secretariat.id,
        "application": pending.id,
        "organisation": org.id,
        "invite_email": "contact@applicant.example",
    }


def test_a_killed_approval_leaves_the_application_pending(db, application, database_url, tmp_path):
    users_before = count(db, User)
    mail_before = count(db, OutboxMessage)
    for pause in ("first-write", "commit"):
        assert run_child(database_url, "approve", pause, application, tmp_path)
        pending = db.session.get(Application, application["application"], populate_existing=True)
        assert pending.state == "pending" and pending.decided_at is None
        org = db.session.get(Organisation, application["organisation"], populate_existing=True)
        assert org.status == "applicant"
        assert count(db, Endorsement, Endorsement.organisation_id == org.id) == 0
        assert count(db, User) == users_before  # nobody invited
        assert count(db, OutboxMessage) == mail_before
        assert audited(db, "application.approved") == 0
    run_child(database_url, "approve", "none", application, tmp_path)
    pending = db.session.get(Application, application["application"], populate_existing=True)
    org = db.session.get(Organisation, application["organisation"], populate_existing=True)
    assert pending.state == "approved" and org.status == "active"
    assert count(db, Endorsement, Endorsement.organisation_id == org.id) == 1
    assert count(db, User) == users_before + 1
    assert count(db, OutboxMessage) > mail_before  # the invitation
    assert audited(db, "application.approved") == 1


# The publication of a charter version --------------------------------------------------------


@pytest.fixture
def charter_draft(db, secretariat, org_a, rep_a):
    publish_charter(secretariat)
    draft = charter.start_draft(secretariat)
    charter.update_draft(
        secretariat,
        draft.id,
        title="The Test Accord",
        preamble_md="We commit to **this**, again.",
        change_summary="Second version.",
    )
    db.session.commit()
    return {"user": secretariat.id, "version": draft.id, "effective": "2026-06-01"}


def test_a_killed_publication_leaves_the_draft(db, charter_draft, database_url, tmp_path):
    mail_before = count(db, OutboxMessage)
    for pause in ("first-write", "commit"):
        assert run_child(database_url, "publish", pause, charter_draft, tmp_path)
        version = db.session.get(CharterVersion, charter_draft["version"], populate_existing=True)
        assert version.status == "draft" and version.published_at is None
        assert count(db, OutboxMessage) == mail_before  # nobody asked to endorse it
        assert audited(db, "charter.published") == 1  # version 1's, not this one's
    run_child(database_url, "publish", "none", charter_draft, tmp_path)
    version = db.session.get(CharterVersion, charter_draft["version"], populate_existing=True)
    assert version.status == "published"
    assert count(db, OutboxMessage) == mail_before + 1  # rep A: please endorse version 2
    assert audited(db, "charter.published") == 2
