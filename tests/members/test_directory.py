"""The public directory: filters in the URL, counts per filter value, sorting, paging,
who is listed, and a constant number of SQL statements per page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re

import pytest
from sqlalchemy import select, text

from app.core.cache import cache
from app.db import db as db_
from app.members import directory
from app.members.directory import Filters, load_context, search
from app.members.models import Organisation
from tests.factories import make_org
from tests.members import builders
from tests.querycount import count_queries


def names(body: str) -> list[str]:
    return re.findall(r'class="member-name"><a href="[^"]+">([^<]+)</a>', body)


@pytest.fixture
def world(db, version):
    make_org(
        name="Alpha Cloud",
        country="DE",
        sector="Cloud",
        category="company",
        joined_on=dt.date(2023, 5, 1),
    )
    make_org(
        name="beta  Rights",
        country="FR",
        sector="Human rights",
        category="civil_society",
        joined_on=dt.date(2024, 2, 1),
    )
    make_org(
        name="Gamma Uni",
        country="DE",
        sector="Research",
        category="academia",
        joined_on=dt.date(2024, 9, 1),
    )
    make_org(
        name="Delta Gone",
        country="DE",
        sector="Cloud",
        status="delisted",
        joined_on=dt.date(2023, 1, 10),
    )
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
    assert "civil_society" not in re.search(r'id="filter-category".*?</select>', body, re.S).group(
        0
    )


def test_year_and_category_filters(client, world):
    assert names(client.get("/members?year=2024").get_data(as_text=True)) == [
        "beta  Rights",
        "Gamma Uni",
    ]
    assert names(client.get("/members?category=academia").get_data(as_text=True)) == ["Gamma Uni"]


def test_sort_by_join_date(client, world):
    newest = names(client.get("/members?sort=newest").get_data(as_text=True))
    assert newest == ["Gamma Uni", "beta  Rights", "Alpha Cloud", "Delta Gone"]
    oldest = names(client.get("/members?sort=oldest").get_data(as_text=True))
    assert oldest == list(reversed(newest))


@pytest.mark.parametrize(
    "query, field",
    [
        ("country=XX", "country"),
        ("country=Germany", "country"),
        ("sector=nope", "sector"),
        ("category=spy", "category"),
        ("status=applicant", "status"),
        ("status=rejected", "status"),
        ("year=20x4", "year"),
        ("year=%D9%A2%D9%A0%D9%A2%D9%A4", "year"),
        ("sort=random", "sort"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=%C2%B2", "page"),
        ("q=" + "x" * 101, "q"),
    ],
)
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


def test_page_links_carry_the_filters_and_nothing_a_visitor_added(client, db, version):
    """The results section is one cached fragment per filters and page: its links are built
    from the filters, so one visitor's extra query arguments never reach another's page."""
    for i in range(30):
        make_org(name=f"Member {i:02d}", country="FR")
    db.session.commit()
    tracked = client.get("/members?country=FR&utm_source=newsletter").get_data(as_text=True)
    assert 'href="/members?country=FR&amp;page=2"' in tracked
    assert "utm_source" not in tracked.split('id="results-heading"')[1]
    plain = client.get("/members?country=FR").get_data(as_text=True)
    assert 'href="/members?country=FR&amp;page=2"' in plain and "utm_source" not in plain
    assert 'href="/members.csv?country=FR"' in plain
    back = client.get("/members?country=FR&page=2").get_data(as_text=True)
    assert 'href="/members?country=FR" rel="prev"' in back


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
        org = make_org(
            name=f"Org {i:04d}",
            country=countries[i % 5],
            sector=sectors[i % 3],
            category=["company", "academia"][i % 2],
            joined_on=dt.date(2020 + i % 6, 1 + i % 12, 1),
            status=["active", "active", "suspended", "delisted"][i % 4],
        )
        if i % 2:
            org.endorsed_version_id = version.id
    db.session.commit()


@pytest.mark.parametrize(
    "url",
    [
        "/members",
        "/members?country=DE&sort=newest",
        "/members?q=org&sector=cloud&year=2021",
        "/members?page=3&status=active",
    ],
)
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
    result = search(Filters(country="DE"), load_context(), page=1, per_page=5)
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
    st.sampled_from(
        ["q", "country", "sector", "category", "status", "year", "sort", "page", "per_page"]
    ),
    st.one_of(
        st.text(max_size=12),
        st.sampled_from(["DE", "de", "active", "2024", "name", "newest", "1", "0", "-1", "cloud"]),
    ),
    max_size=5,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=_PARAMS)
def test_any_query_string_is_a_page_or_a_400(client, world, params):
    for url in ("/members", "/api/v1/members", "/members.csv"):
        response = client.get(url, query_string=params)
        assert response.status_code in (200, 400), (url, params, response.status_code)
        response.close()


# Name search: a literal substring of the name, the same on SQLite and PostgreSQL -------------


@pytest.fixture
def named(db, version):
    for name in [
        "Café Łódź Sécurité",
        'Secure "Quotes" Ltd',
        "C++ Labs",
        "AT&T-ish (Holdings)",
        "Either OR Neither",
        "Star*Corp",
        "North Wind",
        "Back\\Slash 100%",
    ]:
        make_org(name=name)
    db.session.commit()


def search_names(client, q: str) -> list[str]:
    response = client.get("/members", query_string={"q": q})
    assert response.status_code == 200, (q, response.status_code)
    return [html.unescape(n) for n in names(response.get_data(as_text=True))]


@pytest.mark.parametrize(
    "q, expected",
    [
        # words and prefixes, any case, spaces collapsed
        ("north", ["North Wind"]),
        ("NOR", ["North Wind"]),
        ("north   wind", ["North Wind"]),
        ("th wi", ["North Wind"]),
        ("wind north", []),
        # letters with accents, in either case; an accent is part of the letter
        ("café", ["Café Łódź Sécurité"]),
        ("CAFÉ ŁÓDŹ", ["Café Łódź Sécurité"]),
        ("sécurité", ["Café Łódź Sécurité"]),
        ("cafe", []),
        # punctuation and what would be query syntax elsewhere are plain characters
        ('"quotes"', ['Secure "Quotes" Ltd']),
        ('"', ['Secure "Quotes" Ltd']),
        ("c++", ["C++ Labs"]),
        ("*", ["Star*Corp"]),
        ("star*", ["Star*Corp"]),
        ("-ish", ["AT&T-ish (Holdings)"]),
        ("(holdings)", ["AT&T-ish (Holdings)"]),
        ("(", ["AT&T-ish (Holdings)"]),
        ("at&t", ["AT&T-ish (Holdings)"]),
        ("or neither", ["Either OR Neither"]),
        ("NEAR(", []),
        ("a:b", []),
        ("^", []),
        ("100%", ["Back\\Slash 100%"]),
        ("\\", ["Back\\Slash 100%"]),
        ("%", ["Back\\Slash 100%"]),
        ("_", []),
    ],
)
def test_name_search(client, named, q, expected):
    assert search_names(client, q) == expected


def test_or_is_a_substring_not_an_operator(client, named):
    assert search_names(client, "OR") == ["Either OR Neither", "North Wind", "Star*Corp"]


def test_search_gives_the_same_members_in_the_page_the_api_and_the_csv(client, named):
    page = search_names(client, "or")
    api = client.get("/api/v1/members", query_string={"q": "or"}).get_json()
    assert [m["name"] for m in api["data"]] == page and api["meta"]["total"] == len(page)
    csv_rows = client.get("/members.csv", query_string={"q": "or"}).get_data(as_text=True)
    assert len(csv_rows.strip().splitlines()) == len(page) + 1
    body = client.get("/members?q=or").get_data(as_text=True)
    assert "3 members match your search" in body


# Caching: counts and pages come from the server-side cache until a write --------------------


def test_counts_and_pages_are_cached_until_a_write(client, db, version):
    _populate(30, db, version)
    context = load_context()
    search(Filters(country="DE"), context, page=2, per_page=5)
    with count_queries(uncached=False) as again:
        cached = search(Filters(country="DE"), load_context(), page=2, per_page=5)
    assert again.count == 0, again.statements
    assert cached.total == 6 and len(cached.rows) == 1
    # Any write to an organisation makes the cached counts and pages stale.
    make_org(name="Org 9999", country="DE", joined_on=dt.date(2024, 3, 1))
    db.session.commit()
    fresh = search(Filters(country="DE"), load_context(), page=2, per_page=5)
    assert fresh.total == 7 and len(fresh.rows) == 2


def test_the_page_and_its_filter_counts_follow_writes(client, db, version):
    _populate(5, db, version)
    first = client.get("/members").get_data(as_text=True)
    assert '<option value="DE" >Germany (1)</option>' in first
    org = make_org(name="Aardvark Security", country="DE", joined_on=dt.date(2024, 3, 1))
    db.session.commit()
    body = client.get("/members").get_data(as_text=True)
    assert names(body)[0] == "Aardvark Security"
    assert '<option value="DE" >Germany (2)</option>' in body
    org.status = "suspended"
    db.session.commit()
    body = client.get("/members?status=suspended").get_data(as_text=True)
    assert "Aardvark Security" in names(body)


def test_a_row_shows_what_its_member_is_now(client, db, version):
    """A row's HTML is remembered per process by everything it shows (members/views.py:
    _member_items), with every cache off as after a write: a renamed or suspended member's
    row changes, the others stay, and the language is part of it."""
    _populate(3, db, version)
    org = make_org(name="Aardvark Security", country="DE", joined_on=dt.date(2024, 3, 1))
    db.session.commit()
    body = client.get("/members").get_data(as_text=True)
    assert names(body)[0] == "Aardvark Security"
    org.name = "Aardvark Privacy"
    org.status = "suspended"
    db.session.commit()
    body = client.get("/members").get_data(as_text=True)
    assert names(body)[0] == "Aardvark Privacy" and "Aardvark Security" not in body
    row = body.split('class="member-item"')[1].split("</li>")[0]
    assert "badge-suspended" in row and "Joined" in row
    french = client.get("/members", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    row = french.split('class="member-item"')[1].split("</li>")[0]
    assert "Joined" not in row and "Allemagne" in row


def test_with_every_cache_off_the_form_and_results_follow_what_they_show(
    client, db, version, monkeypatch
):
    """With the fragment cache off (as after any write), the filter form and the results
    section are remembered per process by everything they show (members/views.py:
    `_ShownMemo`): the same data gives the same HTML, and a write that changes a count or a
    row shows at once, as does another language."""
    from app.members import views
    from app.members.directory import pages

    def uncached(name, key, fn, *args, **kwargs):
        return fn()

    monkeypatch.setattr(views, "memoize_fragment", uncached)
    monkeypatch.setattr(pages, "memoize_fragment", uncached)
    _populate(3, db, version)

    def germany(body):
        return int(re.search(r'<option value="DE" [^>]*>Germany \((\d+)\)', body).group(1))

    first = client.get("/members").get_data(as_text=True)
    assert client.get("/members").get_data(as_text=True) == first
    make_org(name="Aardvark Security", country="DE", joined_on=dt.date(2024, 3, 1))
    db.session.commit()
    body = client.get("/members").get_data(as_text=True)
    assert names(body)[0] == "Aardvark Security" and germany(body) == germany(first) + 1
    searched = client.get("/members?q=aardvark").get_data(as_text=True)
    assert names(searched) == ["Aardvark Security"] and germany(searched) == 1
    french = client.get("/members?q=aardvark", headers={"Accept-Language": "fr"})
    assert "Allemagne (1)" in french.get_data(as_text=True)


def test_the_filter_form_is_cached_per_language(client, db, version):
    _populate(3, db, version)

    def page(language):
        return client.get("/members", headers={"Accept-Language": language}).get_data(as_text=True)

    english = page("en")
    french = page("fr")
    assert "Find members" in english and "Find members" not in french
    assert page("en") == english and page("fr") == french


def test_country_names_are_in_the_visitor_language_and_english_in_the_api(client, db, version):
    """Rows and the country filter name countries as the profile does, in the visitor's
    language, whichever language the process served first; the API keeps the English ISO
    name its documentation promises."""
    make_org(name="Aardvark Security", country="DE")
    make_org(name="Zebra Labs", country="CH")
    db.session.commit()

    def page(language):
        return client.get("/members", headers={"Accept-Language": language}).get_data(as_text=True)

    for _twice in range(2):
        english, french = page("en"), page("fr")
        assert "<span>Germany</span>" in english and "<span>Allemagne</span>" in french
        assert '<option value="CH" >Switzerland (1)</option>' in english
        assert '<option value="CH" >Suisse (1)</option>' in french
        assert "Germany" not in french
    api = client.get("/api/v1/members", headers={"Accept-Language": "fr"}).get_json()
    assert {m["country_name"] for m in api["data"]} == {"Germany", "Switzerland"}


# The query plans: the directory reads its index ------------------------------------------------


def _literal_sql(statement) -> str:
    return str(
        statement.compile(dialect=db_.engine.dialect, compile_kwargs={"literal_binds": True})
    )


def _plan(statement) -> str:
    rows = db_.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {_literal_sql(statement)}")
    return "\n".join(str(r[-1]) for r in rows)


def test_pages_and_counts_walk_the_directory_index_on_sqlite(db, version):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    _populate(20, db, version)
    sectors = load_context().sectors
    for filters in (Filters(), Filters(q="or"), Filters(status="active", year=2021)):
        page = directory._page_statement(filters, sectors, offset=400, limit=24, full=False)
        plan = _plan(page)
        assert "USING INDEX ix_organisations_directory" in plan and "TEMP B-TREE" not in plan
        counts = directory._counts_statement(filters, sectors)
        plan = _plan(counts)
        assert plan.count("COVERING INDEX ix_organisations_directory") == len(directory.FACETS)
    # A name search of three characters or more: the trigram index finds the matches, read by
    # id (their number, not the directory's size, is the cost).
    filters = Filters(q="org")
    for statement in (
        directory._page_statement(filters, sectors, offset=0, limit=24, full=False),
        directory._counts_statement(filters, sectors),
    ):
        plan = _plan(statement)
        assert "organisations_fts VIRTUAL TABLE" in plan, plan
        assert "INTEGER PRIMARY KEY" in plan and "ix_organisations" not in plan, plan


def test_name_search_uses_the_trigram_index_on_postgresql(db, version):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL query plans")
    _populate(20, db, version)
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    statement = select(Organisation.id).where(
        Organisation.name_key.like(directory.like_pattern("org 00"), escape="\\")
    )
    plan = "\n".join(
        r[0] for r in db.session.connection().exec_driver_sql(f"EXPLAIN {_literal_sql(statement)}")
    )
    assert "ix_organisations_name_trgm" in plan, plan


def test_the_search_box_shows_the_words_as_typed(client, named):
    assert 'value="NORTH"' in client.get("/members?q=NORTH").get_data(as_text=True)
    assert 'value="north"' in client.get("/members?q=north").get_data(as_text=True)


def test_a_search_with_few_matches_finds_them_first_on_postgresql(db, version):
    # The matches are collected (by the trigram index at scale), then sorted; the name index
    # is not walked. (Which index collects them on 20 rows is the planner's choice.)
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL query plans")
    _populate(20, db, version)
    statement = directory._page_statement(
        Filters(q="org 001"), load_context().sectors, offset=0, limit=24, full=False, total=10
    )
    plan = "\n".join(
        r[0] for r in db.session.connection().exec_driver_sql(f"EXPLAIN {_literal_sql(statement)}")
    )
    assert "CTE matches" in plan and "Sort Key: organisations.name_key" in plan, plan
    names_found = [r.name for r in db.session.execute(statement)]
    assert names_found == [f"Org {i:04d}" for i in range(10, 20)]


def test_the_count_has_thousands_separators(client, db, version, monkeypatch):
    from app.members import directory

    monkeypatch.setattr(directory, "search", _with_total(directory.search, 23907))
    monkeypatch.setattr("app.members.views.search", _with_total(directory.search, 23907))
    assert "23,907 members" in client.get("/members").get_data(as_text=True)
    french = client.get("/members", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "23\u202f907 membres" in french or "23 907 membres" in french


def _with_total(search, total):
    def patched(*args, **kwargs):
        result = search(*args, **kwargs)
        return (
            dataclasses.replace(result, total=total)
            if dataclasses.is_dataclass(result)
            else result._replace(total=total)
        )

    return patched


@pytest.mark.parametrize("sort", ["name", "newest", "oldest"])
def test_a_name_search_pages_its_matches_in_the_page_statements_order(db, version, sort):
    """A name search reads its matches once, in the page's order (`statements.search_matches`:
    ordered by the database, its collation included), counts them and reads its page by id:
    the same members, in the same order, on every page, as the page statement gives
    (accents, case and ties included), on both databases."""
    names = [
        "Ärger Secure",
        "zeta secure",
        "Zeta Secured",
        "ÉCOLE SECURE",
        "Ecole Secure",
        "ß Secure 2",
        "secure",
        "Secure Œuvre",
        "a secure",
        "ǅ secure 4",
        "日本 secure 3",
    ]
    for i, name in enumerate(names):
        make_org(name=name, country="DE", joined_on=dt.date(2020 + i % 3, 1 + i % 2, 1))
    make_org(name="Other Org", country="DE", joined_on=dt.date(2021, 1, 1))
    db_.session.flush()
    filters = Filters(q="secure", sort=sort)
    context = load_context()
    for page in (1, 2, 3, 4):
        cache.clear()  # as with every cache off: the counts read the matches
        result = search(filters, context, page=page, per_page=3)
        assert result.order is not None
        expected = db_.session.execute(
            directory.page_statement(filters, context.sectors, result.offset, 3, False)
        ).all()
        assert [r.id for r in result.rows] == [r.id for r in expected], (sort, page)
    assert result.total == len(names)
