"""What the deadline rules do to an organisation: a reminder, non-communicating, delisted;
and what undoes it (a submission, a return to active). Each step flushes, records a
`TickAction` and sends its event; the mail goes from `deadlines.notifications`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select, update

from app import clock
from app.core import signals
from app.db import db
from app.members import reasons
from app.members.models import Organisation, Status
from app.members.services import change_status
from app.reporting.deadlines import signals as events
from app.reporting.deadlines.rules import delisting_deadline
from app.reporting.models import DeadlineEvent, DeadlineEventKind, ReminderLog, ReportingCycle


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


def remind(cycle: ReportingCycle, org: Organisation, data, emails, now, summary) -> None:
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
    events.reminder_due.send(org, cycle=cycle, emails=emails, due=due, days_left=days_left)
    summary.actions.append(
        TickAction(
            "reminder", cycle.year, org.name, f"({days_left} day(s) left, due {due.isoformat()})"
        )
    )


def make_non_communicating(cycle, org, data, emails, now, summary, known) -> None:
    """After the grace period; `known` maps (organisation id, kind) to the cycle's events."""
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
    _add_event(cycle, org, DeadlineEventKind.NON_COMMUNICATING, now, final, change, known)
    if change is not None:
        summary.actions.append(
            TickAction(
                "non_communicating",
                cycle.year,
                org.name,
                f"(grace period ended {final.isoformat()})",
            )
        )
        if not data["then_delist"]:
            events.made_non_communicating.send(
                org, cycle=cycle, emails=emails, due=due, final=final
            )
    # else: already non-communicating because of an earlier cycle; nothing new to announce.
    if data["then_delist"] and org.status == Status.NON_COMMUNICATING:
        data = {"deadline": delisting_deadline(final), "final": final}
        delist(cycle, org, data, emails, now, summary, known)


def delist(cycle, org, data, emails, now, summary, known) -> None:
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
    _add_event(cycle, org, DeadlineEventKind.DELISTED, now, deadline, change, known)
    events.delisted.send(org, cycle=cycle, emails=emails, deadline=deadline)
    summary.actions.append(
        TickAction(
            "delisted", cycle.year, org.name, f"(non-communicating beyond {deadline.isoformat()})"
        )
    )


def _add_event(cycle, org, kind: str, now, deadline, change, known) -> None:
    event = DeadlineEvent(
        cycle_id=cycle.id,
        organisation_id=org.id,
        kind=kind,
        at=now,
        deadline=deadline,
        status_change_id=change.id if change else None,
    )
    db.session.add(event)
    db.session.flush()
    known[(org.id, kind)] = event


# Reacting to other domains -------------------------------------------------------------------------


def _delisted_by_rules_this_year(organisation: Organisation) -> bool:
    year_start = dt.datetime(clock.today().year, 1, 1, tzinfo=dt.UTC)
    return bool(
        db.session.scalar(
            select(func.count(DeadlineEvent.id)).where(
                DeadlineEvent.organisation_id == organisation.id,
                DeadlineEvent.kind == DeadlineEventKind.DELISTED,
                DeadlineEvent.resolved_at.is_(None),
                DeadlineEvent.at >= year_start,
            )
        )
    )


@signals.report_submitted.connect
def reinstate_after_submission(version, actor=None, **_extra) -> None:
    """A submission brings a non-communicating member (or one these rules delisted this
    calendar year) back to active."""
    report = version.report
    organisation = report.organisation
    cycle = report.cycle
    if organisation.status == Status.DELISTED:
        if not _delisted_by_rules_this_year(organisation):
            return
    elif organisation.status != Status.NON_COMMUNICATING:
        return
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
    events.reinstated.send(organisation, cycle=cycle, previous=previous)


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
