"""/search stems each text in the language it is written in (issue 18): an answer in the
language its author wrote it, pledges and principles in the source language, a charter
translation in its own. Filters still apply; typed text is still never FTS syntax; the
matched words are marked; the snippet says its language."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
from sqlalchemy import insert

from app.charter.translations.entries import source_hash
from app.charter.translations.models import CharterTranslation
from app.db import db
from app.transparency.opendata.indexing import answer_entries, index_charter, index_member
from app.transparency.opendata.models import SearchEntry
from app.transparency.opendata.search import Query, fts_expression, highlight, search, terms_of
from app.transparency.opendata.stemming import query_stems, regconfig, regconfigs, stems_of
from tests.transparency.builders import make_report


def _answer(world, org, text: str, lang: str | None, year: int = 2025):
    """An accepted report of `org` whose public story is `text`, written in `lang`."""
    cycle, story = getattr(world, f"c{year}"), getattr(world, f"q{year}").story
    report = make_report(cycle, org, {story: text})
    version = report.versions[-1]
    snapshot = copy.deepcopy(version.snapshot)
    for section in snapshot["sections"]:
        for q in section["questions"]:
            if q["id"] == story.id:
                q["lang"] = lang
    version.snapshot = snapshot
    db.session.flush()
    index_member(org.id)
    db.session.commit()


def _total(q: str, **filters) -> int:
    return search(Query(q=q, terms=terms_of(q), **filters)).total


@pytest.fixture
def languages_world(world):
    _answer(world, world.gamma, "Nous publions nos rapports annuels.", "fr")
    _answer(world, world.epsilon, "Unsere Berichte erscheinen jährlich.", "de")
    _answer(world, world.iota, "Our reports and the policies behind them.", "en")
    return world


@pytest.mark.parametrize(
    "typed, member",
    [
        ("rapport", "Gamma Rights"),
        ("rapports annuel", "Gamma Rights"),
        ("Bericht", "Epsilon Cloud"),
        ("Berichten", "Epsilon Cloud"),  # not a prefix of "Berichte": found by its stem
        ("report", "Iota Labs"),
        ("policy", "Iota Labs"),  # "policies": polici
    ],
)
def test_each_text_is_found_by_the_stems_of_its_language(client, languages_world, typed, member):
    response = client.get("/search", query_string={"q": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{member}, 2025" in html, typed
    assert "<mark>" in html


def test_a_word_finds_the_text_whose_stem_it_shares_both_ways(languages_world, world):
    _answer(world, world.delta, "Le rapport annuel est publié.", "fr", year=2024)
    assert _total("rapports annuels") == 2  # "rapport annuel" (delta) and "rapports" (gamma)
    assert _total("reports") == 1  # "reports" (iota); "rapport" is another word
    assert _total("Jahresberichte") == 0  # a compound is another word


def test_the_matched_word_is_marked_and_the_snippet_says_its_language(client, languages_world):
    html = client.get("/search", query_string={"q": "Berichten"}).get_data(as_text=True)
    assert "Unsere <mark>Berichte</mark> erscheinen" in html
    assert 'class="search-snippet" lang="de"' in html
    html = client.get("/search", query_string={"q": "policy"}).get_data(as_text=True)
    assert "the <mark>policies</mark> behind" in html
    assert 'lang="en"' in html


def test_filters_still_apply_to_stemmed_matches(languages_world):
    assert _total("rapport") == 1
    assert _total("rapport", country="BE") == 1
    assert _total("rapport", country="DE") == 0
    assert _total("rapport", category="company") == 0
    assert _total("rapport", year=2024) == 0
    assert _total("rapport", kind="pledge") == 0
    assert _total("Berichten", sector="cloud-services") == 1
    assert _total("Berichten", sector="human-rights") == 0


def test_an_answer_of_unknown_language_is_stemmed_as_the_source_language(world):
    _answer(world, world.gamma, "Two reports this year.", None)
    entry = db.session.query(SearchEntry).filter(SearchEntry.body.contains("Two reports")).one()
    assert entry.lang == ""
    assert _total("report") == 1
    assert _total("reports") == 1


def test_each_entry_keeps_its_language(languages_world):
    langs = {
        e.member_name: e.lang
        for e in db.session.query(SearchEntry).filter(SearchEntry.lineage == "story")
    }
    assert langs["Gamma Rights"] == "fr" and langs["Epsilon Cloud"] == "de"
    pledge_langs = {e.lang for e in db.session.query(SearchEntry).filter_by(kind="pledge")}
    assert pledge_langs == {"en"}


def test_a_typed_answer_keeps_its_authors_language_a_choice_the_source_language(app):
    member = SimpleNamespace(
        id=1, name="M", slug="m", category="company", country="FR", sector_slug=""
    )
    questions = [
        {"type": "long_text", "value": "Nos rapports", "lang": "fr"},
        {"type": "single_choice", "value": "Own policy", "lang": "fr"},
        {"type": "short_text", "value": "Unknown", "lang": None},
        {"type": "short_text", "value": "Odd", "lang": ["fr"]},
    ]
    snapshot = {"sections": [{"questions": [{**q, "is_public": True} for q in questions]}]}
    entries = list(answer_entries(member, 2025, snapshot))
    assert [e["lang"] for e in entries] == ["fr", "en", "", ""]


@pytest.mark.parametrize(
    "typed",
    ['"rapports', "rapports OR", "NEAR(rapports)", "rapports*", "stems:rapport", "-rapports",
     "rapports 🚀", "{stems}: x", "a & b | !c <-> d:*"],
)  # fmt: skip
def test_fts_syntax_is_never_passed_through_with_stems(client, languages_world, typed):
    response = client.get("/search", query_string={"q": typed})
    assert response.status_code == 200


def test_the_fts_expression_quotes_every_word_and_stem():
    expression = fts_expression(("rapports", "berichten"), ["en", "fr", "de"])
    assert expression == '("rapports"* OR "rapport") AND ("berichten"* OR "bericht")'


def test_stems_are_folded_and_cover_only_changed_words():
    assert stems_of("Les États publiés", "fr") == ["le", "etat", "publi"]
    assert stems_of("report", "en") == []  # its own stem: found by the word
    assert stems_of("anything", "xx") == []  # no stemmer for that language
    assert query_stems("reports", ["en", "fr", "de", "es"]) == ["report"]
    assert query_stems("reports", ["ja", "xx"]) == []  # no stemmer: the word only


def test_each_language_has_its_postgresql_configuration_or_simple():
    assert [regconfig(c) for c in ("en", "fr", "es", "de", "pt_BR", "pl", "ja", "", None)] == [
        "english", "french", "spanish", "german", "portuguese", "simple", "simple", "simple",
        "simple",
    ]  # fmt: skip
    assert regconfigs(["en", "fr", "ja", "en_GB"]) == ["english", "french"]


def test_highlight_marks_words_by_stem_in_the_texts_language():
    snippet = highlight(
        "Le rapport annuel", ("rapports",), lang="fr", stems=query_stems("rapports", ["fr"])
    )
    assert str(snippet) == "Le <mark>rapport</mark> annuel"
    # without the language, only prefixes are marked
    assert str(highlight("Le rapport annuel", ("rapports",))) == "Le rapport annuel"


def test_long_texts_are_highlighted_quickly(languages_world):
    import time

    text = " ".join(f"mot{i} rapports" if i % 97 == 0 else f"mot{i}" for i in range(1500))
    start = time.perf_counter()
    snippet = highlight(text, ("rapport",), lang="fr", stems=query_stems("rapport", ["fr"]))
    assert "<mark>rapports</mark>" in snippet
    assert time.perf_counter() - start < 0.5


def test_principles_are_indexed_in_each_translation(client, world):
    version_id = world.charter.id
    for key, text, source in (
        ("P1.title", "Signaler les failles", "Principle title 1"),
        ("P1.body", "Des chercheurs ont signalé les failles.", "Body."),
        ("P2.title", "Titre seul", "Principle title 2"),  # a title alone is not indexed
    ):
        db.session.execute(
            insert(CharterTranslation).values(
                version_id=version_id,
                language="fr",
                key=key,
                text=text,
                source_hash=source_hash(source),
            )
        )
    db.session.execute(
        insert(CharterTranslation).values(
            version_id=version_id,
            language="de",
            key="P3.body",
            text="Veraltet.",
            source_hash="0" * 32,  # outdated: made from another source text
        )
    )
    index_charter()
    db.session.commit()
    principles = db.session.query(SearchEntry).filter_by(kind="principle").all()
    assert sorted((p.principle_number, p.lang) for p in principles) == [
        (1, "en"),
        (1, "fr"),
        (2, "en"),
        (3, "en"),
    ]
    html = client.get("/search", query_string={"q": "signalement"}).get_data(as_text=True)
    assert "1 result" in html
    assert "/charter?lang=fr#principle-1" in html
    assert '<span lang="fr" dir="auto">Signaler les failles</span>' in html
    assert "chercheurs ont <mark>signalé</mark> les" in html
    html = client.get("/search", query_string={"q": "principle title 1"}).get_data(as_text=True)
    assert "/charter#principle-1" in html
