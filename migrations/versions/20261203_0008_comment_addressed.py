"""review comments: the organisation marks a comment as addressed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.db

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_comments') as batch:
        batch.add_column(
            sa.Column('addressed_at', app.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column('addressed_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f('fk_review_comments_addressed_by_id_users'),
            'users',
            ['addressed_by_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('review_comments') as batch:
        batch.drop_constraint(
            batch.f('fk_review_comments_addressed_by_id_users'), type_='foreignkey'
        )
        batch.drop_column('addressed_by_id')
        batch.drop_column('addressed_at')
