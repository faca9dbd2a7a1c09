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

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from app import clock
from app.core import signals
from app.db import db
from app.mail import send_later
from app.members import reasons
from app.members.models import Organisation, Status
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


@dataclass(frozen=True)
class TickAction:
    kind: str  # "reminder", "non_communicating", "delisted", "processed"
    year: int
    organisation: str = ""
    detail: str = ""


@dataclass
class TickSummary:
    now: dt.datetime
    actions: list[TickAction] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for a in self.actions if a.kind == kind)

    @property
    def changed(self) -> bool:
        return bool(self.actions)

    def lines(self) -> list[str]:
        head = {
            "reminder": "reminder",
            "non_communicating": "non-communicating",
            "delisted": "delisted",
            "processed": "cycle done",
        }
        out = [
            f"{head[a.kind]}: {a.year} {a.organisation} {a.detail}".replace("  ", " ").strip()
            for a in self.actions
        ]
        out.append(
            f"{self.count('reminder')} reminder(s), {self.count('non_communicating')} "
            f"non-communicating, {self.count('delisted')} delisted, "
            f"{self.count('processed')} cycle(s) done."
        )
        return out


# Dates ----------------------------------------------------------------------------------------


def final_date(cycle: ReportingCycle, due: dt.date) -> dt.date:
    return due + dt.timedelta(days=cycle.grace_days)


def delisting_deadline(final: dt.date) -> dt.date:
    days = int(current_app.config.get("DELIST_AFTER_DAYS", 0) or 0)
    if days > 0:
        return final + dt.timedelta(days=days)
    return dt.date((final + dt.timedelta(days=1)).year, 12, 31)


def _held_to_deadline(cycle: ReportingCycle, organisation: Organisation) -> bool:
    """Members when the cycle opened are held to its deadline (see `held_condition`)."""
    return organisation.joined_on is None or organisation.joined_on <= cycle.opens_on


def held_condition(cycle: ReportingCycle):
    """SQL condition: the organisation was a member when the cycle opened, so it is held to
    the deadline (an organisation that joins later may report, and is reminded, but is not
    made non-communicating for a cycle it joined in the middle of)."""
    return or_(Organisation.joined_on.is_(None), Organisation.joined_on <= cycle.opens_on)


@contextlib.contextmanager
def _request_context():
    """Emails build links with url_for and dates with the locale: outside a request (cron),
    give them one for the configured public address."""
    if has_request_context():
        yield
        return
    parts = urlsplit(current_app.config["SERVER_URL"])
    with current_app.test_request_context("/", base_url=f"{parts.scheme}://{parts.netloc}"):
        yield


# The tick ----------------------------------------------------------------------------------------


def run_tick(now: dt.datetime | None = None) -> TickSummary:
    """Apply every deadline rule as of `now` (default: the clock). Flushes, never commits."""
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
    with _request_context():
        for cycle in cycles:
            _process_cycle(cycle, now, summary)
    db.session.flush()
    return summary


