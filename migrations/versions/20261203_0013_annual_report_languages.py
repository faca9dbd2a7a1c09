"""the annual report per language (issue 18): translations of the secretariat's texts,
editions and builds in one language each

Editions are numbered per language (the unique key gains the language); editions and
builds made before this revision are in the source language (the first of
PACTUM_LANGUAGES).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:00:00

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

import app.db

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _source_language() -> str:
    if has_app_context():
        return current_app.config.get('SOURCE_LANGUAGE') or 'en'
    return 'en'


def upgrade():
    op.create_table(
        'annual_report_translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('annual_report_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=12), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('source_hash', sa.String(length=32), nullable=False),
        sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['annual_report_id'],
            ['annual_reports.id'],
            name=op.f('fk_annual_report_translations_annual_report_id_annual_reports'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['updated_by_id'],
            ['users.id'],
            name=op.f('fk_annual_report_translations_updated_by_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_report_translations')),
        sa.UniqueConstraint(
            'annual_report_id',
            'language',
            'key',
            name='uq_annual_report_translations_report_language_key',
        ),
    )
    source = _source_language()
    for table in ('editions', 'build_jobs'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('language', sa.String(length=12), nullable=True))
        op.execute(sa.text(f'UPDATE {table} SET language = :lang').bindparams(lang=source))
        with op.batch_alter_table(table) as batch:
            batch.alter_column('language', existing_type=sa.String(length=12), nullable=False)
    with op.batch_alter_table('editions') as batch:
        batch.drop_constraint('uq_editions_report_number', type_='unique')
        batch.create_unique_constraint(
            'uq_editions_report_language_number', ['annual_report_id', 'language', 'number']
        )


def downgrade():
    # Only the source language's editions keep their number; the others cannot stay.
    source = _source_language()
    op.execute(
        sa.text(
            'UPDATE build_jobs SET edition_id = NULL WHERE edition_id IN '
            '(SELECT id FROM editions WHERE language != :lang)'
        ).bindparams(lang=source)
    )
    op.execute(sa.text('DELETE FROM editions WHERE language != :lang').bindparams(lang=source))
    with op.batch_alter_table('editions') as batch:
        batch.drop_constraint('uq_editions_report_language_number', type_='unique')
        batch.create_unique_constraint(
            'uq_editions_report_number', ['annual_report_id', 'number']
        )
    for table in ('editions', 'build_jobs'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('language')
    op.drop_table('annual_report_translations')
