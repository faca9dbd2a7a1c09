"""The directory's filter counts are data kept with every write to an organisation
(app/members/directory/facets.py, issue 20): after each kind of write the table holds exactly
what counting the members gives, and a page's counts equal the aggregate over the members
(the way they were counted before), on SQLite and PostgreSQL. A name search goes through the
name index and finds what a LIKE finds."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app import clock
from app.core.cache import cache
from app.db import db as db_
from app.members import services
from app.members.directory import Filters, facets, load_context, search
from app.members.directory.statements import counts_statement
from app.members.models import DirectoryFacet, Organisation
from app.members.organisations import create_organisation, update_organisation
from app.members.validation import OrganisationData
from tests.factories import make_org, make_sector

FILTER_SETS = [
    Filters(),
    Filters(country="DE"),
    Filters(country="DE", sector="cloud"),
    Filters(category="company", status="active"),
    Filters(year=2024),
    Filters(country="FR", sector="human-rights", category="civil_society", year=2024),
    Filters(q="alp"),
    Filters(q="a"),
    Filters(q="rights", country="FR"),
    # a name search's counts are counted in Python from its matches (`pages.search_counts`)
    Filters(q="a", country="DE", year=2024),
    Filters(q="alp", status="active", category="company"),
    Filters(q="rights", sector="human-rights", year=2023),
    Filters(q="a", sector="no-such-sector"),
]


def stored() -> dict:
    return {
        (r.filter_key, r.facet, r.value): r.n
        for r in db_.session.scalars(select(DirectoryFacet))
        if r.n
    }


def aggregate(filters: Filters, sectors) -> dict:
    """The counts as the directory computed them before (one GROUP BY per filter)."""
    counts = {name: {} for name in facets.DIMENSIONS}
    for row in db_.session.execute(counts_statement(filters, sectors)):
        if row.value is not None:
            counts[row.facet][str(row.value)] = row.n
    return counts


def check_counts() -> None:
    db_.session.flush()
    assert stored() == {k: n for k, n in facets.computed(db_.session.connection()).items() if n}
    sectors = load_context().sectors
    for filters in FILTER_SETS:
        assert (
            facets.read_counts(db_.session, filters, sectors) == aggregate(filters, sectors)
            or filters.q
        ), filters
        cache.clear()  # the fragment cache empties after a commit; these writes are not committed
        page = search(filters, load_context())
        assert page.counts == aggregate(filters, sectors), filters


@pytest.fixture
def members(db, version):
    return {
        "alpha": make_org(
            name="Alpha Cloud", country="DE", sector="Cloud", joined_on=dt.date(2023, 5, 1)
        ),
        "beta": make_org(
            name="Beta Rights",
            country="FR",
            sector="Human rights",
            category="civil_society",
            joined_on=dt.date(2024, 2, 1),
        ),
        "gamma": make_org(name="Gamma Uni", country="DE", sector=None, category="academia"),
        "applicant": make_org(name="Delta Applicant", status="applicant"),
    }


def test_counts_follow_every_write(members, secretariat):
    check_counts()
    alpha, beta, gamma = members["alpha"], members["beta"], members["gamma"]
    # Create: an applicant is not listed; approved (active), it is.
    data = OrganisationData(name="Epsilon Alps", country="KE", category="company")
    new = create_organisation(secretariat, data)
    check_counts()
    services.change_status(secretariat, new, "active")
    check_counts()
    # Unlist and list again; leave.
    services.change_status(secretariat, alpha, "suspended")
    check_counts()
    services.change_status(secretariat, alpha, "active")
    check_counts()
    services.change_status(secretariat, beta, "withdrawn")
    check_counts()
    # Country, sector, category.
    other = make_sector("Research")
    update_organisation(
        secretariat,
        gamma,
        OrganisationData(name="Gamma Uni", country="FR", category="government", sector_id=other.id),
    )
    check_counts()
    update_organisation(
        secretariat, gamma, OrganisationData(name="Gamma Uni", country="FR", category="other")
    )  # and no sector any more
    check_counts()
    # A change to an attribute never loaded (expired): the old value is still known.
    db_.session.flush()
    db_.session.expire(alpha)
    alpha.country = "KE"
    check_counts()
    # A change that does not touch the counts writes nothing.
    alpha.website = "https://alpha.example"
    check_counts()
    # Deleted.
    db_.session.delete(members["applicant"])
    db_.session.delete(new)
    check_counts()


def test_a_rollback_leaves_the_counts_as_they_were(members, secretariat):
    db_.session.commit()
    before = stored()
    services.change_status(secretariat, members["alpha"], "suspended")
    db_.session.flush()
    assert stored() != before
    db_.session.rollback()
    assert stored() == before


def test_rebuild_gives_the_same_table(members):
    db_.session.flush()
    kept = stored()
    facets.rebuild(db_.session.connection())
    assert stored() == kept


def test_counts_read_one_statement_that_names_no_organisation(members, client):
    from tests.querycount import count_queries

    db_.session.commit()
    with count_queries() as counted:
        assert client.get("/members?country=DE&sector=cloud").status_code == 200
    assert not [s for s in counted.statements if "count(" in s.lower()], counted.statements


@pytest.mark.parametrize("q", ["alp", "ALPHA cl", "s", "rights", 'a"b', "%", "_", "100%"])
def test_name_search_finds_what_a_like_finds(members, q):
    make_org(name='Quote "a"b" Org', joined_on=dt.date(2024, 3, 1))
    make_org(name="Hundred 100% Org", joined_on=dt.date(2024, 3, 1))
    make_org(name="Under_score Org", joined_on=dt.date(2024, 3, 1))
    db_.session.flush()
    filters = Filters(q=q)
    found = {row.name for row in search(filters, load_context(), per_page=100).rows}
    needle = " ".join(q.lower().split())
    expected = {
        o.name
        for o in db_.session.scalars(select(Organisation))
        if needle in o.name_key and o.is_listed
    }
    assert found == expected


def test_a_renamed_member_is_found_by_its_new_name(members, secretariat):
    clock.freeze(dt.date(2026, 3, 1))
    update_organisation(
        secretariat,
        members["beta"],
        OrganisationData(name="Omega Freedoms", country="FR", category="civil_society"),
    )
    db_.session.flush()
    context = load_context()
    assert [r.name for r in search(Filters(q="freedoms"), context).rows] == ["Omega Freedoms"]
    assert search(Filters(q="beta rig"), context).total == 0


def test_the_command_rebuilds_counts_lost_to_a_bulk_write(members, runner):
    db_.session.commit()
    kept = stored()
    db_.session.execute(DirectoryFacet.__table__.delete())  # as a load around the ORM would
    db_.session.commit()
    result = runner.invoke(args=["pactum", "rebuild-directory-counts"])
    assert result.exit_code == 0 and "rebuilt" in result.output
    db_.session.expire_all()
    assert stored() == kept
