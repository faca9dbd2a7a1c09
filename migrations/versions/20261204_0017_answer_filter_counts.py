"""answer filter counts: the public answers lists' counts kept as data (issue 15)

`answer_filter_counts (scope, filter_key, n)`: how many answers of `public_answers` a
centre list (a principle's, a question's) or `/api/v1/answers` counts with each set of up
to two filters (app/transparency/answer_counts.py keeps it with the read model). This
migration only creates it: `flask pactum reindex`, which the release runs after the
migrations (`make migrate`), fills it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 02:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'answer_filter_counts',
        sa.Column('scope', sa.String(length=60), nullable=False),
        sa.Column('filter_key', sa.String(length=160), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('scope', 'filter_key', name=op.f('pk_answer_filter_counts')),
    )


def downgrade():
    op.drop_table('answer_filter_counts')
