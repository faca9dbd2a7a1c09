"""The migrations build the same schema as the models, up and down, on this test run's
database engine (SQLite, or PostgreSQL in the second half of `make test`)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.config import overrides_for_tests
from app.db import db as _db
from app.db import include_object
from tests.scratch_db import scratch_database


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    with scratch_database(database_url, "migrations", tmp_path) as url:
        yield url


def test_upgrade_matches_models_and_downgrades_cleanly(empty_database_url):
    app = create_app(overrides_for_tests(empty_database_url))
    with app.app_context():
        upgrade()
        tables = set(inspect(_db.engine).get_table_names())
        assert set(_db.metadata.tables) <= tables
        with _db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_object": include_object}
                ),
                _db.metadata,
            )
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        remaining = set(inspect(_db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()  # and up again after a full round trip
        _db.session.remove()
        _db.engine.dispose()


def test_no_index_repeats_the_lead_of_a_unique_constraint():
    """A unique constraint's index already answers lookups on its leading columns; another
    index on just those columns is one more write per inserted row (migration 0003)."""
    from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint

    duplicates = []
    for table in _db.metadata.sorted_tables:
        unique = [
            [column.name for column in constraint.columns]
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)
        ] + [[column.name for column in index.columns] for index in table.indexes if index.unique]
        for index in table.indexes:
            columns = [column.name for column in index.columns]
            plain = not index.unique and not index.dialect_options["postgresql"]["using"]
            if plain and columns and any(lead[: len(columns)] == columns for lead in unique):
                duplicates.append(f"{table.name}.{index.name} {columns}")
    assert duplicates == []
