"""Migration 0013 on existing data: editions and builds made before it are in the source
language, and keep their numbers; down again, the source language's editions stay."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.config import overrides_for_tests
from app.db import db as _db
from tests.scratch_db import scratch_database

NOW = "2026-01-01 00:00:00"


@pytest.fixture
def url(database_url, tmp_path):
    with scratch_database(database_url, "languages", tmp_path) as found:
        yield found


def _run(sql: str, **params):
    with _db.engine.begin() as conn:
        return (
            conn.execute(text(sql), params).fetchall()
            if sql.startswith("SELECT")
            else (conn.execute(text(sql), params))
        )


def test_earlier_editions_are_in_the_source_language(url):
    app = create_app(overrides_for_tests(url))
    with app.app_context():
        upgrade(revision="0012")
        _run(
            "INSERT INTO stored_files (sha256, content_type, size, data, created_at) "
            "VALUES ('abc', 'application/pdf', 1, :data, :now)",
            data=b"x",
            now=NOW,
        )
        _run(
            "INSERT INTO reporting_cycles (id, year, title, status, categories, "
            "reminder_offsets, opens_on, due_on, grace_days, created_at) VALUES (1, 2025, '', "
            "'closed', '[]', '[]', '2025-01-01', '2025-03-01', 0, :now)",
            now=NOW,
        )
        _run(
            "INSERT INTO annual_reports (id, cycle_id, executive_summary_md, methodology_md, "
            "updated_at, created_at) VALUES (1, 1, '', '', :now, :now)",
            now=NOW,
        )
        _run(
            "INSERT INTO editions (id, annual_report_id, number, published_at, sha256, size, "
            "pages, note) VALUES (1, 1, 1, :now, 'abc', 1, 1, '')",
            now=NOW,
        )
        upgrade()
        assert _run("SELECT language, number FROM editions") == [("en", 1)]
        _run(
            "INSERT INTO editions (id, annual_report_id, language, number, published_at, "
            "sha256, size, pages, note) VALUES (2, 1, 'fr', 1, :now, 'abc', 1, 1, '')",
            now=NOW,
        )
        downgrade(revision="0012")
        assert _run("SELECT id, number FROM editions") == [(1, 1)]
        downgrade(revision="base")
        _db.session.remove()
        _db.engine.dispose()
