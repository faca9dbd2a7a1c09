"""Deadlines of a reporting cycle (issue 5, part B).

* `rules`: the dates (grace period, delisting deadline) and who is held to them;
* `tick`: `run_tick(now)`, the deadline rules applied by cron (`pactum tick`);
* `consequences`: reminders, non-communicating, delisting, and their undoing (the signal
  receivers that bring a member back when it reports);
* `extensions`: a representative asks for more time, the secretariat grants or refuses;
* `signals` / `notifications`: the events of all these and the mail they send.

Importing the package connects the domain receivers of `consequences`.
"""

from app.reporting.deadlines.consequences import (
    TickAction,
    TickSummary,
    reinstate_after_submission,
    resolve_events_on_return,
)
from app.reporting.deadlines.rules import (
    delisting_deadline,
    final_date,
    held_condition,
    held_to_deadline,
)
from app.reporting.deadlines.tick import run_tick

__all__ = [
    "TickAction",
    "TickSummary",
    "delisting_deadline",
    "final_date",
    "held_condition",
    "held_to_deadline",
    "reinstate_after_submission",
    "resolve_events_on_return",
    "run_tick",
]
