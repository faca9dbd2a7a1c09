"""`pactum backup` / `pactum restore`: a consistent copy while the site runs, restored into an
empty database and verified (row counts per table, SHA-256 of every stored file), on the
database of the run (SQLite, then PostgreSQL in the second half of `make test`)."""

from __future__ import annotations

import io
import json
import tarfile
import threading

import pytest
from sqlalchemy import create_engine, func, insert, select, text

from app import create_app
from app.config import overrides_for_tests
from app.core.models import AuditEvent, StoredFile
from app.core.services import store_file
from app.demo import load_demo
from app.ops.backup import MANIFEST, BackupError, backup, restore
from tests.scratch_db import scratch_database


@pytest.fixture
def empty_url(database_url, tmp_path):
    with scratch_database(database_url, "restored", tmp_path) as url:
        yield url


def _rewrite_manifest(path, change) -> None:
    with tarfile.open(path) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    manifest = json.loads(members[MANIFEST])
    change(manifest)
    members[MANIFEST] = json.dumps(manifest).encode()
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


@pytest.mark.slow
def test_the_demo_round_trips_through_the_commands(app, db, runner, tmp_path, empty_url):
    load_demo()
    db.session.commit()
    file = tmp_path / "pactum.backup"
    made = runner.invoke(args=["pactum", "backup", str(file)])
    assert made.exit_code == 0, made.output
    organisations = db.session.scalar(text("SELECT count(*) FROM organisations"))
    files = db.session.scalar(select(func.count()).select_from(StoredFile))
    assert organisations > 10 and files > 0  # the demo has members and stored PDFs

    target = create_app(overrides_for_tests(empty_url))
    # The CLI runs in the app whose context is current (the test's own is pushed too).
    with target.app_context():
        from app.db import db as target_db

        restored = target.test_cli_runner().invoke(args=["pactum", "restore", str(file)])
        assert restored.exit_code == 0, restored.output
        assert f"{files} stored files with their SHA-256" in restored.output
        assert target_db.session.scalar(text("SELECT count(*) FROM organisations")) == organisations
        target_db.session.remove()
        again = target.test_cli_runner().invoke(args=["pactum", "restore", str(file)])
        assert again.exit_code != 0 and "not empty" in again.output
        target_db.engine.dispose()


def test_restore_says_what_differs_from_the_backup(db, tmp_path, empty_url):
    store_file(b"%PDF-1.7 policy", "application/pdf")
    db.session.add(AuditEvent(action="test.kept", object_type="", summary="", detail={}))
    db.session.commit()
    file = tmp_path / "pactum.backup"
    manifest = backup(db.engine, file)
    assert manifest.tables["audit_events"] == 1 and len(manifest.files) == 1

    def tamper(m):
        m["tables"]["audit_events"] = 2
        m["files"] = ["0" * 64]

    _rewrite_manifest(file, tamper)
    engine = create_engine(empty_url)
    try:
        result = restore(engine, file)
    finally:
        engine.dispose()
    assert not result.ok
    assert result.counts_differ == {"audit_events": (2, 1)}
    assert result.missing_files == ["0" * 64] and len(result.extra_files) == 1
    lines = "\n".join(result.lines())
    assert "table audit_events: 2 rows in the backup, 1 restored" in lines


def test_a_backup_taken_while_others_write_is_consistent(db, tmp_path, empty_url):
    """Rows inserted during the backup are either in both the copy and its manifest or in
    neither: the restore verifies."""
    engine = db.engine
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            with engine.begin() as conn:
                conn.execute(
                    insert(AuditEvent).values(action="busy", object_type="", summary="", detail={})
                )

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        backups = [backup(engine, tmp_path / f"b{i}.backup") for i in range(3)]
    finally:
        stop.set()
        thread.join()
    assert backups[-1].tables["audit_events"] > 0
    target = create_engine(empty_url)
    try:
        result = restore(target, tmp_path / "b2.backup")
    finally:
        target.dispose()
    assert result.ok, result.lines()


def test_not_a_backup_is_refused(db, tmp_path, empty_url):
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(b"SQLite format 3\x00 but not really")
    engine = create_engine(empty_url)
    try:
        with pytest.raises(BackupError, match="not a readable Pactum backup"):
            restore(engine, bogus)
    finally:
        engine.dispose()
