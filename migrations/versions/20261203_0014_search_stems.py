"""search stems: each search entry's language, and (SQLite) its Snowball stems (issue 18)

`search_entries.lang` is the language an entry's text is written in ("" when not known),
`search_entries.stems` its words' stems in that language (SQLite; empty on PostgreSQL,
whose `document` holds the stems). SQLite's FTS5 table `search_fts` is rebuilt over
title, body and stems (an FTS5 table cannot gain a column), with its triggers, and filled
again from the rows at once, so search keeps working right after the upgrade: exact words
and prefixes as before. Stems come with `flask pactum reindex`, which the release runs
after `db upgrade` (docs/deploy.md, "Public search"); the migration cannot stem, since it
cannot import the app.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# The same statements as app/transparency/opendata/models.py (a migration does not import
# the app: it must build the schema of its day).
SQLITE_CREATE = (
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
# As migration 0007 made them.
SQLITE_CREATE_0007 = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_entries', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_entries_au",
    "DROP TRIGGER IF EXISTS search_entries_ad",
    "DROP TRIGGER IF EXISTS search_entries_ai",
    "DROP TABLE IF EXISTS search_fts",
)


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for statement in SQLITE_DROP:
            op.execute(statement)
    # Plain ADD COLUMN on both databases (no batch copy on SQLite: the FTS table points at
    # this table by name).
    op.add_column(
        'search_entries',
        sa.Column('lang', sa.String(length=12), nullable=False, server_default=''),
    )
    op.add_column(
        'search_entries', sa.Column('stems', sa.Text(), nullable=False, server_default='')
    )
    if sqlite:
        for statement in SQLITE_CREATE:
            op.execute(statement)


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for statement in SQLITE_DROP:
            op.execute(statement)
    op.drop_column('search_entries', 'stems')
    op.drop_column('search_entries', 'lang')
    if sqlite:
        for statement in SQLITE_CREATE_0007:
            op.execute(statement)
