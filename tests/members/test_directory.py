"""The public directory: filters in the URL, counts per filter value, sorting, paging,
who is listed, and a constant number of SQL statements per page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.members.directory import Filters, load_sectors, search
from tests.factories import make_org
from tests.members import builders
from tests.querycount import count_queries


def names(body: str) -> list[str]:
    return re.findall(r'class="member-name"><a href="[^"]+">([^<]+)</a>', body)


@pytest.fixture
def world(db, version):
    make_org(name="Alpha Cloud", country="DE", sector="Cloud", category="company",
             joined_on=dt.date(2023, 5, 1))
    make_org(name="beta  Rights", country="FR", sector="Human rights",
             category="civil_society", joined_on=dt.date(2024, 2, 1))
    make_org(name="Gamma Uni", country="DE", sector="Research", category="academia",
             joined_on=dt.date(2024, 9, 1))
    make_org(name="Delta Gone", country="DE", sector="Cloud", status="delisted",
             joined_on=dt.date(2023, 1, 10))
    make_org(name="Epsilon Applicant", country="DE", status="applicant")
    make_org(name="Zeta Rejected", country="DE", status="rejected", joined_on=None)
    # Withdrew while still an applicant: never a member, never listed.
    make_org(name="Eta Withdrawn Early", country="DE", status="withdrawn", joined_on=None)
    db.session.commit()


def test_lists_members_but_never_applications(client, world):
    response = client.get("/members")
    assert response.status_code == 200
    listed = names(response.get_data(as_text=True))
    assert listed == ["Alpha Cloud", "beta  Rights", "Delta Gone", "Gamma Uni"]
    assert "Epsilon Applicant" not in response.get_data(as_text=True)


def test_search_is_case_and_space_insensitive(client, world):
    body = client.get("/members?q=BETA%20%20%20rights").get_data(as_text=True)
    assert names(body) == ["beta  Rights"]
    # LIKE wildcards typed by a visitor are taken literally.
    assert names(client.get("/members?q=%25").get_data(as_text=True)) == []
    assert names(client.get("/members?q=_").get_data(as_text=True)) == []


def test_filters_combine_and_stay_in_the_url(client, world):
    body = client.get("/members?country=de&sector=cloud&status=active").get_data(as_text=True)
    assert names(body) == ["Alpha Cloud"]
    # The selected values are kept in the form, so the page can be shared and refined.
    assert '<option value="DE" selected>Germany (' in body
    assert '<option value="cloud" selected>Cloud (' in body
    # The CSV and JSON links carry the same filters.
    assert "/members.csv?country=DE&amp;sector=cloud&amp;status=active" in body


def test_each_filter_value_shows_its_count_given_the_other_filters(client, world):
    body = client.get("/members?country=DE").get_data(as_text=True)
    # Countries are counted without the country filter: switching country shows the FR count.
    assert '<option value="FR" >France (1)</option>' in body
    assert '<option value="DE" selected>Germany (3)</option>' in body
    # The other filters are counted within Germany.
    assert '<option value="active" >Active (2)</option>' in body
    assert '<option value="delisted" >Delisted (1)</option>' in body
    assert '<option value="2024" >2024 (1)</option>' in body
    assert '<option value="2023" >2023 (2)</option>' in body
    assert "civil_society" not in re.search(r'id="filter-category".*?</select>', body, re.S).group(0)


def test_year_and_category_filters(client, world):
    assert names(client.get("/members?year=2024").get_data(as_text=True)) == [
        "beta  Rights", "Gamma Uni"]
    assert names(client.get("/members?category=academia").get_data(as_text=True)) == ["Gamma Uni"]


def test_sort_by_join_date(client, world):
    newest = names(client.get("/members?sort=newest").get_data(as_text=True))
    assert newest == ["Gamma Uni", "beta  Rights", "Alpha Cloud", "Delta Gone"]
    oldest = names(client.get("/members?sort=oldest").get_data(as_text=True))
    assert oldest == list(reversed(newest))


@pytest.mark.parametrize("query, field", [
    ("country=XX", "country"), ("country=Germany", "country"), ("sector=nope", "sector"),
    ("category=spy", "category"), ("status=applicant", "status"), ("status=rejected", "status"),
    ("year=20x4", "year"), ("year=%D9%A2%D9%A0%D9%A2%D9%A4", "year"), ("sort=random", "sort"),
    ("page=0", "page"), ("page=-1", "page"), ("page=%C2%B2", "page"), ("q=" + "x" * 101, "q"),
])
def test_invalid_filters_answer_400_with_a_message(client, world, query, field):
    response = client.get(f"/members?{query}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Some filters could not be used" in body
    if field not in ("page",):
        assert f'id="filter-{field}-error"' in body
    # The page still works: the invalid filter is ignored.
    assert "Alpha Cloud" in body


def test_pagination(client, db, version):
    for i in range(30):
        make_org(name=f"Member {i:02d}")
    db.session.commit()
    first = client.get("/members").get_data(as_text=True)
    assert len(names(first)) == 24
    assert 'href="/members?page=2"' in first
    second = client.get("/members?page=2").get_data(as_text=True)
    assert names(second) == [f"Member {i:02d}" for i in range(24, 30)]
    # A page past the end shows the last page rather than nothing.
    assert names(client.get("/members?page=99").get_data(as_text=True)) == names(second)


def test_shows_endorsed_version(client, db, version):
    org = make_org(name="Signed Org")
    builders.endorse(org, version)
    make_org(name="Unsigned Org")
    db.session.commit()
    body = client.get("/members").get_data(as_text=True)
    assert "Endorsed the current charter (version 1)" in body


def _populate(n: int, db, version, start: int = 0):
    sectors = ["Cloud", "Energy", "Health"]
    countries = ["DE", "FR", "KE", "BR", "JP"]
    for i in range(start, start + n):
        org = make_org(name=f"Org {i:04d}", country=countries[i % 5], sector=sectors[i % 3],
                       category=["company", "academia"][i % 2],
                       joined_on=dt.date(2020 + i % 6, 1 + i % 12, 1),
                       status=["active", "active", "suspended", "delisted"][i % 4])
        if i % 2:
            org.endorsed_version_id = version.id
    db.session.commit()


@pytest.mark.parametrize("url", [
    "/members", "/members?country=DE&sort=newest", "/members?q=org&sector=cloud&year=2021",
    "/members?page=3&status=active",
])
def test_constant_queries_whatever_the_size(client, db, version, url):
    _populate(10, db, version)
    client.get(url)  # warm up (first request loads templates)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _populate(290, db, version, start=10)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, (small.statements, large.statements)
    assert large.count <= 5, large.statements


def test_search_service_counts_and_total(db, version):
    _populate(40, db, version)
    sectors = load_sectors()
    result = search(Filters(country="DE"), sectors, page=1, per_page=5)
    assert result.total == 8
    assert len(result.rows) == 5 and result.pages == 2
    assert sum(v.count for v in result.facets["country"]) == 40
    assert {v.value for v in result.facets["status"]} == {"active", "suspended", "delisted"}


def test_logged_in_visitors_see_the_same_directory(client, world, rep_a, login):
    login(client, rep_a)
    assert "Epsilon Applicant" not in client.get("/members").get_data(as_text=True)


# Whatever a visitor puts in the address, the answer is a page or a 400, never a 500.

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PARAMS = st.dictionaries(
    st.sampled_from(["q", "country", "sector", "category", "status", "year", "sort", "page",
                     "per_page"]),
    st.one_of(st.text(max_size=12), st.sampled_from(["DE", "de", "active", "2024", "name",
                                                     "newest", "1", "0", "-1", "cloud"])),
    max_size=5,
)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=_PARAMS)
def test_any_query_string_is_a_page_or_a_400(client, world, params):
    for url in ("/members", "/api/v1/members", "/members.csv"):
        response = client.get(url, query_string=params)
        assert response.status_code in (200, 400), (url, params, response.status_code)
        response.close()
