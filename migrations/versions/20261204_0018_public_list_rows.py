"""the open-data lists' read model: `public_reports`, `public_pledges`, `public_list_counts`
(issue 15)

`public_reports` holds the accepted reports of listed members and `public_pledges` the
public pledges of listed members, with the columns the API's lists filter, order and page
by; `public_list_counts` how many rows each list has per set of filters and year.
app/transparency/opendata/list_rows.py keeps them with every write. This migration only
creates them: `flask pactum reindex`, which the release runs after `db upgrade`
(`make migrate`, docs/deploy.md), fills them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 02:20:00

"""
import sqlalchemy as sa

import app.db
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'public_reports',
        sa.Column('report_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('name_key', sa.String(length=200), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('submitted_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('is_late', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('report_id', name=op.f('pk_public_reports')),
    )
    op.create_index(
        'ix_public_reports_order',
        'public_reports',
        ['year', 'name_key', 'report_id', 'country', 'category', 'status'],
    )
    op.create_index(
        'ix_public_reports_organisation', 'public_reports', ['organisation_id', 'year']
    )
    op.create_table(
        'public_pledges',
        sa.Column('pledge_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('name_key', sa.String(length=200), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint('pledge_id', name=op.f('pk_public_pledges')),
    )
    op.create_index(
        'ix_public_pledges_order',
        'public_pledges',
        ['name_key', 'pledge_id', 'country', 'category', 'status'],
    )
    op.create_index('ix_public_pledges_organisation', 'public_pledges', ['organisation_id'])
    op.create_table(
        'public_list_counts',
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('filter_key', sa.String(length=120), nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            'kind', 'filter_key', 'year', name=op.f('pk_public_list_counts')
        ),
    )


def downgrade():
    op.drop_table('public_list_counts')
    op.drop_index('ix_public_pledges_organisation', table_name='public_pledges')
    op.drop_index('ix_public_pledges_order', table_name='public_pledges')
    op.drop_table('public_pledges')
    op.drop_index('ix_public_reports_organisation', table_name='public_reports')
    op.drop_index('ix_public_reports_order', table_name='public_reports')
    op.drop_table('public_reports')
