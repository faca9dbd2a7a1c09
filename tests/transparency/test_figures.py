"""The report's figures: the plain functions against an independent count of the same
records, against numbers worked out by hand for the test alliance, and on edge cases."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

import pytest
from sqlalchemy import select

from app.members.models import Organisation, Pledge, StatusChange
from app.reporting.models import Report, SubmittedAnswer
from app.transparency import figures as F
from app.transparency import queries
from tests.querycount import count_queries
from tests.transparency.builders import at, make_member, make_pledge

END = dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


# An independent computation, straight from the ORM rows, one organisation at a time. ---


def _status_at(org, moment):
    changes = [c for c in org.status_changes if c.at <= moment]
    return max(changes, key=lambda c: c.at).to_status if changes else None


def independent(db, cycle):
    orgs = db.session.scalars(select(Organisation)).all()
    members = {
        o.name: _status_at(o, END)
        for o in orgs
        if _status_at(o, END) in ("active", "non_communicating", "suspended")
    }
    joins = {
        o.name
        for o in orgs
        for c in o.status_changes
        if START <= c.at <= END and c.to_status == "active" and c.from_status in (None, "applicant")
    }
    leaves = {
        o.name
        for o in orgs
        for c in o.status_changes
        if START <= c.at <= END and c.to_status in ("withdrawn", "delisted")
    }
    window = (
        dt.datetime.combine(cycle.opens_on, dt.time(), dt.UTC),
        dt.datetime.combine(cycle.final_date, dt.time(23, 59, 59), dt.UTC),
    )

    def was_member(o):
        if _status_at(o, window[0]) in ("active", "non_communicating"):
            return True
        return any(
            window[0] <= c.at <= window[1] and c.to_status in ("active", "non_communicating")
            for c in o.status_changes
        )

    required = {o.name for o in orgs if o.category in cycle.categories and was_member(o)}
    reports = {
        r.organisation.name: r
        for r in db.session.scalars(select(Report).where(Report.cycle_id == cycle.id))
    }
    reported = {n for n in required if n in reports and reports[n].versions}
    late = {n for n in reported if reports[n].is_late}
    # Indicators: the latest version of each report of the cycle.
    latest = {
        r.id: max(r.versions, key=lambda v: v.number).id for r in reports.values() if r.versions
    }
    answers = [
        a for a in db.session.scalars(select(SubmittedAnswer)) if a.version_id in latest.values()
    ]
    by_question: dict[int, list] = {}
    for a in answers:
        by_question.setdefault(a.question_id, []).append(a.value)
    # Pledges: public, of year-end members, made by the end of the year, status then.
    pledges = []
    for p in db.session.scalars(select(Pledge)):
        if not p.is_public or p.organisation.name not in members or p.created_at > END:
            continue
        updates = [u for u in p.updates if u.at <= END]
        status = max(updates, key=lambda u: u.at).status if updates else p.status
        pledges.append((p, status))
    return {
        "members": members,
        "joins": joins,
        "leaves": leaves,
        "required": required,
        "on_time": reported - late,
        "late": late,
        "missing": required - reported,
        "answers": by_question,
        "pledges": pledges,
    }


def test_membership_and_reporting_match_an_independent_count(db, world):
    expected = independent(db, world.c2025)
    data = queries.load(world.c2025)
    membership = F.membership(data.history, data.period)
    reporting = F.reporting(data.history, data.cycle, data.reports)

    assert membership.members == len(expected["members"])
    assert membership.by_status == dict(Counter(expected["members"].values())) | {
        s: 0 for s in F.IN_ALLIANCE if s not in expected["members"].values()
    }
    assert membership.joins == len(expected["joins"])
    assert membership.departures == len(expected["leaves"])
    category_members = Counter(
        o.category
        for o in db.session.scalars(select(Organisation))
        if o.name in expected["members"]
    )
    assert {row[0]: row[1] for row in membership.by_category.rows if row[1]} == dict(
        category_members
    )
    assert reporting.required == len(expected["required"])
    assert reporting.on_time == len(expected["on_time"])
    assert reporting.late == len(expected["late"])
    assert reporting.missing == len(expected["missing"])
    assert {o.name for o in reporting.non_communicating} == expected["missing"]


def test_figures_worked_out_by_hand(db, world):
    data = queries.load(world.c2025)
    membership = F.membership(data.history, data.period)
    assert membership.members == 6  # alpha, beta, gamma, delta, epsilon, theta
    assert membership.by_status == {"active": 4, "non_communicating": 1, "suspended": 1}
    assert (membership.joins, membership.departures) == (1, 2)  # epsilon; zeta and eta
    assert membership.departures_by_status == {"delisted": 1, "withdrawn": 1}
    assert {r[0]: r[1:] for r in membership.by_country.rows}["FR"] == (1, 0, 1)

    reporting = F.reporting(data.history, data.cycle, data.reports)
    assert (reporting.required, reporting.on_time, reporting.late, reporting.missing) == (
        5,
        2,
        1,
        2,
    )
    assert [o.name for o in reporting.non_communicating] == ["Eta Grid", "Gamma Rights"]
    assert reporting.voluntary == 1  # Delta University (academia) reported without having to

    by_lineage = {i.question.lineage: i for items in data.indicators.values() for i in items}
    mfa = by_lineage["mfa"]
    assert (mfa.yes, mfa.no, mfa.share_yes) == (3, 1, 0.75)
    assert mfa.trend == [(2024, pytest.approx(1 / 3)), (2025, 0.75)]
    days = by_lineage["days"]
    assert (days.minimum, days.q1, days.median, days.q3, days.maximum) == (
        7,
        9.25,
        20,
        33.875,
        45.5,
    )
    assert days.trend == [(2024, 40), (2025, 20)]
    channels = by_lineage["channels"]
    assert channels.answered == 3
    assert [(c, n) for c, n, _s in channels.distribution] == [
        ("Web form", 1),
        ("Email", 3),
        ("Bug bounty", 1),
    ]
    assert [(c, n) for c, n, _s in by_lineage["policy"].distribution] == [
        ("Own", 2),
        ("Sector", 1),
        ("None", 1),
    ]
    assert set(data.indicators) == {"P1", "P2", ""}

    rows = {r.principle: r for r in F.pledges(data.pledge_records, ["P1", "P2", "P3"])}
    assert (rows[""].made, rows[""].made_in_year) == (4, 2)
    assert rows[""].by_status == {
        "planned": 1,
        "in_progress": 1,
        "achieved": 1,
        "missed": 1,
        "withdrawn": 0,
    }
    assert (rows["P1"].made, rows["P1"].by_status["achieved"]) == (1, 1)
    assert (rows["P2"].made, rows["P2"].by_status["missed"], rows["P2"].by_status["planned"]) == (
        2,
        1,
        1,
    )
    assert (rows["P3"].made, rows["P3"].by_status["in_progress"]) == (2, 1)


def test_indicators_match_an_independent_aggregation(db, world):
    expected = independent(db, world.c2025)["answers"]
    data = queries.load(world.c2025)
    for item in (i for items in data.indicators.values() for i in items):
        values = [v for v in expected.get(item.question.id, []) if v is not None]
        if item.question.type == "yes_no":
            assert item.yes == sum(1 for v in values if v is True)
            assert item.answered == len(values)
        elif item.question.type == "number":
            q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
            assert (item.q1, item.median, item.q3) == (
                pytest.approx(q1),
                pytest.approx(median),
                pytest.approx(q3),
            )
            assert (item.minimum, item.maximum) == (min(values), max(values))
        else:
            chosen = Counter(c for v in values for c in (v if isinstance(v, list) else [v]))
            assert {c: n for c, n, _s in item.distribution if n} == dict(chosen)


def test_pledges_match_an_independent_count(db, world):
    expected = independent(db, world.c2025)["pledges"]
    data = queries.load(world.c2025)
    rows = {r.principle: r for r in F.pledges(data.pledge_records, ["P1", "P2", "P3"])}
    assert rows[""].made == len(expected)
    assert rows[""].by_status == {
        s: sum(1 for _p, st in expected if st == s) for s in F.PLEDGE_STATUSES
    }
    for key in ("P1", "P2", "P3"):
        assert rows[key].made == sum(
            1 for p, _s in expected if key in [x.key for x in p.principles]
        )


@pytest.mark.parametrize(
    "values", [[1], [1, 2], [5, 1, 3], [2.5, 2.5, 9, 1, 7, 7, 7], list(range(1, 12))]
)
def test_quantiles_are_the_inclusive_method(values):
    weighted = sorted(Counter(values).items())
    if len(values) > 1:
        expected = statistics.quantiles(values, n=4, method="inclusive")
    else:
        expected = [values[0]] * 3
    got = [F.quantile(weighted, q) for q in (0.25, 0.5, 0.75)]
    assert got == pytest.approx(expected)


def test_indicator_edge_cases():
    yes_no = F.QuestionInfo(1, "l", "Q", "yes_no")
    empty = F.indicator(yes_no, [(None, 4)])
    assert (empty.answered, empty.share_yes, empty.headline) == (0, None, None)
    number = F.indicator(F.QuestionInfo(2, "n", "N", "number"), [(True, 2), ("x", 1), (3, 2)])
    assert (number.answered, number.median) == (2, 3.0)  # booleans and text are not numbers
    unknown_choice = F.indicator(
        F.QuestionInfo(3, "c", "C", "single_choice", ("a", "b")), [("a", 1), ("z", 1)]
    )
    assert [c for c, _n, _s in unknown_choice.distribution] == ["a", "b", "z"]
    assert F.decode('"text"') == "text" and F.decode("not json") == "not json"
    assert F.decode(None) is None


def test_history_without_recorded_changes_uses_joined_on(db):
    from tests.factories import make_org

    old = make_org(name="Imported", joined_on=dt.date(2020, 5, 1))
    new = make_org(name="Imported later", joined_on=dt.date(2025, 5, 1))
    history = queries.load_history()
    assert history.status_at(old.id, END) == "active"
    assert history.status_at(new.id, START) is None
    membership = F.membership(history, F.Period.of_year(2025))
    assert (membership.members, membership.joins) == (2, 1)


def test_pledge_status_follows_its_history():
    updates = [
        (at(2024, 1, 1), "planned"),
        (at(2025, 3, 1), "in_progress"),
        (at(2026, 1, 1), "achieved"),
    ]
    assert F.pledge_status_at(updates, END, "achieved") == "in_progress"
    assert F.pledge_status_at([], END, "missed") == "missed"


def test_loading_takes_a_constant_number_of_queries(db, world):
    def run():
        with count_queries() as counter:
            queries.load(world.c2025)
        return counter.count

    first = run()
    for i in range(30):
        org = make_member(f"Extra member {i}", country="IT")
        make_pledge(org, f"Pledge {i}", [world.p1])
        org.status_changes.append(
            StatusChange(from_status="active", to_status="non_communicating", at=at(2025, 6, 1))
        )
    db.session.flush()
    assert run() == first
    assert first <= 15
