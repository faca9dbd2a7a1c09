"""Deadline rules with a controllable clock: reminders, non-communicating, delisting.

The cycle: opens 2026-01-10, due 2026-03-31, 14 days of grace (last day 2026-04-14),
reminders 30, 7 and 1 days before the due date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app import clock
from app.members.models import StatusChange
from app.members.services import change_status
from app.reporting.deadlines import delisting_deadline, extensions, run_tick
from app.reporting.models import DeadlineEvent, ReminderLog, ReportingCycle
from tests.reporting.builders_review import (  # noqa: F401  (fixtures)
    at,
    fast_receipts,
    make_cycle,
    make_member,
    submit,
)

pytestmark = pytest.mark.usefixtures("fast_receipts")  # services need no request

D = dt.date


@pytest.fixture
def cycle(secretariat):
    return make_cycle(secretariat)


@pytest.fixture
def delist_after(app):
    """Set DELIST_AFTER_DAYS for one test."""
    original = app.config["DELIST_AFTER_DAYS"]

    def set_days(days: int):
        app.config["DELIST_AFTER_DAYS"] = days

    yield set_days
    app.config["DELIST_AFTER_DAYS"] = original


def tick(db, day: dt.date, hour: int = 6):
    """What cron would do on `day`: run the rules and commit (emails go out)."""
    clock.freeze(at(day, hour))
    summary = run_tick()
    db.session.commit()
    return summary


def days(start: dt.date, end: dt.date):
    while start <= end:
        yield start
        start += dt.timedelta(days=1)


def subjects(mailbox, address: str) -> list[str]:
    return [m["Subject"] for m in mailbox.to(address)]


def status_of(db, org) -> str:
    db.session.refresh(org)
    return org.status


# Reminders -----------------------------------------------------------------------------------


def test_reminders_go_once_at_each_offset(db, cycle, org_a, rep_a, org_b, rep_b, mailbox):
    charity, charity_rep = make_member("Charity", category="civil_society")
    sent_on = {}
    for day in days(D(2026, 2, 20), D(2026, 4, 5)):
        if day == D(2026, 3, 20):
            clock.freeze(at(day, 10))
            submit(rep_b, cycle)
            db.session.commit()
        before = len(mailbox.to("rep@alpha.example"))
        tick(db, day)
        tick(db, day, hour=18)  # cron runs several times a day: nothing new
        if len(mailbox.to("rep@alpha.example")) > before:
            sent_on[day] = subjects(mailbox, "rep@alpha.example")[-1]
    assert sent_on == {
        D(2026, 3, 1): "Your 2026 report is due in 30 days",
        D(2026, 3, 24): "Your 2026 report is due in 7 days",
        D(2026, 3, 30): "Your 2026 report is due tomorrow",
    }
    reminders_b = [s for s in subjects(mailbox, "rep@beta.example") if "is due" in s]
    assert reminders_b == ["Your 2026 report is due in 30 days"]  # then it submitted
    assert mailbox.to(charity_rep.email) == []
    rows = db.session.execute(
        select(ReminderLog.offset_days, ReminderLog.days_left, ReminderLog.due_on)
        .where(ReminderLog.organisation_id == org_a.id)
        .order_by(ReminderLog.sent_at)
    ).all()
    assert [tuple(r) for r in rows] == [
        (30, 30, D(2026, 3, 31)),
        (7, 7, D(2026, 3, 31)),
        (1, 1, D(2026, 3, 31)),
    ]
    body = mailbox.body(mailbox.to("rep@alpha.example")[0])
    assert "March 31, 2026" in body and "/my/extensions/2026" in body


def test_a_missed_cron_catches_up_without_stale_reminders(db, cycle, org_a, rep_a, mailbox):
    assert tick(db, D(2026, 2, 28)).count("reminder") == 0  # 31 days left: too early
    # Cron was down from March 1st to March 26th: 5 days left on the 26th.
    summary = tick(db, D(2026, 3, 26))
    assert summary.count("reminder") == 1
    assert subjects(mailbox, "rep@alpha.example") == ["Your 2026 report is due in 5 days"]
    assert db.session.scalar(select(ReminderLog.offset_days)) == 7
    assert tick(db, D(2026, 3, 27)).count("reminder") == 0
    tick(db, D(2026, 3, 31))  # missed the 30th too: due today
    assert subjects(mailbox, "rep@alpha.example")[-1] == "Your 2026 report is due today"
    assert tick(db, D(2026, 4, 1)).count("reminder") == 0  # past due: no more reminders


def test_no_reminder_for_a_date_before_the_cycle_opened(db, secretariat, org_a, rep_a, mailbox):
    late = make_cycle(secretariat, opens_on=D(2026, 3, 15), due_on=D(2026, 3, 31))
    assert late.opened_at.date() == D(2026, 3, 15)
    assert tick(db, D(2026, 3, 15)).count("reminder") == 0  # the 30-day one predates opening
    assert tick(db, D(2026, 3, 24)).count("reminder") == 1


def test_reminders_wait_for_someone_to_read_them(db, cycle, org_a, mailbox):
    assert tick(db, D(2026, 3, 1)).count("reminder") == 0  # nobody can log in for org A yet
    assert db.session.scalar(select(func.count(ReminderLog.id))) == 0
    from tests import factories

    factories.make_user(role="representative", organisation=org_a, email="late@alpha.example")
    db.session.commit()
    assert tick(db, D(2026, 3, 2)).count("reminder") == 1
    assert subjects(mailbox, "late@alpha.example") == ["Your 2026 report is due in 29 days"]


# Non-communicating ---------------------------------------------------------------------------------


def test_non_communicating_after_grace_and_lifted_by_a_late_submission(
    db, cycle, org_a, rep_a, org_b, rep_b, mailbox
):
    newcomer, _rep = make_member("Newcomer", joined_on=D(2026, 2, 1))
    submit(rep_b, cycle, when=D(2026, 4, 10))  # late, within the grace period
    db.session.commit()
    assert tick(db, D(2026, 4, 14)).count("non_communicating") == 0  # last day of grace
    summary = tick(db, D(2026, 4, 15))
    assert [a.organisation for a in summary.actions if a.kind == "non_communicating"] == [
        "Alpha Org"
    ]
    assert status_of(db, org_a) == "non_communicating"
    assert status_of(db, org_b) == "active"
    assert status_of(db, newcomer) == "active"  # joined after the cycle opened
    change = db.session.scalar(
        select(StatusChange)
        .where(StatusChange.organisation_id == org_a.id)
        .order_by(StatusChange.id.desc())
    )
    assert change.by_user_id is None and change.is_public
    assert change.public_reason == "Did not report for 2026"
    assert "due on 2026-03-31" in change.reason and "2026-04-14" in change.reason
    assert (
        subjects(mailbox, "rep@alpha.example")[-1] == "Alpha Org is now listed as non-communicating"
    )
    # Idempotent: the same day, or any later day, changes nothing more.
    assert not tick(db, D(2026, 4, 15)).changed
    assert not tick(db, D(2026, 5, 1)).changed
    # A late submission brings it back.
    clock.freeze(at(D(2026, 5, 3), 10))
    submit(rep_a, cycle)
    db.session.commit()
    assert status_of(db, org_a) == "active"
    back = db.session.scalar(
        select(StatusChange)
        .where(StatusChange.organisation_id == org_a.id)
        .order_by(StatusChange.id.desc())
    )
    assert (back.from_status, back.to_status) == ("non_communicating", "active")
    assert back.public_reason == "Reported for 2026" and back.by_user_id is None
    assert "Alpha Org is active again" in subjects(mailbox, "rep@alpha.example")
    event = db.session.scalar(select(DeadlineEvent))
    assert event.resolved_at is not None
    # Never non-communicating again for this cycle, never delisted for it.
    assert not tick(db, D(2026, 6, 1)).changed
    assert tick(db, D(2027, 1, 2)).count("delisted") == 0
    assert status_of(db, org_a) == "active"


def test_delisted_at_the_end_of_the_year(db, cycle, org_a, rep_a, mailbox):
    tick(db, D(2026, 4, 15))
    assert status_of(db, org_a) == "non_communicating"
    assert tick(db, D(2026, 12, 31), hour=23).count("delisted") == 0
    summary = tick(db, D(2027, 1, 1))
    assert summary.count("delisted") == 1
    assert status_of(db, org_a) == "delisted"
    change = db.session.scalar(
        select(StatusChange)
        .where(StatusChange.organisation_id == org_a.id)
        .order_by(StatusChange.id.desc())
    )
    assert change.public_reason == "Delisted: did not report for 2026" and change.is_public
    assert subjects(mailbox, "rep@alpha.example")[-1] == "Alpha Org has been delisted"
    assert not tick(db, D(2027, 1, 1), hour=12).changed
    # Every organisation's last date has passed: the cycle is done and skipped from now on.
    assert summary.count("processed") == 1
    assert db.session.get(ReportingCycle, cycle.id).deadline_processed_at is not None


def test_delisting_after_a_configured_number_of_days(db, cycle, org_a, rep_a, delist_after):
    delist_after(30)
    assert delisting_deadline(D(2026, 4, 14)) == D(2026, 5, 14)
    tick(db, D(2026, 4, 15))
    assert tick(db, D(2026, 5, 14)).count("delisted") == 0
    assert tick(db, D(2026, 5, 15)).count("delisted") == 1
    assert status_of(db, org_a) == "delisted"


def test_default_delisting_date_is_the_end_of_the_year_of_non_communication():
    assert delisting_deadline(D(2026, 4, 14)) == D(2026, 12, 31)
    # A grace period ending on 31 December: non-communicating from 1 January, so delisted
    # only at the end of that new year, not on the same day.
    assert delisting_deadline(D(2026, 12, 31)) == D(2027, 12, 31)


def test_a_tick_after_a_long_outage_applies_everything_at_once(db, cycle, org_a, rep_a):
    summary = tick(db, D(2027, 1, 5))
    assert [a.kind for a in summary.actions] == ["non_communicating", "delisted", "processed"]
    assert status_of(db, org_a) == "delisted"
    assert not tick(db, D(2027, 1, 5), hour=7).changed


def test_reinstated_by_the_secretariat_is_not_delisted_later(db, secretariat, cycle, org_a, rep_a):
    tick(db, D(2026, 4, 15))
    change_status(secretariat, org_a, "active", reason="Reported on paper.")
    db.session.commit()
    assert db.session.scalar(select(DeadlineEvent.resolved_at)) is not None
    assert not tick(db, D(2027, 1, 2)).count("delisted")
    assert status_of(db, org_a) == "active"


def test_delisted_this_year_comes_back_by_reporting(db, cycle, org_a, rep_a, delist_after):
    delist_after(10)
    tick(db, D(2026, 4, 15))
    tick(db, D(2026, 4, 25))
    assert status_of(db, org_a) == "delisted"
    clock.freeze(at(D(2026, 5, 2), 10))
    submit(rep_a, cycle)
    db.session.commit()
    assert status_of(db, org_a) == "active"


# Extensions move every date, for one organisation only ------------------------------------------


def test_an_extension_moves_reminders_and_consequences(
    db, secretariat, cycle, org_a, rep_a, org_b, rep_b, mailbox, delist_after
):
    delist_after(30)
    reminders = {}

    def run(day):
        before = {a: len(mailbox.to(a)) for a in ("rep@alpha.example", "rep@beta.example")}
        tick(db, day)
        for address, n in before.items():
            for message in mailbox.to(address)[n:]:
                if "is due" in message["Subject"]:
                    reminders.setdefault(address, []).append((day, message["Subject"]))

    for day in days(D(2026, 3, 1), D(2026, 3, 19)):
        run(day)
    clock.freeze(at(D(2026, 3, 20), 10))
    request = extensions.request_extension(rep_a, cycle, org_a, "New CISO starts in April.")
    extensions.grant(secretariat, request, D(2026, 4, 30))
    db.session.commit()
    for day in days(D(2026, 3, 20), D(2026, 6, 20)):
        run(day)
    assert reminders["rep@alpha.example"] == [
        (D(2026, 3, 1), "Your 2026 report is due in 30 days"),
        (D(2026, 3, 31), "Your 2026 report is due in 30 days"),
        (D(2026, 4, 23), "Your 2026 report is due in 7 days"),
        (D(2026, 4, 29), "Your 2026 report is due tomorrow"),
    ]
    assert reminders["rep@beta.example"] == [
        (D(2026, 3, 1), "Your 2026 report is due in 30 days"),
        (D(2026, 3, 24), "Your 2026 report is due in 7 days"),
        (D(2026, 3, 30), "Your 2026 report is due tomorrow"),
    ]
    since = {}
    for change in db.session.scalars(
        select(StatusChange).where(StatusChange.by_user_id.is_(None)).order_by(StatusChange.at)
    ):
        since.setdefault(change.organisation_id, []).append((change.at.date(), change.to_status))
    assert since[org_b.id] == [(D(2026, 4, 15), "non_communicating"), (D(2026, 5, 15), "delisted")]
    assert since[org_a.id] == [(D(2026, 5, 15), "non_communicating"), (D(2026, 6, 14), "delisted")]


def test_a_grant_decided_after_the_old_deadline_undoes_the_consequence(
    db, secretariat, cycle, org_a, rep_a
):
    clock.freeze(at(D(2026, 3, 30), 10))
    request = extensions.request_extension(rep_a, cycle, org_a, "Please, asked in time.")
    db.session.commit()
    tick(db, D(2026, 4, 15))
    assert status_of(db, org_a) == "non_communicating"
    clock.freeze(at(D(2026, 4, 16), 10))
    extensions.grant(secretariat, request, D(2026, 4, 30))
    db.session.commit()
    assert status_of(db, org_a) == "active"
    assert db.session.scalar(select(func.count(DeadlineEvent.id))) == 0
    assert not tick(db, D(2026, 5, 14)).changed
    assert tick(db, D(2026, 5, 15)).count("non_communicating") == 1


# The command ----------------------------------------------------------------------------------------


def test_tick_command(app, db, runner, cycle, org_a, rep_a, mailbox):
    db.session.commit()
    result = runner.invoke(args=["pactum", "tick", "--now", "2026-04-15"])
    assert result.exit_code == 0, result.output
    assert "pactum tick at 2026-04-15T12:00" in result.output
    assert "non-communicating: 2026 Alpha Org" in result.output
    assert "0 reminder(s), 1 non-communicating, 0 delisted" in result.output
    again = runner.invoke(args=["pactum", "tick", "--now", "2026-04-15T13:30:00"])
    assert again.exit_code == 0
    assert "0 reminder(s), 0 non-communicating, 0 delisted, 0 cycle(s) done." in again.output
    assert clock._frozen is None  # the simulated time does not leak
    bad = runner.invoke(args=["pactum", "tick", "--now", "next tuesday"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
