"""public list indexes: the open-data reports list counts and pages from indexes (issue 15)

`ix_reports_public_list (cycle_id, state, organisation_id, current_version_id)`: a cycle's
accepted reports, with their member and current version, without reading the reports' rows.
`ix_report_versions_review (id, review_state)`: a join by id that checks the review state
reads the index, not the version's row (its snapshot spans overflow pages on SQLite).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 19:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_reports_public_list',
        'reports',
        ['cycle_id', 'state', 'organisation_id', 'current_version_id'],
    )
    op.create_index('ix_report_versions_review', 'report_versions', ['id', 'review_state'])


def downgrade():
    op.drop_index('ix_report_versions_review', table_name='report_versions')
    op.drop_index('ix_reports_public_list', table_name='reports')
