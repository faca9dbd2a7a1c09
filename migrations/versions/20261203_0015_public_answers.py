"""the public answers read model: `public_answers` and `answer_tallies` (issue 15)

`public_answers` holds one row per answer to a public question of an accepted report's
accepted version, with the member's, the cycle's and the question's columns the
transparency centre and the API's answer list filter, order and page by (an evidence
answer's value is never copied); `answer_tallies` how many of them each question has with
each value (the centre's distributions). app/transparency/answer_rows.py keeps both with
every write. This migration only creates them: `flask pactum reindex`, which the release
runs after `db upgrade` (`make migrate`, docs/deploy.md), fills them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 19:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# As app/transparency/models.py declares them (docs/performance.md says why each).
ORDER = ('name_key', 'section_position', 'question_position', 'answer_id')
NEWEST = 'year'  # ascending: an index read backwards gives the newest first
BY_MEMBER = (NEWEST, 'section_position', 'question_position', 'answer_id')
CHECKED = ('status', 'joined_on', 'has_value', 'question_type')
COUNT_YEAR = (
    'principle_id', 'year', 'country', 'category', 'name_key', 'section_position',
    'question_position', 'sector_id', *CHECKED, 'lineage',
)
COUNT_LINEAGE = (
    'principle_id', 'lineage', 'country', 'name_key', 'year', 'section_position',
    'question_position', 'category', 'sector_id', *CHECKED,
)
INDEXES = (
    ('ix_public_answers_principle_year', ('principle_id', NEWEST, *ORDER)),
    ('ix_public_answers_principle_member', ('principle_id', 'name_key', *BY_MEMBER)),
    ('ix_public_answers_lineage_year', ('principle_id', 'lineage', NEWEST, *ORDER)),
    ('ix_public_answers_lineage_member', ('principle_id', 'lineage', 'name_key', *BY_MEMBER)),
    ('ix_public_answers_number_year', ('principle_number', NEWEST, *ORDER)),
    ('ix_public_answers_year', (NEWEST, *ORDER)),
    ('ix_public_answers_count_year', COUNT_YEAR),
    ('ix_public_answers_count_lineage', COUNT_LINEAGE),
    (
        'ix_public_answers_count_api',
        ('year', 'principle_number', 'country', 'category', 'status', 'joined_on', 'lineage'),
    ),
    ('ix_public_answers_member', ('slug', 'year')),
    ('ix_public_answers_report', ('report_id',)),
    ('ix_public_answers_organisation', ('organisation_id',)),
)


def upgrade():
    op.create_table(
        'public_answers',
        sa.Column('answer_id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_key', sa.String(length=200), nullable=False),
        sa.Column('slug', sa.String(length=220), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('sector_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('joined_on', sa.Date(), nullable=True),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('lineage', sa.String(length=40), nullable=False),
        sa.Column('question_type', sa.String(length=20), nullable=False),
        sa.Column('principle_id', sa.Integer(), nullable=True),
        sa.Column('principle_number', sa.Integer(), nullable=True),
        sa.Column('section_position', sa.Integer(), nullable=False),
        sa.Column('question_position', sa.Integer(), nullable=False),
        sa.Column('value', sa.JSON(), nullable=True),
        sa.Column('language', sa.String(length=12), nullable=True),
        sa.Column('has_value', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ['answer_id'], ['submitted_answers.id'],
            name=op.f('fk_public_answers_answer_id_submitted_answers'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_public_answers_organisation_id_organisations'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['question_id'], ['questions.id'],
            name=op.f('fk_public_answers_question_id_questions'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['report_id'], ['reports.id'],
            name=op.f('fk_public_answers_report_id_reports'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('answer_id', name=op.f('pk_public_answers')),
    )
    for name, columns in INDEXES:
        op.create_index(name, 'public_answers', list(columns), unique=False)
    op.create_table(
        'answer_tallies',
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['question_id'], ['questions.id'],
            name=op.f('fk_answer_tallies_question_id_questions'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('question_id', 'value', name=op.f('pk_answer_tallies')),
    )


def downgrade():
    op.drop_table('answer_tallies')
    for name, _columns in INDEXES:
        op.drop_index(name, table_name='public_answers')
    op.drop_table('public_answers')
