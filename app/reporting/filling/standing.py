"""An organisation's standing in the open cycle, as plain records read once per dashboard:
the cycle with the organisation's report (one statement), its extension requests, and its
reports of earlier cycles. The yearly-report panel and the extension panel share it
(`app.core.dashboard.Shared`), so the open cycle is looked up once per request.

The statements are built once, at import, with bound parameters: every representative opens
the dashboard during the deadline rush, and building ORM objects and SQL expressions was most
of its cost (issue 20).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, select

from app import clock
from app.db import read
from app.reporting import cycles
from app.reporting.filling.drafts import progress_of
from app.reporting.models import (
    CycleStatus,
    Extension,
    ExtensionState,
    Report,
    ReportingCycle,
    ReportVersion,
)


@dataclass(frozen=True)
class CycleCard:
    id: int
    year: int
    title: str
    status: str
    due_on: dt.date
    categories: list
    opened_at: dt.datetime | None


@dataclass(frozen=True)
class ReportCard:
    id: int
    state: str
    revision: int
    current_version_id: int | None


@dataclass(frozen=True)
class ExtensionCard:
    id: int
    state: str
    new_due_on: dt.date | None
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


@dataclass(frozen=True)
class PastReport:
    year: int
    title: str
    state: str
    version_number: int | None
    submitted_at: dt.datetime | None


@dataclass
class Standing:
    cycle: CycleCard | None
    report: ReportCard | None
    extensions: list[ExtensionCard] = field(default_factory=list)  # newest request first
    past: list[PastReport] = field(default_factory=list)  # the ten latest, newest first

    def effective_due_on(self) -> dt.date:
        """`cycles.effective_due_date`: the latest granted extension's date, else the
        cycle's."""
        granted = sorted(
            (e for e in self.extensions if e.state == ExtensionState.GRANTED and e.new_due_on),
            key=lambda e: (
                e.decided_at is not None,
                e.decided_at.timestamp() if e.decided_at else 0,
                e.id,
            ),
            reverse=True,
        )
        return granted[0].new_due_on if granted else self.cycle.due_on


_C, _R, _V, _E = ReportingCycle, Report, ReportVersion, Extension
_OPEN_CYCLE_AND_REPORT = (
    select(
        _C.id,
        _C.year,
        _C.title,
        _C.status,
        _C.due_on,
        _C.categories,
        _C.opened_at,
        _R.id,
        _R.state,
        _R.revision,
        _R.current_version_id,
    )
    .select_from(_C)
    .outerjoin(_R, and_(_R.cycle_id == _C.id, _R.organisation_id == bindparam("b_org")))
    .where(_C.status == CycleStatus.OPEN)
    .order_by(_C.year.desc())
    .limit(1)
)
_EXTENSIONS = (
    select(_E.id, _E.state, _E.new_due_on, _E.requested_at, _E.decided_at, _E.decision_note)
    .where(_E.cycle_id == bindparam("b_cycle"), _E.organisation_id == bindparam("b_org"))
    .order_by(_E.requested_at.desc(), _E.id.desc())
)
_PAST = (
    select(_C.year, _C.title, _R.state, _V.number, _V.submitted_at)
    .join(_R, _R.cycle_id == _C.id)
    .outerjoin(_V, _V.id == _R.current_version_id)
    .where(_R.organisation_id == bindparam("b_org"), _C.id != bindparam("b_cycle"))
    .order_by(_C.year.desc())
    .limit(10)
)


def standing(organisation_id: int) -> Standing:
    """Three statements (two when no cycle is open), whatever the organisation's history."""
    row = read(_OPEN_CYCLE_AND_REPORT, {"b_org": organisation_id}).first()
    cycle = CycleCard(*row[:7]) if row is not None else None
    report = ReportCard(*row[7:]) if row is not None and row[7] is not None else None
    found = Standing(cycle, report)
    if cycle is not None:
        params = {"b_cycle": cycle.id, "b_org": organisation_id}
        found.extensions = [ExtensionCard(*r) for r in read(_EXTENSIONS, params)]
    found.past = [
        PastReport(*r)
        for r in read(_PAST, {"b_org": organisation_id, "b_cycle": cycle.id if cycle else 0})
    ]
    return found


def obligations_summary(found: Standing, organisation) -> dict | None:
    """`data.obligations` from a `Standing`: the report in the open cycle (due date, state,
    progress) and the earlier ones; None when there are neither. `organisation` needs only
    `category` and `status` (a plain card will do)."""
    current = None
    cycle, report = found.cycle, found.report
    if cycle is not None and (report is not None or cycles.may_report(cycle, organisation)):
        due = found.effective_due_on()
        current = {
            "cycle": cycle,
            "report": report,
            "due": due,
            "days_left": (due - clock.today()).days,
            "state": report.state if report is not None else "not_started",
            "progress": progress_of(cycle, report.id, report.revision)
            if report is not None
            else None,
        }
    if current is None and not found.past:
        return None
    return {"current": current, "past": found.past}
