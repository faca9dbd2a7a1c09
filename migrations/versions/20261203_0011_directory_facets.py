"""directory filter counts kept as data, and SQLite's trigram index of names

`directory_facets` holds, for every combination of the directory's filters, how many listed
members each value of each other filter gives (app/members/directory/facets.py keeps it with
every write to an organisation; a directory page reads it instead of counting the members).
It is filled here from the organisations. On SQLite, `organisations_fts` is a trigram FTS5
index of `name_key` (external content: organisations, kept equal by triggers) that the
name search reads; PostgreSQL has its pg_trgm index since 0002.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:30:00

"""

import datetime as dt
import itertools
from collections import Counter

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The same statements and rules as app/members (models.py, directory/facets.py): a migration
# does not import the app, it must build the schema and the data of its day.
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE organisations_fts USING fts5(name_key, content='organisations', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER organisations_fts_ai AFTER INSERT ON organisations BEGIN "
    "INSERT INTO organisations_fts(rowid, name_key) VALUES (new.id, new.name_key); END",
    "CREATE TRIGGER organisations_fts_ad AFTER DELETE ON organisations BEGIN "
    "INSERT INTO organisations_fts(organisations_fts, rowid, name_key) "
    "VALUES ('delete', old.id, old.name_key); END",
    "CREATE TRIGGER organisations_fts_au AFTER UPDATE OF name_key ON organisations BEGIN "
    "INSERT INTO organisations_fts(organisations_fts, rowid, name_key) "
    "VALUES ('delete', old.id, old.name_key); "
    "INSERT INTO organisations_fts(rowid, name_key) VALUES (new.id, new.name_key); END",
    "INSERT INTO organisations_fts(organisations_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS organisations_fts_au",
    "DROP TRIGGER IF EXISTS organisations_fts_ad",
    "DROP TRIGGER IF EXISTS organisations_fts_ai",
    "DROP TABLE IF EXISTS organisations_fts",
)
DIMENSIONS = ("country", "sector", "category", "status", "year")
PUBLIC = ("active", "non_communicating", "suspended", "delisted", "withdrawn")


def _counts(bind) -> Counter:
    subsets = [
        set(c) for r in range(len(DIMENSIONS) + 1) for c in itertools.combinations(DIMENSIONS, r)
    ]
    totals = Counter()
    rows = bind.execute(
        sa.text(
            "SELECT country, sector_id, category, status, joined_on, count(*) FROM organisations "
            "WHERE joined_on IS NOT NULL AND status IN :public "
            "GROUP BY country, sector_id, category, status, joined_on"
        ).bindparams(sa.bindparam("public", expanding=True)),
        {"public": list(PUBLIC)},
    )
    for country, sector_id, category, status, joined_on, n in rows:
        if isinstance(joined_on, str):  # SQLite: a text query gives the stored ISO text
            joined_on = dt.date.fromisoformat(joined_on[:10])
        values = {
            "country": country or None,
            "sector": str(sector_id) if sector_id is not None else None,
            "category": category or None,
            "status": status,
            "year": str(joined_on.year),
        }
        for applied in subsets:
            if any(values[d] is None for d in applied):
                continue
            key = "&".join(f"{d}={values[d]}" for d in DIMENSIONS if d in applied)
            for facet in DIMENSIONS:
                if facet not in applied and values[facet] is not None:
                    totals[(key, facet, values[facet])] += n
    return totals


def upgrade():
    table = op.create_table(
        "directory_facets",
        sa.Column("filter_key", sa.String(length=120), nullable=False),
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("filter_key", "facet", "value", name=op.f("pk_directory_facets")),
    )
    bind = op.get_bind()
    rows = [
        {"filter_key": k, "facet": f, "value": v, "n": n} for (k, f, v), n in _counts(bind).items()
    ]
    for start in range(0, len(rows), 5000):
        op.bulk_insert(table, rows[start : start + 5000])
    if bind.dialect.name != "postgresql":
        for statement in SQLITE_CREATE:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        for statement in SQLITE_DROP:
            op.execute(statement)
    op.drop_table("directory_facets")
