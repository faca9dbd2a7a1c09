"""Who reported when: every (organisation, closed cycle) report, and the status history it
implies (a missed deadline makes a member non-communicating, a second one delists it; some
members withdraw or are suspended)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from bench.generate.common import timestamp
from bench.generate.loader import Loader
from bench.generate.state import Alliance, Cycle, Org

STATUS_CHANGE_COLUMNS = [
    "id",
    "organisation_id",
    "from_status",
    "to_status",
    "at",
    "by_user_id",
    "reason",
    "public_reason",
    "is_public",
]


def plan(g: Alliance) -> None:
    """Decide `g.report_plan` and `g.history`, with a submission rate that gives about the
    number of reports the sizes ask for."""
    closed = [c for c in g.cycles if c.status == "closed"]
    eligible = 0
    for org in g.orgs:
        if org.joined_on:
            eligible += sum(
                1
                for c in closed
                if org.joined_on <= c.opens_on and (org.exit_on is None or org.exit_on > c.due_on)
            )
    rate = min(0.985, g.sizes.reports / max(1, eligible))
    # Missed deadlines end some memberships early: adjust the rate until the number of
    # reports is close to the target (the same random draws each time).
    for _attempt in range(5):
        _plan_with_rate(g, closed, rate, random.Random(g.sizes.seed + 1))
        count = len(g.report_plan)
        if rate >= 0.985 or abs(count - g.sizes.reports) <= 0.005 * g.sizes.reports:
            break
        rate = min(0.985, rate * g.sizes.reports / max(1, count))
    g.summary["eligible_reports"] = eligible
    g.summary["submission_rate"] = round(rate, 3)


def _plan_with_rate(g: Alliance, closed: list[Cycle], rate: float, rng: random.Random) -> None:
    g.report_plan = []
    g.history = {}
    for org in g.orgs:
        g.history[org.id] = _history(org, closed, rate, rng, g.report_plan)


def _history(org: Org, closed: list[Cycle], rate: float, rng: random.Random, plan: list) -> list:
    """The organisation's status changes as (datetime, from, to, public, public_reason); sets
    its final `status`, `status_since` and `ended_on`, and adds its reports to `plan`."""
    org.ended_on = None
    events = []
    applied_at = timestamp(org.applied_on, rng)
    events.append((applied_at, None, "applicant", False, ""))
    if org.planned_exit == "rejected":
        events.append(
            (
                applied_at + dt.timedelta(days=rng.randrange(5, 40)),
                "applicant",
                "rejected",
                False,
                "",
            )
        )
        org.status = "rejected"
    if org.joined_on is None:
        org.status = org.status if org.status == "rejected" else "applicant"
        org.status_since = events[-1][0]
        return events
    events.append((timestamp(org.joined_on, rng), "applicant", "active", True, ""))
    status = _reporting_years(org, closed, rate, rng, plan, events)
    if status != "delisted" and org.planned_exit in ("withdrawn", "suspended"):
        events.append(
            (
                timestamp(org.exit_on, rng),
                status,
                org.planned_exit,
                True,
                "Withdrew from the alliance."
                if org.planned_exit == "withdrawn"
                else "Suspended pending review of a complaint.",
            )
        )
        status = org.planned_exit
        org.ended_on = org.exit_on
    events.sort(key=lambda e: e[0])
    org.status = status
    org.status_since = events[-1][0]
    return events


def _reporting_years(
    org: Org, closed: list[Cycle], rate: float, rng: random.Random, plan: list, events: list
) -> str:
    """The member's closed cycles, reported or missed; returns the status they leave it in."""
    status = "active"
    misses = 0
    for cycle in closed:
        if org.joined_on > cycle.opens_on:
            continue
        if org.exit_on is not None and org.exit_on <= cycle.due_on:
            break
        final = cycle.due_on + dt.timedelta(days=cycle.grace_days)
        if rng.random() < rate:
            late = rng.random() < 0.07
            plan.append((org, cycle, late))
            misses = 0
            if status == "non_communicating":
                status = "active"
                back = cycle.due_on - dt.timedelta(days=rng.randrange(1, 60))
                events.append(
                    (timestamp(back, rng), "non_communicating", "active", True, "Reported again.")
                )
        else:
            misses += 1
            when = timestamp(final + dt.timedelta(days=1), rng)
            if misses == 1:
                events.append(
                    (when, status, "non_communicating", True, f"No report for {cycle.year}.")
                )
                status = "non_communicating"
            else:
                events.append(
                    (
                        when,
                        status,
                        "delisted",
                        True,
                        f"No report for {cycle.year - 1} and {cycle.year}.",
                    )
                )
                status = "delisted"
                org.ended_on = final
                break
    return status


def count_statuses(g: Alliance) -> None:
    counts: dict[str, int] = {}
    for org in g.orgs:
        counts[org.status] = counts.get(org.status, 0) + 1
    g.summary["statuses"] = counts


def _status_change_rows(g: Alliance) -> Iterator[tuple]:
    sid = 0
    for org in g.orgs:
        for at, from_status, to_status, public, reason in g.history[org.id]:
            sid += 1
            yield (
                sid,
                org.id,
                from_status,
                to_status,
                at,
                1 if from_status else None,
                reason or "",
                reason,
                public,
            )


def load_status_changes(g: Alliance, loader: Loader) -> None:
    loader.load("status_changes", STATUS_CHANGE_COLUMNS, _status_change_rows(g))
