"""Every figure of the annual report, from plain records: no database, no Flask.

`app.transparency.queries` loads the records with a fixed number of aggregate queries;
the functions here turn them into plain summaries that the templates print and the
charts draw. Tests feed them hand-made records and compare with an independent count.

Definitions (also stated in the report's methodology):
* a *member* is an organisation whose status is active or non-communicating; the
  alliance *at year end* also counts suspended members;
* a *join* is a change to active from applicant (or from no status) during the year;
  a *departure* is a change to delisted or withdrawn during the year;
* an organisation *must report* in a cycle when its category is one of the cycle's
  categories and it was a member at some time between the cycle's opening and its
  final date (due date plus grace days); it reported *on time* or *late* when its report
  has a submitted version (`Report.is_late`), otherwise *not at all*;
* indicators aggregate the latest submitted version of each report of the cycle;
  quartiles use the inclusive method (as `statistics.quantiles(method="inclusive")`);
* pledges count the public pledges of the members at year end, made by then, in the
  status they had on that day (their status history).
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.core import formats

MEMBER = ("active", "non_communicating")
IN_ALLIANCE = ("active", "non_communicating", "suspended")
DEPARTED = ("delisted", "withdrawn")
JOIN_FROM = (None, "applicant")
PLEDGE_STATUSES = ("planned", "in_progress", "achieved", "missed", "withdrawn")


# Records ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Org:
    id: int
    name: str
    slug: str
    country: str
    category: str
    sector: str
    status: str
    joined_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class StatusEvent:
    org_id: int
    at: dt.datetime
    from_status: str | None
    to_status: str


@dataclass(frozen=True, slots=True)
class Period:
    year: int
    start: dt.datetime
    end: dt.datetime  # inclusive: the last moment of the year

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(
            year,
            dt.datetime(year, 1, 1, tzinfo=dt.UTC),
            dt.datetime(year, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        )


@dataclass(frozen=True, slots=True)
class CycleInfo:
    id: int
    year: int
    categories: tuple[str, ...]
    opens_on: dt.date
    final_date: dt.date


@dataclass(frozen=True, slots=True)
class ReportInfo:
    org_id: int
    submitted: bool
    is_late: bool


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    id: int
    lineage: str
    text: str
    type: str
    choices: tuple[str, ...] = ()
    unit: str = ""


@dataclass(frozen=True, slots=True)
class PledgeRecord:
    id: int
    org_id: int
    principles: tuple[str, ...]  # principle keys
    status: str  # at year end
    made_in_year: bool


# Status history -------------------------------------------------------------------------


class History:
    """Status of each organisation at any moment, from its dated status changes.

    An organisation without any recorded change (imported data) is taken to have had its
    current status since `joined_on` (and no status before).
    """

    def __init__(self, orgs: Iterable[Org], events: Iterable[StatusEvent]):
        self.orgs = {org.id: org for org in orgs}
        by_org: dict[int, list[StatusEvent]] = defaultdict(list)
        for event in events:
            by_org[event.org_id].append(event)
        self.events = {}
        self.times = {}
        for org_id, items in by_org.items():
            items.sort(key=lambda e: e.at)
            self.events[org_id] = items
            self.times[org_id] = [e.at for e in items]

    def status_at(self, org_id: int, moment: dt.datetime) -> str | None:
        events = self.events.get(org_id)
        if not events:
            org = self.orgs[org_id]
            if org.joined_on is None:
                return org.status if org.status == "applicant" else None
            joined = dt.datetime.combine(org.joined_on, dt.time(), dt.UTC)
            return org.status if joined <= moment else None
        i = bisect_right(self.times[org_id], moment)
        return events[i - 1].to_status if i else None

    def changes_between(self, org_id: int, start: dt.datetime, end: dt.datetime):
        events = self.events.get(org_id)
        if not events:
            return []
        times = self.times[org_id]
        return events[
            bisect_right(times, start - dt.timedelta(microseconds=1)) : bisect_right(times, end)
        ]

    def was_member_between(self, org_id: int, start: dt.datetime, end: dt.datetime) -> bool:
        if self.status_at(org_id, start) in MEMBER:
            return True
        if not self.events.get(org_id):
            org = self.orgs[org_id]
            if org.joined_on is None or org.status not in MEMBER:
                return False
            joined = dt.datetime.combine(org.joined_on, dt.time(), dt.UTC)
            return joined <= end
        return any(e.to_status in MEMBER for e in self.changes_between(org_id, start, end))


# Membership -----------------------------------------------------------------------------


@dataclass
class Breakdown:
    """Members at year end, joins and departures, per value of one attribute."""

    key: str
    rows: list[tuple[str, int, int, int]]  # (value, members, joins, departures)


@dataclass
class Membership:
    year: int
    members: int  # in the alliance at year end (active, non-communicating, suspended)
    by_status: dict[str, int]
    joins: int
    departures: int
    departures_by_status: dict[str, int]
    by_category: Breakdown
    by_country: Breakdown
    by_sector: Breakdown
    countries: int


def membership(history: History, period: Period) -> Membership:
    at_end: dict[int, str] = {}
    joined: set[int] = set()
    departed: dict[int, str] = {}
    for org_id, org in history.orgs.items():
        status = history.status_at(org_id, period.end)
        if status in IN_ALLIANCE:
            at_end[org_id] = status
        if history.events.get(org_id):
            for event in history.changes_between(org_id, period.start, period.end):
                if event.to_status == "active" and event.from_status in JOIN_FROM:
                    joined.add(org_id)
                if event.to_status in DEPARTED and event.from_status not in DEPARTED:
                    departed[org_id] = event.to_status
        elif (
            org.joined_on is not None and period.start.date() <= org.joined_on <= period.end.date()
        ):
            joined.add(org_id)

    def breakdown(key: str) -> Breakdown:
        members, joins, leaves = Counter(), Counter(), Counter()
        for org_id in at_end:
            members[getattr(history.orgs[org_id], key)] += 1
        for org_id in joined:
            joins[getattr(history.orgs[org_id], key)] += 1
        for org_id in departed:
            leaves[getattr(history.orgs[org_id], key)] += 1
        values = set(members) | set(joins) | set(leaves)
        rows = sorted(
            ((v, members[v], joins[v], leaves[v]) for v in values),
            key=lambda r: (-r[1], -r[2], str(r[0])),
        )
        return Breakdown(key, rows)

    by_status = Counter(at_end.values())
    return Membership(
        year=period.year,
        members=len(at_end),
        by_status={s: by_status[s] for s in IN_ALLIANCE},
        joins=len(joined),
        departures=len(departed),
        departures_by_status={s: sum(1 for v in departed.values() if v == s) for s in DEPARTED},
        by_category=breakdown("category"),
        by_country=breakdown("country"),
        by_sector=breakdown("sector"),
        countries=len({history.orgs[i].country for i in at_end}),
    )


def members_at(history: History, moment: dt.datetime) -> list[tuple[Org, str]]:
    """The alliance at a moment: (organisation, its status then), by name."""
    found = []
    for org_id, org in history.orgs.items():
        status = history.status_at(org_id, moment)
        if status in IN_ALLIANCE:
            found.append((org, status))
    found.sort(key=lambda pair: (pair[0].name.casefold(), pair[0].id))
    return found


# Reporting ------------------------------------------------------------------------------


@dataclass
class Reporting:
    required: int
    on_time: int
    late: int
    missing: int
    voluntary: int  # reports from organisations that did not have to report
    by_category: list[
        tuple[str, int, int, int, int]
    ]  # (category, required, on time, late, missing)
    non_communicating: list[Org]

    @property
    def reported(self) -> int:
        return self.on_time + self.late

    def share(self, count: int) -> float:
        return count / self.required if self.required else 0.0


def reporting(history: History, cycle: CycleInfo, reports: dict[int, ReportInfo]) -> Reporting:
    start = dt.datetime.combine(cycle.opens_on, dt.time(), dt.UTC)
    end = dt.datetime.combine(cycle.final_date, dt.time(23, 59, 59), dt.UTC)
    categories = set(cycle.categories)
    required = [
        org
        for org_id, org in history.orgs.items()
        if org.category in categories and history.was_member_between(org_id, start, end)
    ]
    required_ids = {org.id for org in required}
    on_time = late = 0
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    missing: list[Org] = []
    for org in required:
        row = per_category[org.category]
        row[0] += 1
        report = reports.get(org.id)
        if report is not None and report.submitted:
            if report.is_late:
                late += 1
                row[2] += 1
            else:
                on_time += 1
                row[1] += 1
        else:
            row[3] += 1
            missing.append(org)
    voluntary = sum(1 for r in reports.values() if r.submitted and r.org_id not in required_ids)
    missing.sort(key=lambda o: (o.name.casefold(), o.id))
    return Reporting(
        required=len(required),
        on_time=on_time,
        late=late,
        missing=len(missing),
        voluntary=voluntary,
        by_category=sorted(((c, *v) for c, v in per_category.items()), key=lambda r: -r[1]),
        non_communicating=missing,
    )


# Indicators -----------------------------------------------------------------------------


def decode(value_text: str | None):
    """A stored JSON answer value (as text) back to Python; None for unanswered."""
    if value_text is None:
        return None
    try:
        return json.loads(value_text)
    except (TypeError, ValueError):
        return value_text


def quantile(weighted: Sequence[tuple[float, int]], q: float) -> float:
    """Inclusive (linear) quantile of values given as sorted (value, count) pairs."""
    n = sum(count for _, count in weighted)
    if n == 0:
        raise ValueError("no values")
    position = (n - 1) * q
    lower = int(position)
    fraction = position - lower

    def nth(index: int) -> float:
        seen = 0
        for value, count in weighted:
            seen += count
            if index < seen:
                return value
        return weighted[-1][0]

    low = nth(lower)
    if fraction == 0:
        return float(low)
    high = nth(lower + 1)
    return float(low + (high - low) * fraction)


@dataclass
class Indicator:
    question: QuestionInfo
    answered: int
    # yes_no
    yes: int = 0
    no: int = 0
    # choices: (choice, count, share of those who answered)
    distribution: list[tuple[str, int, float]] = field(default_factory=list)
    # number
    minimum: float | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    maximum: float | None = None
    # trend across cycles: (year, headline value)
    trend: list[tuple[int, float]] = field(default_factory=list)

    @property
    def share_yes(self) -> float | None:
        return self.yes / self.answered if self.answered else None

    @property
    def headline(self) -> float | None:
        """The one value a trend follows: share of yes, median, or top choice share."""
        if self.question.type == "yes_no":
            return self.share_yes
        if self.question.type == "number":
            return self.median
        return None


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def indicator(question: QuestionInfo, counts: Iterable[tuple[object, int]]) -> Indicator:
    """Summarise the answers to one question, given (decoded value, count) pairs."""
    values = [
        (value, count)
        for value, count in counts
        if value is not None and value != "" and value != []
    ]
    result = Indicator(question=question, answered=sum(c for _, c in values))
    kind = question.type
    if kind == "yes_no":
        result.yes = sum(c for v, c in values if v is True)
        result.no = sum(c for v, c in values if v is False)
        result.answered = result.yes + result.no
    elif kind in ("single_choice", "multiple_choice"):
        _summarise_choices(result, values)
    elif kind == "number":
        _summarise_numbers(result, values)
    return result


def _summarise_choices(result: Indicator, values: list[tuple[object, int]]) -> None:
    """How many answered, and the share of them that chose each choice (a multiple choice
    answer counts once per choice it names)."""
    tally: Counter = Counter()
    answered = 0
    for value, count in values:
        chosen = value if isinstance(value, list) else [value]
        chosen = [str(c) for c in chosen]
        if not chosen:
            continue
        answered += count
        for choice in dict.fromkeys(chosen):
            tally[choice] += count
    result.answered = answered
    order = list(result.question.choices) + sorted(set(tally) - set(result.question.choices))
    result.distribution = [(c, tally[c], tally[c] / answered if answered else 0.0) for c in order]


def _summarise_numbers(result: Indicator, values: list[tuple[object, int]]) -> None:
    """How many answered with a number, and the five-number summary of those numbers."""
    numbers = sorted(((float(v), c) for v, c in values if _is_number(v)), key=lambda p: p[0])
    result.answered = sum(c for _, c in numbers)
    if numbers:
        result.minimum = numbers[0][0]
        result.maximum = numbers[-1][0]
        result.q1 = quantile(numbers, 0.25)
        result.median = quantile(numbers, 0.5)
        result.q3 = quantile(numbers, 0.75)


def trend(by_year: Iterable[tuple[int, Indicator]]) -> list[tuple[int, float]]:
    """Headline values of one question (followed across cycles by its lineage), by year."""
    return sorted((year, item.headline) for year, item in by_year if item.headline is not None)


# Pledges --------------------------------------------------------------------------------


@dataclass
class PledgeRow:
    principle: str  # key, or "" for the total row
    made: int
    made_in_year: int
    by_status: dict[str, int]


def pledge_status_at(
    updates: Sequence[tuple[dt.datetime, str]], moment: dt.datetime, current: str
) -> str:
    """A pledge's status at a moment from its dated updates (sorted by time)."""
    status = None
    for at, value in updates:
        if at <= moment:
            status = value
        else:
            break
    return status or (current if not updates else "planned")


