"""directory and name search indexes

The public directory (app/members/directory.py) reads its pages, facet counts and name
searches from one covering index, and PostgreSQL answers substring searches on names from a
trigram GIN index (extension pg_trgm). On SQLite the trigram index is an empty partial index
(WHERE 0): SQLite has no trigram index type, and both databases must hold the schema the
models describe.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # A trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index(
        'ix_organisations_directory', 'organisations',
        ['name_key', 'status', 'joined_on', 'country', 'sector_id', 'category'], unique=False,
    )
    # IF NOT EXISTS: docs/deploy.md told operators to create this very index by hand.
    op.create_index(
        'ix_organisations_name_trgm', 'organisations', ['name_key'], unique=False,
        postgresql_using='gin', postgresql_ops={'name_key': 'gin_trgm_ops'},
        sqlite_where=sa.false(), if_not_exists=True,
    )


def downgrade():
    op.drop_index('ix_organisations_name_trgm', table_name='organisations')
    op.drop_index('ix_organisations_directory', table_name='organisations')
    # The pg_trgm extension stays: other objects of the database may use it.
