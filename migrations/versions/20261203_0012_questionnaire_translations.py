"""questionnaire translations: one translated text of a cycle's questionnaire per language

Each row records the hash of the source text it translates, so a translation whose source
changed while the cycle is a draft shows as outdated (app/reporting/translations).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.db

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'questionnaire_translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=12), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('source_hash', sa.String(length=32), nullable=False),
        sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['cycle_id'],
            ['reporting_cycles.id'],
            name=op.f('fk_questionnaire_translations_cycle_id_reporting_cycles'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['updated_by_id'],
            ['users.id'],
            name=op.f('fk_questionnaire_translations_updated_by_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_translations')),
        sa.UniqueConstraint(
            'cycle_id',
            'language',
            'key',
            name='uq_questionnaire_translations_cycle_language_key',
        ),
    )


def downgrade():
    op.drop_table('questionnaire_translations')
