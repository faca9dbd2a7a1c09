"""charter translations: one translated text of a charter version per language

Each row records the hash of the source text it translates, so a translation whose source
changed in a draft shows as outdated (app/charter/translations).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.db

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'charter_translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=12), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('source_hash', sa.String(length=32), nullable=False),
        sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['version_id'],
            ['charter_versions.id'],
            name=op.f('fk_charter_translations_version_id_charter_versions'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['updated_by_id'],
            ['users.id'],
            name=op.f('fk_charter_translations_updated_by_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_charter_translations')),
        sa.UniqueConstraint(
            'version_id',
            'language',
            'key',
            name='uq_charter_translations_version_language_key',
        ),
    )


def downgrade():
    op.drop_table('charter_translations')
