"""public search index

`search_entries` holds what the public may search (app/transparency/opendata): public
answers of accepted reports, public pledges, the charter's principles. PostgreSQL searches
its `document` tsvector through a GIN index; SQLite through the FTS5 table `search_fts`
(external content: search_entries, kept equal by triggers), and the GIN index is an empty
partial index there (as in 0002). Fill it with `flask pactum reindex`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# The same statements as app/transparency/opendata/models.py (a migration does not import
# the app: it must build the schema of its day).
SQLITE_CREATE = (
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
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_entries_au",
    "DROP TRIGGER IF EXISTS search_entries_ad",
    "DROP TRIGGER IF EXISTS search_entries_ai",
    "DROP TABLE IF EXISTS search_fts",
)


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.create_table(
        'search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('member_name', sa.String(length=200), nullable=False),
        sa.Column('member_slug', sa.String(length=220), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('sector_slug', sa.String(length=120), nullable=False),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('principle_number', sa.Integer(), nullable=True),
        sa.Column('lineage', sa.String(length=40), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('document', postgresql.TSVECTOR() if postgres else sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_search_entries_organisation_id_organisations'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    )
    op.create_index(op.f('ix_search_entries_kind'), 'search_entries', ['kind'], unique=False)
    op.create_index(
        'ix_search_entries_org_year', 'search_entries', ['organisation_id', 'year'], unique=False
    )
    op.create_index(
        'ix_search_entries_document', 'search_entries', ['document'], unique=False,
        postgresql_using='gin', sqlite_where=sa.false(),
    )
    if not postgres:
        for statement in SQLITE_CREATE:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        for statement in SQLITE_DROP:
            op.execute(statement)
    op.drop_index('ix_search_entries_document', table_name='search_entries')
    op.drop_index('ix_search_entries_org_year', table_name='search_entries')
    op.drop_index(op.f('ix_search_entries_kind'), table_name='search_entries')
    op.drop_table('search_entries')