def pledges(records: Iterable[PledgeRecord], principle_keys: Sequence[str]) -> list[PledgeRow]:
    """Per principle (in the given order, then any other key), and a total row last."""
    per: dict[str, PledgeRow] = {}
    total = PledgeRow("", 0, 0, dict.fromkeys(PLEDGE_STATUSES, 0))
    for record in records:
        total.made += 1
        total.made_in_year += int(record.made_in_year)
        total.by_status[record.status] = total.by_status.get(record.status, 0) + 1
        for key in dict.fromkeys(record.principles):
            row = per.setdefault(key, PledgeRow(key, 0, 0, dict.fromkeys(PLEDGE_STATUSES, 0)))
            row.made += 1
            row.made_in_year += int(record.made_in_year)
            row.by_status[record.status] = row.by_status.get(record.status, 0) + 1
    order = list(principle_keys) + sorted(set(per) - set(principle_keys))
    rows = [
        per.get(key) or PledgeRow(key, 0, 0, dict.fromkeys(PLEDGE_STATUSES, 0)) for key in order
    ]
    return [*rows, total]


def percent(part: float | None, digits: int = 0) -> str:
    """A share (0.42) as the current language writes it ("42%", "42 %" in French:
    `app.core.formats.percent`, Babel's data); a dash when there is none."""
    if part is None:
        return "–"
    return formats.percent(part, digits=digits)
