"""/search: public answers of accepted reports, public pledges and the charter; highlighted,
filtered; typed text is never FTS syntax; the index follows acceptances and pledge changes."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from app.core import signals
from app.db import db
from app.members.models import Pledge
from app.transparency.opendata.indexing import index_member
from app.transparency.opendata.models import SearchEntry
from app.transparency.opendata.search import Query, highlight, search, terms_of
from tests.transparency.builders import make_pledge, make_report


def _hits(client, **args):
    response = client.get("/search", query_string=args)
    return response, response.get_data(as_text=True)


def test_finds_a_public_answer_with_its_words_marked(client, world):
    response, html = _hits(client, q="shipped")
    assert response.status_code == 200
    assert "<mark>shipped</mark>" in html
    assert "Alpha Security, 2025" in html


def test_never_indexes_private_or_unaccepted_answers(client, world):
    # the non-public question, the submitted (not accepted) report, the private pledge
    for words in ("ciso", "Private pledge"):
        _response, html = _hits(client, q=words)
        assert "0 results" in html, words
    kinds = {e.kind for e in db.session.query(SearchEntry)}
    assert kinds == {"answer", "pledge", "principle"}
    assert not db.session.query(SearchEntry).filter(SearchEntry.body.contains("ciso")).count()


def test_pledges_and_principles_are_found(client, world):
    _response, html = _hits(client, q="bounty")
    assert "Pledge: Bug bounty" in html
    _response, html = _hits(client, q="principle title", kind="principle")
    assert "Principle 1" in html and "Principle 3" in html


def test_prefix_and_every_word(world):
    assert search(Query(q="ship", terms=("ship",))).total == 1
    assert search(Query(q="shipped mfa", terms=("shipped", "mfa"))).total == 1
    assert search(Query(q="shipped nothing", terms=("shipped", "nothing"))).total == 0


def test_filters(client, world):
    _response, html = _hits(client, q="shipped", year="2025")
    assert "Alpha Security, 2025" in html
    _response, html = _hits(client, q="shipped", year="2024")
    assert "0 results" in html
    _response, html = _hits(client, q="bounty", country="FR", category="company")
    assert "Beta Telecom" in html
    _response, html = _hits(client, q="bounty", country="DE")
    assert "0 results" in html
    _response, html = _hits(client, q="ngos", sector="human-rights")
    assert "Gamma Rights" in html


@pytest.mark.parametrize(
    "typed",
    [
        '"shipped',
        "shipped OR",
        "NEAR(shipped mfa)",
        "shipped*",
        "-shipped",
        "title:shipped",
        "shipped AND NOT",
        "(shipped",
        "shipped 🚀",
        "🚀",
        "'; DROP TABLE search_entries; --",
        "a & b | !c <-> d:*",
        "\x00shipped",
    ],
)
def test_fts_syntax_is_never_passed_through(client, world, typed):
    response, html = _hits(client, q=typed)
    assert response.status_code == 200
    if terms_of(typed) and "shipped" in terms_of(typed) and len(terms_of(typed)) == 1:
        assert "<mark>shipped</mark>" in html


def test_ten_thousand_characters_are_refused_politely(client, world):
    response, html = _hits(client, q="a" * 10_000)
    assert response.status_code == 400
    assert "at most 200 characters" in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    "args, field",
    [
        ({"year": "abc"}, "year"),
        ({"year": "99999"}, "year"),
        ({"category": "pirates"}, "category"),
        ({"country": "Germany"}, "country"),
        ({"sector": "<script>"}, "sector"),
        ({"kind": "x"}, "kind"),
        ({"page": "0"}, "page"),
    ],
)
def test_malformed_filters_get_a_message_and_400(client, world, args, field):
    response, html = _hits(client, q="mfa", **args)
    assert response.status_code == 400
    assert "could not be used" in html


def test_snippets_escape_html():
    snippet = highlight("<b>bold</b> & security matters", ("secur",))
    assert isinstance(snippet, Markup)
    assert str(snippet) == "&lt;b&gt;bold&lt;/b&gt; &amp; <mark>security</mark> matters"
    long = highlight("word " * 200 + "needle " + "word " * 200, ("needle",))
    assert "<mark>needle</mark>" in long and str(long).startswith("…")


def test_index_follows_acceptance_and_pledges(client, world, secretariat):
    # a report accepted later: its public answers appear when the signal fires
    report = make_report(world.c2025, world.gamma, {world.q2025.story: "Brand new fieldwork."})
    db.session.commit()
    assert search(Query(q="fieldwork", terms=("fieldwork",))).total == 0
    signals.report_accepted.send(report.versions[-1], actor=secretariat)
    db.session.commit()
    assert search(Query(q="fieldwork", terms=("fieldwork",))).total == 1
    # a pledge made private disappears when the member's change is announced
    pledge = db.session.query(Pledge).filter_by(title="Bug bounty").one()
    pledge.is_public = False
    signals.organisation_changed.send(pledge.organisation, actor=secretariat)
    db.session.commit()
    assert search(Query(q="bounty", terms=("bounty",))).total == 0
    make_pledge(world.beta, "Quantum safe crypto")
    index_member(world.beta.id)
    db.session.commit()
    assert search(Query(q="quantum", terms=("quantum",))).total == 1


def test_reindex_command(runner, world):
    db.session.query(SearchEntry).delete()
    db.session.commit()
    result = runner.invoke(args=["pactum", "reindex"])
    assert result.exit_code == 0, result.output
    assert "entries" in result.output
    assert search(Query(q="shipped", terms=("shipped",))).total == 1


def test_a_count_past_the_bound_says_more_than(client, world, monkeypatch):
    """Matches are counted up to MAX_COUNTED (issue 15); past it the page says "more than"
    and offers the pages within it, the best hits first as without the bound."""
    from app.transparency.opendata import search as search_module

    unbounded = search(Query(q="principle", terms=("principle",)))
    assert unbounded.total >= 3 and not unbounded.more
    monkeypatch.setattr(search_module, "MAX_COUNTED", 2)
    monkeypatch.setattr(search_module, "PER_PAGE", 1)
    bounded = search(Query(q="principle", terms=("principle",)))
    assert (bounded.total, bounded.more, bounded.pages) == (2, True, 2)
    assert [h.title for h in bounded.hits] == [unbounded.hits[0].title]
    second = search(Query(q="principle", terms=("principle",), page=2))
    assert [h.title for h in second.hits] == [unbounded.hits[1].title]
    assert search(Query(q="principle", terms=("principle",), page=3)).hits == []
    _response, html = _hits(client, q="principle")
    assert "More than 2 results" in html
    assert "most recent" not in html  # every match ranked (fewer than MAX_RANKED)
    # with a filter, the same bound
    filtered = search(Query(q="principle", terms=("principle",), kind="principle"))
    assert (filtered.total, filtered.more) == (2, True)


def test_filter_choices_are_the_listed_members_values(client, world):
    """The countries and sectors of listed members (the directory's counts), the years with
    an accepted report: read from small tables, never the index (issue 15)."""
    from app.members.models import Organisation, Sector
    from app.transparency.opendata.lists import listed
    from app.transparency.opendata.search import choices

    offered = choices()
    rows = db.session.execute(
        db.select(Organisation.country, Sector.slug, Sector.name)
        .outerjoin(Sector, Sector.id == Organisation.sector_id)
        .where(listed())
    ).all()
    assert offered.countries == sorted({country for country, _s, _n in rows if country})
    assert offered.sectors == sorted(
        {(slug, name) for _c, slug, name in rows if slug}, key=lambda item: item[1].casefold()
    )
    indexed_years = {
        y for (y,) in db.session.execute(db.select(SearchEntry.year).distinct()) if y is not None
    }
    assert indexed_years <= set(offered.years)
    assert offered.years == sorted(offered.years, reverse=True)
    _response, html = _hits(client, q="shipped")
    for country in offered.countries:
        assert f'value="{country}"' in html


def test_past_max_ranked_the_best_of_the_most_recent_matches(client, world, monkeypatch):
    """Past MAX_RANKED matches (issue 15) the hits are the most relevant among the
    MAX_RANKED most recent (highest ids), ranked as without the bound, and the page says
    so beside the count; with MAX_RANKED or fewer, every match is ranked as before."""
    from app.transparency.opendata import search as search_module

    query = Query(q="principle", terms=("principle",), kind="principle")
    everything = search(query)
    assert everything.total >= 3 and not everything.bounded
    newest = set(
        db.session.scalars(
            db.select(SearchEntry.title)
            .where(SearchEntry.kind == "principle")
            .order_by(SearchEntry.id.desc())
            .limit(2)
        )
    )
    monkeypatch.setattr(search_module, "MAX_RANKED", 2)
    bounded = search(query)
    assert (bounded.total, bounded.bounded, bounded.ranked, bounded.pages) == (
        everything.total,
        True,
        2,
        1,
    )
    assert [h.title for h in bounded.hits] == [
        h.title for h in everything.hits if h.title in newest
    ]
    _response, html = _hits(client, q="principle", kind="principle")
    assert f"{everything.total} results" in html
    assert "Showing the most relevant among the 2 most recent;" in html


def test_a_filtered_search_reads_only_the_entries_it_shows(client, world):
    """The filters are facet tokens of the full-text index (issue 15): counting and
    ranking a filtered search read the index alone, the entries only by the shown ids."""
    from sqlalchemy import event

    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        results = search(
            Query(q="shipped", terms=("shipped",), year=2025, country="DE", kind="answer")
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert results.total == 1 and results.hits[0].member_name == "Alpha Security"
    count, page = seen[-2:]
    ranked = page.split("JOIN (", 1)[1].split(") AS", 1)[0]  # the page's ids, ranked
    for statement in (count, ranked):
        for column in ("year", "country", "kind"):
            assert f"search_entries.{column}" not in statement
    if db.engine.dialect.name == "sqlite":
        assert "search_entries" not in count and "search_entries" not in ranked
    for filters in ({"year": 2024}, {"country": "FR"}, {"kind": "pledge"}, {"sector": "x"}):
        assert search(Query(q="shipped", terms=("shipped",), **filters)).total == 0
