"""Deadline rules: reminders, non-communicating members, delisting (issue 5, part B).

`run_tick(now)` applies them; `flask --app wsgi pactum tick` calls it (cron may run it as
often as it likes: every rule is idempotent, and a tick that missed days catches up).

Dates are UTC days from `app.clock`. For an organisation in a cycle:

* D, the **effective due date**: a granted extension's date, else the cycle's due date
  (`cycles.effective_due_date`). The last day to submit on time.
* F = D + `cycle.grace_days`: the last day of the grace period.
* L, the **delisting deadline**: F + `DELIST_AFTER_DAYS` days when that setting is above 0;
  with 0 (the default) 31 December of the year in which the organisation became
  non-communicating, i.e. of the day F + 1.

The rules, for every cycle that is open or closed and whose consequences are not final yet:

1. **Reminders** (open cycles only) to the representatives of each organisation that must
   report (`cycles.obligated_organisations`) and has not submitted, at the cycle's
   `reminder_offsets` (days before D). Each goes once per due date (`ReminderLog`). Only the
   most recent reminder that is due is sent: if cron missed the day of the 7-day reminder,
   it goes out late with the true number of days left, and an older "30 days" reminder never
   goes out once 7 or fewer days remain. A reminder scheduled before the due date existed
   (before the cycle opened, or before the extension was granted) is not sent.
2. **Non-communicating** from day F + 1: every active organisation that had to report and
   has no submitted report becomes non-communicating (reason recorded, public reason
   "Did not report for <year>"), once per cycle (`DeadlineEvent`). Organisations that joined
   after the cycle opened are not held to its deadline (they still get reminders).
3. **Delisting** from day L + 1: an organisation still non-communicating because of that
   cycle (not reinstated since) is delisted, publicly, with the reason.
4. Once every organisation's L has passed and no extension request is pending, the cycle is
   marked processed (`deadline_processed_at`) and later ticks skip it.

A submission (`report_submitted`) brings a non-communicating organisation, or one that these
rules delisted this calendar year, back to active. Any return to active (a report, or the
secretariat) resolves the organisation's open deadline events, so an old miss never delists
it later.

Cycles are not closed automatically: closing would refuse the late submissions that bring
members back. The secretariat closes a cycle when its review is over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from app import clock
from app.db import db
from app.members.models import Organisation, Status
from app.reporting.cycles import obligated_organisations
from app.reporting.deadlines.consequences import (
    TickAction,
    TickSummary,
    delist,
    make_non_communicating,
    remind,
)
from app.reporting.deadlines.rules import delisting_deadline, final_date, held_to_deadline
from app.reporting.models import (
    CycleStatus,
    DeadlineEvent,
    DeadlineEventKind,
    Extension,
    ExtensionState,
    ReminderLog,
    Report,
    ReportingCycle,
)
from app.reporting.recipients import representative_emails

NON_COMMUNICATING = DeadlineEventKind.NON_COMMUNICATING


def run_tick(now: dt.datetime | None = None) -> TickSummary:
    """Apply every deadline rule as of `now` (default: the clock). Flushes, never commits.

    Needs an application context, not a request: mail links come from PACTUM_SERVER_URL."""
    now = now or clock.now()
    summary = TickSummary(now)
    today = now.date()
    cycles = db.session.scalars(
        select(ReportingCycle)
        .where(
            ReportingCycle.status != CycleStatus.DRAFT,
            ReportingCycle.deadline_processed_at.is_(None),
            ReportingCycle.opens_on <= today,
        )
        .order_by(ReportingCycle.year)
    ).all()
    for cycle in cycles:
        _process_cycle(cycle, now, summary)
    db.session.flush()
    return summary


@dataclass
class _CycleFacts:
    """What the rules need to know about one cycle, read in a fixed number of queries."""

    organisations: list[Organisation]
    submitted: set[int]
    granted: dict[int, tuple[dt.date, dt.date]]  # organisation id -> (due date, granted on)
    sent: set[tuple[int, dt.date, int]]  # reminders sent: (organisation id, due, offset)
    events: dict[tuple[int, str], DeadlineEvent]
    opened: dt.date
    offsets: list[int]


def _facts(cycle: ReportingCycle, now: dt.datetime) -> _CycleFacts:
    organisations = (
        db.session.scalars(
            obligated_organisations(cycle).order_by(None).order_by(Organisation.name_key)
        )
        .unique()
        .all()
    )
    submitted = set(
        db.session.scalars(
            select(Report.organisation_id).where(
                Report.cycle_id == cycle.id, Report.current_version_id.is_not(None)
            )
        )
    )
    granted: dict[int, tuple[dt.date, dt.date]] = {}
    for org_id, new_due_on, decided_at in db.session.execute(
        select(Extension.organisation_id, Extension.new_due_on, Extension.decided_at).where(
            Extension.cycle_id == cycle.id,
            Extension.state == ExtensionState.GRANTED,
            Extension.new_due_on.is_not(None),
        )
    ):
        if org_id not in granted or new_due_on > granted[org_id][0]:
            granted[org_id] = (new_due_on, (decided_at or now).date())
    sent = {
        (o, d, k)
        for o, d, k in db.session.execute(
            select(ReminderLog.organisation_id, ReminderLog.due_on, ReminderLog.offset_days).where(
                ReminderLog.cycle_id == cycle.id
            )
        )
    }
    events = {
        (e.organisation_id, e.kind): e
        for e in db.session.scalars(select(DeadlineEvent).where(DeadlineEvent.cycle_id == cycle.id))
    }
    opened = cycle.opens_on
    if cycle.opened_at is not None:
        opened = max(opened, cycle.opened_at.date())
    offsets = sorted({int(k) for k in (cycle.reminder_offsets or []) if int(k) >= 0})
    return _CycleFacts(organisations, submitted, granted, sent, events, opened, offsets)


def _reminder(cycle, facts: _CycleFacts, org, today, due, since) -> dict | None:
    """1. Reminders: only the most recent one that is due, once per due date."""
    if cycle.status != CycleStatus.OPEN or today > due or not facts.offsets:
        return None
    days_left = (due - today).days
    due_offsets = [k for k in facts.offsets if k >= days_left]
    if not due_offsets:
        return None
    offset = min(due_offsets)
    if due - dt.timedelta(days=offset) < since or (org.id, due, offset) in facts.sent:
        return None
    return {"due": due, "offset": offset, "days_left": days_left}


def _todo_for(cycle, facts: _CycleFacts, org, today) -> list[tuple[str, Organisation, dict]]:
    """What the rules do to one organisation that has not submitted, in order."""
    todo: list[tuple[str, Organisation, dict]] = []
    due, since = facts.granted.get(org.id, (cycle.due_on, facts.opened))
    final = final_date(cycle, due)
    reminder = _reminder(cycle, facts, org, today, due, since)
    if reminder is not None:
        todo.append(("reminder", org, reminder))
    # 2. Non-communicating after the grace period.
    if (
        today > final
        and held_to_deadline(cycle, org)
        and (org.id, NON_COMMUNICATING) not in facts.events
    ):
        # A tick that missed days catches up: delisted at once if that date passed too.
        then_delist = today > delisting_deadline(final)
        todo.append(
            ("non_communicating", org, {"due": due, "final": final, "then_delist": then_delist})
        )
        return todo
    # 3. Delisting, when still non-communicating because of this cycle.
    event = facts.events.get((org.id, NON_COMMUNICATING))
    if (
        event is not None
        and event.resolved_at is None
        and org.status == Status.NON_COMMUNICATING
        and (org.id, DeadlineEventKind.DELISTED) not in facts.events
    ):
        deadline = delisting_deadline(event.deadline)
        if today > deadline:
            todo.append(("delisted", org, {"deadline": deadline, "final": event.deadline}))
    return todo


def _process_cycle(cycle: ReportingCycle, now: dt.datetime, summary: TickSummary) -> None:
    today = now.date()
    facts = _facts(cycle, now)
    todo = [
        item
        for org in facts.organisations
        if org.id not in facts.submitted
        for item in _todo_for(cycle, facts, org, today)
    ]
    if todo:
        emails = representative_emails(org.id for _k, org, _d in todo)
        for kind, org, data in todo:
            if kind == "reminder":
                remind(cycle, org, data, emails[org.id], now, summary)
            elif kind == "non_communicating":
                make_non_communicating(cycle, org, data, emails[org.id], now, summary, facts.events)
            else:
                delist(cycle, org, data, emails[org.id], now, summary, facts.events)
    _close_when_final(cycle, facts, now, summary)


def _close_when_final(cycle, facts: _CycleFacts, now, summary: TickSummary) -> None:
    """4. Final once the last possible delisting date has passed."""
    latest_due = max([cycle.due_on, *(d for d, _s in facts.granted.values())])
    pending = db.session.scalar(
        select(func.count(Extension.id)).where(
            Extension.cycle_id == cycle.id, Extension.state == ExtensionState.PENDING
        )
    )
    if not pending and now.date() > delisting_deadline(final_date(cycle, latest_due)):
        cycle.deadline_processed_at = now
        summary.actions.append(TickAction("processed", cycle.year))
