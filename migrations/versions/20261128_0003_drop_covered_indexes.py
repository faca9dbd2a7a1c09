"""drop indexes that a unique constraint already covers

Each of these single-column indexes repeats the leading column of a unique constraint on the
same table, whose own index answers the same lookups (both databases use a composite index for
a condition on its first column). They cost space and one more index write for every row
inserted: on `answers` and `report_edits` that is every draft save.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 04:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# (index, table, column): each covered by the unique constraint named beside it.
COVERED = [
    ('ix_principle_texts_version_id', 'principle_texts', 'version_id'),  # uq_principle_texts_version_principle
    ('ix_endorsements_organisation_id', 'endorsements', 'organisation_id'),  # uq_endorsements_org_version
    ('ix_reports_cycle_id', 'reports', 'cycle_id'),  # uq_reports_cycle_org
    ('ix_answers_report_id', 'answers', 'report_id'),  # uq_answers_report_question
    ('ix_report_versions_report_id', 'report_versions', 'report_id'),  # uq_report_versions_report_number
    ('ix_report_edits_report_id', 'report_edits', 'report_id'),  # uq_report_edits_report_revision
    ('ix_report_pledges_report_id', 'report_pledges', 'report_id'),  # uq_report_pledges_report_pledge
    ('ix_deadline_events_cycle_id', 'deadline_events', 'cycle_id'),  # uq_deadline_events_once
    ('ix_editions_annual_report_id', 'editions', 'annual_report_id'),  # uq_editions_report_number
]


def upgrade():
    for index, table, _column in COVERED:
        op.drop_index(index, table_name=table)


def downgrade():
    for index, table, column in COVERED:
        op.create_index(index, table, [column], unique=False)
