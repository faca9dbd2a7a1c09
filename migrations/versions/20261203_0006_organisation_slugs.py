"""organisation slugs: the slugs organisations had before a rename

Their URLs answer 301 to the current ones, and no other organisation may take them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.db

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'organisation_slugs',
        sa.Column('slug', sa.String(length=220), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('retired_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('was_listed', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_organisation_slugs_organisation_id_organisations'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('slug', name=op.f('pk_organisation_slugs')),
    )
    op.create_index(
        op.f('ix_organisation_slugs_organisation_id'), 'organisation_slugs', ['organisation_id']
    )


def downgrade():
    op.drop_index(op.f('ix_organisation_slugs_organisation_id'), table_name='organisation_slugs')
    op.drop_table('organisation_slugs')
