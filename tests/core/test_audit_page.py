"""The audit page's filters: kind (all / authentication / changes), a person's email, a date
range; pagination keeps them; the statements do not grow with the events."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import insert

from app.core.models import AuditEvent
from app.core.services import AuditFilters, audit_page, record
from tests.conftest import login_as
from tests.querycount import count_queries

DAY = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


def _world(db, secretariat, rep_a):
    """A few events of each kind, on three days."""
    rows = [
        (DAY - dt.timedelta(days=2), None, "login.failed", "", None, "mallory@evil.example"),
        (DAY - dt.timedelta(days=1), rep_a.id, "login.succeeded", "users", rep_a.id, rep_a.email),
        (DAY - dt.timedelta(days=1), secretariat.id, "charter.published", "", None, "Charter v2"),
        (DAY, None, "login.failed", "users", rep_a.id, rep_a.email),
        (DAY, rep_a.id, "user.password_changed", "users", rep_a.id, rep_a.email),
        (DAY, secretariat.id, "mfa.reset", "users", rep_a.id, rep_a.email),
        (DAY, secretariat.id, "organisation.approved", "organisations", 1, "Alpha Org"),
    ]
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "at": at,
                "actor_id": a,
                "action": act,
                "object_type": ot,
                "object_id": oid,
                "summary": s,
                "detail": {},
            }
            for at, a, act, ot, oid, s in rows
        ],
    )
    db.session.commit()


def _actions(filters: AuditFilters) -> list[str]:
    return sorted(e.action for e in audit_page(filters).events)


def test_kind_separates_authentication_from_changes(db, secretariat, rep_a):
    _world(db, secretariat, rep_a)
    assert _actions(AuditFilters(kind="authentication")) == [
        "login.failed",
        "login.failed",
        "login.succeeded",
        "mfa.reset",
        "user.password_changed",
    ]
    assert _actions(AuditFilters(kind="changes")) == ["charter.published", "organisation.approved"]
    assert audit_page(AuditFilters()).total == 7


def test_email_finds_events_by_or_about_a_person(db, secretariat, rep_a):
    _world(db, secretariat, rep_a)
    assert _actions(AuditFilters(email="REP@alpha")) == [
        "login.failed",
        "login.succeeded",
        "mfa.reset",
        "user.password_changed",
    ]
    assert _actions(AuditFilters(email="mallory")) == ["login.failed"]  # no account: the summary
    assert _actions(AuditFilters(email="%")) == []  # a wildcard is a character


def test_dates_bound_the_events_inclusively(db, secretariat, rep_a):
    _world(db, secretariat, rep_a)
    one_day = DAY.date() - dt.timedelta(days=1)
    assert _actions(AuditFilters(since=one_day, until=one_day)) == [
        "charter.published",
        "login.succeeded",
    ]
    assert audit_page(AuditFilters(since=DAY.date())).total == 4
    assert audit_page(AuditFilters(until=one_day)).total == 3


def test_the_page_filters_and_keeps_its_filters_in_the_pagination(client, db, secretariat, rep_a):
    _world(db, secretariat, rep_a)
    for i in range(60):
        record(None, "login.failed", None, summary=f"guess{i}@evil.example")
    db.session.commit()
    login_as(client, secretariat)
    response = client.get("/secretariat/audit?kind=authentication&email=evil&since=2026-01-01")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "61 events match these filters." in body
    assert "charter.published" not in body
    next_link = re.search(r'href="([^"]+)" rel="next"', body).group(1).replace("&amp;", "&")
    assert "kind=authentication" in next_link and "email=evil" in next_link
    assert "page=2" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert "Page 2 of 2" in second and "mallory@evil.example" in second


def test_wrong_filters_are_named_next_to_their_fields(client, db, secretariat):
    db.session.commit()
    login_as(client, secretariat)
    response = client.get("/secretariat/audit?since=2026-13-45&until=2026-01-01&kind=everything")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="since-error"' in body and 'id="kind-error"' in body
    reversed_range = client.get("/secretariat/audit?since=2026-03-01&until=2026-02-01")
    assert reversed_range.status_code == 422
    assert "must not be before the start date" in reversed_range.get_data(as_text=True)
    too_long = client.get("/secretariat/audit?email=" + "a" * 300)
    assert too_long.status_code == 422


def test_extreme_dates_are_answered(client, db, secretariat):
    db.session.commit()
    login_as(client, secretariat)
    for query in ["since=0001-01-01&until=9999-12-31", "until=9999-12-31", "since=9999-12-31"]:
        assert client.get(f"/secretariat/audit?{query}").status_code == 200, query


def test_only_the_secretariat_reads_it(client, db, rep_a):
    db.session.commit()
    login_as(client, rep_a)
    assert client.get("/secretariat/audit?kind=authentication").status_code == 403


def _statements(client, url: str) -> int:
    client.get(url)  # warm-up: the measured request loads its user like any other
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_statements_do_not_grow_with_the_events(client, db, secretariat, rep_a, make_user):
    _world(db, secretariat, rep_a)
    login_as(client, secretariat)
    url = "/secretariat/audit?kind=authentication&email=example&since=2026-01-01&until=2026-12-31"
    small = [_statements(client, url), _statements(client, "/secretariat/audit")]
    people = [make_user(email=f"p{i}@example.org") for i in range(20)]
    db.session.flush()
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "at": DAY,
                "actor_id": people[i % 20].id,
                "action": ("login.failed", "mfa.enrolled", "pledge.added")[i % 3],
                "object_type": "users",
                "object_id": people[(i + 1) % 20].id,
                "summary": f"event {i}",
                "detail": {"ip": "192.0.2.1"},
            }
            for i in range(300)
        ],
    )
    db.session.commit()
    big = [_statements(client, url), _statements(client, "/secretariat/audit")]
    assert small == big
