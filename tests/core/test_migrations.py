"""The migrations build the same schema as the models, up and down, on this test run's
database engine (SQLite, or PostgreSQL in the second half of `make test`)."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.config import overrides_for_tests
from app.db import db as _db


@pytest.fixture
def empty_database_url(tmp_path):
    url = os.environ.get("PACTUM_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    base, _, name = url.rpartition("/")
    name = f"{name}_migrations_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
