"""answers keep the language they were written in (issue 18)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # Empty for answers saved before: their language is not known.
    for table in ('answers', 'submitted_answers'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('language', sa.String(length=12), nullable=True))


def downgrade():
    for table in ('answers', 'submitted_answers'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('language')
