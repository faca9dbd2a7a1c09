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
                MigrationContext.configure(conn, opts={"compare_type": True}), _db.metadata
            )
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        remaining = set(inspect(_db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()  # and up again after a full round trip
        _db.session.remove()
        _db.engine.dispose()
