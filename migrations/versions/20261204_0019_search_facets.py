"""search facets: the search's filters inside the full-text match (issue 15)

Each search entry's filter values (kind, category, country, sector, report year) become
tokens of the full-text index, so a filtered search counts and ranks from the index alone
and reads only the entries it shows. A token is a letter for the filter and the value's
UTF-8 bytes in hex (`k616e73776572` is kind "answer"), the year as it is (`y2025`).

SQLite: the FTS5 table `search_fts` gains a `facets` column (an FTS5 table cannot gain a
column: it is made again, with its triggers, and rebuilt from the rows at once). Its
external content is now the view `search_entries_fts`, which computes `facets` from the
entry's columns (nothing more is stored per entry); its rank is bm25 with the facets
column weighing 0. PostgreSQL: `document` gains the same tokens, each after a "~" (a
lexeme no typed word and no text's word can begin with).

No `flask pactum reindex` is needed after this upgrade: both databases' indexes are filled
here. (A reindex writes the entries in order of recency, which bounded ranking reads; an
index filled before it ranks the most recently indexed entries instead, also correct.)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 02:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _facets_sql(row):
    return (
        f"'k' || hex({row}.kind) || ' g' || hex({row}.category) || ' c' || hex({row}.country)"
        f" || ' s' || hex({row}.sector_slug) || coalesce(' y' || {row}.year, '')"
    )


# The same statements as app/transparency/opendata/models.py (a migration does not import
# the app: it must build the schema of its day).
SQLITE_CREATE = (
    f"CREATE VIEW search_entries_fts AS SELECT id, title, body, stems, {_facets_sql('e')} "
    "AS facets FROM search_entries AS e",
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, stems, facets, "
    "content='search_entries_fts', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(1.0, 1.0, 1.0, 0.0)')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, title, body, stems, facets) "
    f"VALUES (new.id, new.title, new.body, new.stems, {_facets_sql('new')}); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, stems, facets) "
    f"VALUES ('delete', old.id, old.title, old.body, old.stems, {_facets_sql('old')}); END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, stems, facets) "
    f"VALUES ('delete', old.id, old.title, old.body, old.stems, {_facets_sql('old')}); "
    "INSERT INTO search_fts(rowid, title, body, stems, facets) "
    f"VALUES (new.id, new.title, new.body, new.stems, {_facets_sql('new')}); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
)
# As migration 0014 made them.
SQLITE_CREATE_0014 = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, stems, "
    "content='search_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, title, body, stems) "
    "VALUES (new.id, new.title, new.body, new.stems); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, stems) "
    "VALUES ('delete', old.id, old.title, old.body, old.stems); END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, stems) "
    "VALUES ('delete', old.id, old.title, old.body, old.stems); "
    "INSERT INTO search_fts(rowid, title, body, stems) "
    "VALUES (new.id, new.title, new.body, new.stems); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_entries_au",
    "DROP TRIGGER IF EXISTS search_entries_ad",
    "DROP TRIGGER IF EXISTS search_entries_ai",
    "DROP TABLE IF EXISTS search_fts",
    "DROP VIEW IF EXISTS search_entries_fts",
)
PG_FACETS = (
    "array_to_tsvector(array_remove(ARRAY['~k' || encode(convert_to(kind, 'UTF8'), 'hex'), "
    "'~g' || encode(convert_to(category, 'UTF8'), 'hex'), "
    "'~c' || encode(convert_to(country, 'UTF8'), 'hex'), "
    "'~s' || encode(convert_to(sector_slug, 'UTF8'), 'hex'), "
    "'~y' || year::text], NULL))"
)


def _rewrite_documents(expression):
    """PostgreSQL: every entry's `document` again, the GIN index built afterwards (building
    it once is much faster than updating it for each of millions of rows)."""
    op.drop_index('ix_search_entries_document', table_name='search_entries')
    op.execute(f"UPDATE search_entries SET document = {expression} WHERE document IS NOT NULL")
    op.create_index(
        'ix_search_entries_document', 'search_entries', ['document'], postgresql_using='gin'
    )


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DROP + SQLITE_CREATE:
            op.execute(statement)
        return
    _rewrite_documents(f"document || {PG_FACETS}")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DROP + SQLITE_CREATE_0014:
            op.execute(statement)
        return
    _rewrite_documents(
        "ts_delete(document, ARRAY(SELECT lexeme FROM unnest(document) WHERE lexeme LIKE '~%'))"
    )