def _process_cycle(cycle: ReportingCycle, now: dt.datetime, summary: TickSummary) -> None:
    from app.reporting.cycles import obligated_organisations

    today = now.date()
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

    todo: list[tuple[str, Organisation, dict]] = []
    for org in organisations:
        if org.id in submitted:
            continue
        due, since = granted.get(org.id, (cycle.due_on, opened))
        final = final_date(cycle, due)
        # 1. Reminders: only the most recent one that is due, once per due date.
        if cycle.status == CycleStatus.OPEN and today <= due and offsets:
            days_left = (due - today).days
            due_offsets = [k for k in offsets if k >= days_left]
            if due_offsets:
                offset = min(due_offsets)
                if due - dt.timedelta(days=offset) >= since and (org.id, due, offset) not in sent:
                    todo.append(
                        ("reminder", org, {"due": due, "offset": offset, "days_left": days_left})
                    )
        # 2. Non-communicating after the grace period.
        if (
            today > final
            and _held_to_deadline(cycle, org)
            and (org.id, DeadlineEventKind.NON_COMMUNICATING) not in events
        ):
            # A tick that missed days catches up: delisted at once if that date passed too.
            todo.append(
                (
                    "non_communicating",
                    org,
                    {"due": due, "final": final, "then_delist": today > delisting_deadline(final)},
                )
            )
            continue
        # 3. Delisting, when still non-communicating because of this cycle.
        event = events.get((org.id, DeadlineEventKind.NON_COMMUNICATING))
        if (
            event is not None
            and event.resolved_at is None
            and org.status == Status.NON_COMMUNICATING
            and (org.id, DeadlineEventKind.DELISTED) not in events
        ):
            deadline = delisting_deadline(event.deadline)
            if today > deadline:
                todo.append(("delisted", org, {"deadline": deadline, "final": event.deadline}))

    if todo:
        from app.reporting.review import representative_emails

        emails = representative_emails(org.id for _k, org, _d in todo)
        for kind, org, data in todo:
            if kind == "reminder":
                _remind(cycle, org, data, emails[org.id], now, summary)
            elif kind == "non_communicating":
                _make_non_communicating(cycle, org, data, emails[org.id], now, summary, events)
            else:
                _delist(cycle, org, data, emails[org.id], now, summary, events)

    # 4. Final once the last possible delisting date has passed.
    latest_due = max([cycle.due_on, *(d for d, _s in granted.values())])
    pending = db.session.scalar(
        select(func.count(Extension.id)).where(
            Extension.cycle_id == cycle.id, Extension.state == ExtensionState.PENDING
        )
    )
    if not pending and today > delisting_deadline(final_date(cycle, latest_due)):
        cycle.deadline_processed_at = now
        summary.actions.append(TickAction("processed", cycle.year))


def _remind(cycle, org, data, emails, now, summary) -> None:
    if not emails:
        return  # nobody to tell yet: try again on the next tick (a representative may appear)
    due, offset, days_left = data["due"], data["offset"], data["days_left"]
    db.session.add(
        ReminderLog(
            cycle_id=cycle.id,
            organisation_id=org.id,
            offset_days=offset,
            due_on=due,
            days_left=days_left,
            sent_at=now,
        )
    )
    if days_left == 0:
        subject = _("Your %(year)s report is due today", year=cycle.year)
    elif days_left == 1:
        subject = _("Your %(year)s report is due tomorrow", year=cycle.year)
    else:
        subject = _("Your %(year)s report is due in %(n)d days", year=cycle.year, n=days_left)
    from app.reporting.review import report_url

    send_later(
        emails,
        subject,
        "reporting_reminder",
        organisation=org.name,
        year=cycle.year,
        due_on=due,
        days_left=days_left,
        extended=due != cycle.due_on,
        grace_days=cycle.grace_days,
        link=report_url(cycle.year),
        extension_link=url_for("review.request_extension", year=cycle.year),
    )
    summary.actions.append(
        TickAction(
            "reminder", cycle.year, org.name, f"({days_left} day(s) left, due {due.isoformat()})"
        )
    )


def _make_non_communicating(cycle, org, data, emails, now, summary, events) -> None:
    from app.members.services import change_status

    due, final = data["due"], data["final"]
    change = None
    if org.status == Status.ACTIVE:
        change = change_status(
            None,
            org,
            Status.NON_COMMUNICATING,
            reason=(
                f"No report submitted for the {cycle.year} reporting cycle: due on "
                f"{due.isoformat()}, grace period ended on {final.isoformat()}."
            ),
            public_reason=reasons.stored(reasons.DID_NOT_REPORT, year=cycle.year),
            at=now,
        )
    event = DeadlineEvent(
        cycle_id=cycle.id,
        organisation_id=org.id,
        kind=DeadlineEventKind.NON_COMMUNICATING,
        at=now,
        deadline=final,
        status_change_id=change.id if change else None,
    )
    db.session.add(event)
    db.session.flush()
    events[(org.id, DeadlineEventKind.NON_COMMUNICATING)] = event
    if change is not None:
        from app.reporting.review import report_url

        summary.actions.append(
            TickAction(
                "non_communicating",
                cycle.year,
                org.name,
                f"(grace period ended {final.isoformat()})",
            )
        )
        if not data["then_delist"]:
            send_later(
                emails,
                _("%(org)s is now listed as non-communicating", org=org.name),
                "reporting_non_communicating",
                organisation=org.name,
                year=cycle.year,
                due_on=due,
                final=final,
                delist_after=delisting_deadline(final),
                open=cycle.status == CycleStatus.OPEN,
                link=report_url(cycle.year),
            )
    # else: already non-communicating because of an earlier cycle; nothing new to announce.
    if data["then_delist"] and org.status == Status.NON_COMMUNICATING:
        _delist(
            cycle,
            org,
            {"deadline": delisting_deadline(final), "final": final},
            emails,
            now,
            summary,
            events,
        )


