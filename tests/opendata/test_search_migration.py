"""Migration 0014 (search stems) keeps an index that was filled before it usable: the
entries stay searchable by their words right after `db upgrade` (SQLite: the FTS5 table is
rebuilt from the rows); `flask pactum reindex` then adds the stems. Down again, 0007's
search table is back, filled."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.config import overrides_for_tests
from app.db import db as _db
from app.transparency.opendata.search import Query, search, terms_of
from tests.scratch_db import scratch_database

ENTRY = (
    "INSERT INTO search_entries (kind, member_name, member_slug, category, country, "
    "sector_slug, principle_number, lineage, title, body) VALUES ('principle', '', '', '', "
    "'', '', 1, '', 'Principle title 1', 'Researchers file their reports')"
)


@pytest.fixture
def migrated_app(database_url, tmp_path):
    with scratch_database(database_url, "search_stems", tmp_path) as url:
        app = create_app(overrides_for_tests(url))
        with app.app_context():
            yield app
            _db.session.remove()
            _db.engine.dispose()


def _total(q: str) -> int:
    return search(Query(q=q, terms=terms_of(q))).total


def test_an_index_filled_before_0014_still_answers_after_it(migrated_app):
    upgrade(revision="0013")
    postgres = _db.engine.dialect.name == "postgresql"
    with _db.engine.begin() as conn:
        conn.execute(text(ENTRY))
        if postgres:  # as indexing did before 0014
            conn.execute(text("UPDATE search_entries SET document = to_tsvector('simple', body)"))
    upgrade(revision="0014")
    with migrated_app.test_request_context():
        assert _total("reports") == 1  # the word, as before
        assert _db.session.scalar(text("SELECT lang FROM search_entries")) == ""
        _db.session.remove()  # (its transaction would hold the table the migration alters)
        downgrade(revision="0013")  # and back: the search of 0007 again
        with _db.engine.connect() as conn:
            if not postgres:
                match = "SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"reports\"*'"
                assert conn.scalar(text(match)) == 1
        upgrade(revision="0014")
        assert _total("reports") == 1


ANSWER = (
    "INSERT INTO search_entries (kind, member_name, member_slug, category, country, "
    "sector_slug, year, lineage, title, body, lang, stems) VALUES ('answer', 'Alpha', "
    "'alpha', 'company', 'DE', 'human-rights', 2025, '', 'What did you do?', "
    "'We documented every incident', '', '')"
)


def test_0019_puts_the_filters_in_an_index_filled_before_it(migrated_app):
    """Migration 0019 (issue 15): the facet tokens of entries written before it are in the
    index right after `db upgrade`, so filtered searches find them; down again, 0014's
    index is back, filled."""
    upgrade(revision="0018")
    postgres = _db.engine.dialect.name == "postgresql"
    with _db.engine.begin() as conn:
        conn.execute(text(ANSWER))
        if postgres:  # as indexing did before 0019
            conn.execute(text("UPDATE search_entries SET document = to_tsvector('simple', body)"))
    upgrade(revision="0019")
    with migrated_app.test_request_context():
        q = "documented"
        found = {"q": q, "terms": terms_of(q), "year": 2025, "country": "DE"}
        found["sector"] = "human-rights"
        assert search(Query(**found, kind="answer", category="company")).total == 1
        for other in ({"year": 2024}, {"country": "FR"}, {"sector": "human"}):
            assert search(Query(**{**found, **other})).total == 0
        assert _total("document") == 1
        _db.session.remove()
        downgrade(revision="0018")
        with _db.engine.connect() as conn:
            if postgres:
                lexemes = "SELECT count(*) FROM search_entries, unnest(document) AS u "
                assert conn.scalar(text(lexemes + "WHERE u.lexeme LIKE '~%'")) == 0
            else:
                match = "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'documented'"
                assert conn.scalar(text(match)) == 1
        upgrade(revision="0019")
        assert search(Query(**found)).total == 1