def _delist(cycle, org, data, emails, now, summary, events) -> None:
    from app.members.services import change_status

    deadline = data["deadline"]
    change = change_status(
        None,
        org,
        Status.DELISTED,
        reason=(
            f"Still non-communicating on {deadline.isoformat()} after missing the "
            f"{cycle.year} report (grace period ended {data['final'].isoformat()})."
        ),
        public_reason=reasons.stored(reasons.DELISTED_DID_NOT_REPORT, year=cycle.year),
        at=now,
    )
    event = DeadlineEvent(
        cycle_id=cycle.id,
        organisation_id=org.id,
        kind=DeadlineEventKind.DELISTED,
        at=now,
        deadline=deadline,
        status_change_id=change.id,
    )
    db.session.add(event)
    db.session.flush()
    events[(org.id, DeadlineEventKind.DELISTED)] = event
    send_later(
        emails,
        _("%(org)s has been delisted", org=org.name),
        "reporting_delisted",
        organisation=org.name,
        year=cycle.year,
        deadline=deadline,
    )
    summary.actions.append(
        TickAction(
            "delisted", cycle.year, org.name, f"(non-communicating beyond {deadline.isoformat()})"
        )
    )


# Reacting to other domains -------------------------------------------------------------------------


@signals.report_submitted.connect
def reinstate_after_submission(version, actor=None, **_extra) -> None:
    """A submission brings a non-communicating member (or one these rules delisted this
    calendar year) back to active."""
    report = version.report
    organisation = report.organisation
    cycle = report.cycle
    if organisation.status == Status.DELISTED:
        year_start = dt.datetime(clock.today().year, 1, 1, tzinfo=dt.UTC)
        delisted_by_rules = db.session.scalar(
            select(func.count(DeadlineEvent.id)).where(
                DeadlineEvent.organisation_id == organisation.id,
                DeadlineEvent.kind == DeadlineEventKind.DELISTED,
                DeadlineEvent.resolved_at.is_(None),
                DeadlineEvent.at >= year_start,
            )
        )
        if not delisted_by_rules:
            return
    elif organisation.status != Status.NON_COMMUNICATING:
        return
    from app.members.services import change_status
    from app.reporting.review import representative_emails

    previous = organisation.status
    when = version.submitted_at or clock.now()
    change_status(
        None,
        organisation,
        Status.ACTIVE,
        reason=(
            f"Submitted its {cycle.year} report (version {version.number}) on "
            f"{when.date().isoformat()}."
        ),
        public_reason=reasons.stored(reasons.REPORTED, year=cycle.year),
    )
    with _request_context():
        send_later(
            representative_emails([organisation.id])[organisation.id],
            _("%(org)s is active again", org=organisation.name),
            "reporting_reinstated",
            organisation=organisation.name,
            year=cycle.year,
            previous=previous,
        )


@signals.organisation_status_changed.connect
def resolve_events_on_return(
    organisation, actor=None, from_status=None, to_status=None, **_extra
) -> None:
    """Back to active, by a report or by the secretariat: earlier misses are settled."""
    if to_status != Status.ACTIVE:
        return
    db.session.execute(
        update(DeadlineEvent)
        .where(
            DeadlineEvent.organisation_id == organisation.id, DeadlineEvent.resolved_at.is_(None)
        )
        .values(resolved_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    for obj in db.session.identity_map.values():
        if isinstance(obj, DeadlineEvent) and obj.organisation_id == organisation.id:
            db.session.expire(obj, ["resolved_at"])
