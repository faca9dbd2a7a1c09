"""Backups that prove themselves: a consistent copy taken while the site runs, and a restore
that checks the copy against what was backed up.

`backup(engine, path)` writes one file, a tar archive holding

* the database: SQLite's online backup API (a consistent copy while others write), or
  PostgreSQL's `pg_dump --format=custom` run on an exported snapshot;
* `manifest.json`: the row count of every table and the SHA-256 of every stored file
  (`stored_files`: logos, evidence, published PDFs), read in the same snapshot as the copy.

`restore(engine, path)` loads the archive into an empty database (refusing one that holds
tables), then counts again and hashes every stored file's bytes: a `Verification` lists
every table whose count differs and every file that is missing, extra or corrupt.

Neither needs a request or a Flask app: the CLI passes the engine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, inspect, text

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
FILES_TABLE = "stored_files"


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message says why."""


@dataclass
class Manifest:
    dialect: str
    created_at: str
    tables: dict[str, int]
    files: list[str]  # SHA-256 of every stored file's bytes, sorted
    format: int = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        if raw.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {raw.get('format')!r}")
        return cls(raw["dialect"], raw["created_at"], raw["tables"], raw["files"], raw["format"])


@dataclass
class Verification:
    """What differs between a restored database and the manifest of its backup."""

    tables: int = 0
    files: int = 0
    counts_differ: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    missing_files: list[str] = field(default_factory=list)
    extra_files: list[str] = field(default_factory=list)
    corrupt_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.counts_differ or self.missing_files or self.extra_files or self.corrupt_files
        )

    def lines(self) -> list[str]:
        if self.ok:
            return [
                f"verified: {self.tables} tables with the backup's row counts, "
                f"{self.files} stored files with their SHA-256"
            ]
        found = [
            f"table {name}: {expected} rows in the backup, {actual} restored"
            for name, (expected, actual) in sorted(self.counts_differ.items())
        ]
        found += [f"stored file {sha} is missing" for sha in self.missing_files]
        found += [f"stored file {sha} was not in the backup" for sha in self.extra_files]
        found += [f"stored file {sha}'s bytes do not match it" for sha in self.corrupt_files]
        return found


# Reading what a database holds ------------------------------------------------------------


def _table_names(conn: Connection) -> list[str]:
    inspector = inspect(conn)
    names = inspector.get_table_names()
    if conn.dialect.name == "sqlite":
        names = [n for n in names if not n.startswith("sqlite_")]
    return sorted(names)


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _file_digests(conn: Connection) -> Iterator[tuple[str, str]]:
    """(key, SHA-256 of the bytes) of every stored file, read in batches."""
    result = conn.execution_options(yield_per=200).execute(
        text(f"SELECT sha256, data FROM {FILES_TABLE} ORDER BY sha256")
    )
    for key, data in result:
        yield key, hashlib.sha256(bytes(data)).hexdigest()


def read_manifest(conn: Connection) -> Manifest:
    """Row counts and stored-file digests, as `conn`'s transaction sees them."""
    names = _table_names(conn)
    counts = {
        name: int(conn.execute(text(f"SELECT count(*) FROM {_quote(conn, name)}")).scalar())
        for name in names
    }
    files = sorted(digest for _key, digest in _file_digests(conn)) if FILES_TABLE in names else []
    return Manifest(
        dialect=conn.dialect.name,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        tables=counts,
        files=files,
    )


def verify(conn: Connection, manifest: Manifest) -> Verification:
    found = read_manifest(conn)
    result = Verification(tables=len(found.tables), files=len(found.files))
    for name in sorted(set(manifest.tables) | set(found.tables)):
        expected, actual = manifest.tables.get(name), found.tables.get(name)
        if expected != actual:
            result.counts_differ[name] = (expected, actual)
    if FILES_TABLE in found.tables:
        result.corrupt_files = sorted(key for key, digest in _file_digests(conn) if key != digest)
    expected_files, actual_files = set(manifest.files), set(found.files)
    result.missing_files = sorted(expected_files - actual_files)
    result.extra_files = sorted(actual_files - expected_files)
    return result


# Backup ------------------------------------------------------------------------------------


def backup(engine: Engine, path: Path) -> Manifest:
    """Write a consistent backup of `engine`'s database to `path` (replaced atomically)."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="pactum-backup-") as work:
        work = Path(work)
        if engine.dialect.name == "sqlite":
            member, manifest = SQLITE_MEMBER, _backup_sqlite(engine, work / SQLITE_MEMBER)
        elif engine.dialect.name == "postgresql":
            member, manifest = POSTGRES_MEMBER, _backup_postgres(engine, work / POSTGRES_MEMBER)
        else:  # pragma: no cover - the two supported databases
            raise BackupError(f"cannot back up a {engine.dialect.name} database")
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            _add_bytes(archive, MANIFEST, manifest.to_json())
            archive.add(work / member, arcname=member)
        os.replace(partial, path)
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _backup_sqlite(engine: Engine, target: Path) -> Manifest:
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            source.driver_connection.backup(copy)  # online: a consistent copy
        finally:
            copy.close()
    finally:
        source.close()
    with _sqlite_engine(target) as copy_engine, copy_engine.connect() as conn:
        return read_manifest(conn)


@contextmanager
def _sqlite_engine(path: Path) -> Iterator[Engine]:
    copy_engine = create_engine(f"sqlite:///{path}")
    try:
        yield copy_engine
    finally:
        copy_engine.dispose()


def _backup_postgres(engine: Engine, target: Path) -> Manifest:
    # The manifest and pg_dump read one snapshot: what is counted is what is dumped.
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            _run(
                "pg_dump",
                ["--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={target}"],
                engine,
            )
            return read_manifest(conn)


# Restore -----------------------------------------------------------------------------------


def restore(engine: Engine, path: Path) -> Verification:
    """Load the backup at `path` into `engine`'s database, which must be empty, and verify it."""
    with tempfile.TemporaryDirectory(prefix="pactum-restore-") as work:
        work = Path(work)
        manifest, member = _unpack(Path(path), work)
        if manifest.dialect != engine.dialect.name:
            raise BackupError(
                f"this is a backup of a {manifest.dialect} database; "
                f"the configured database is {engine.dialect.name}"
            )
        with engine.connect() as conn:
            existing = _table_names(conn)
        if existing:
            raise BackupError(
                f"the database is not empty ({len(existing)} tables, e.g. {existing[0]}): "
                "restore into a new, empty database"
            )
        engine.dispose()
        if engine.dialect.name == "sqlite":
            _restore_sqlite(engine, member)
        else:
            arguments = ["--no-owner", "--exit-on-error", "--single-transaction"]
            _run("pg_restore", [*arguments, f"--dbname={engine.url.database}"], engine, member)
        engine.dispose()
        with engine.connect() as conn:
            return verify(conn, manifest)


def _unpack(path: Path, work: Path) -> tuple[Manifest, Path]:
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    try:
        with tarfile.open(path, "r") as archive:
            names = set(archive.getnames())
            member = next((m for m in (SQLITE_MEMBER, POSTGRES_MEMBER) if m in names), None)
            if MANIFEST not in names or member is None:
                raise BackupError(f"{path} is not a Pactum backup (no manifest or database)")
            manifest = Manifest.from_json(archive.extractfile(MANIFEST).read())
            archive.extract(member, work, filter="data")
    except (tarfile.TarError, json.JSONDecodeError, KeyError) as error:
        raise BackupError(f"{path} is not a readable Pactum backup: {error}") from error
    return manifest, work / member


def _restore_sqlite(engine: Engine, member: Path) -> None:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("restore needs a SQLite database file")
    source = sqlite3.connect(member)
    try:
        target = sqlite3.connect(database)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


# PostgreSQL's tools ------------------------------------------------------------------------


def _tool(name: str) -> str:
    """`pg_dump` or `pg_restore`: on PATH, else the newest in Debian's versioned folders."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=_version)
    if not candidates:
        raise BackupError(f"{name} is not installed (Debian: apt install postgresql-client)")
    return str(candidates[-1])


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(p) for p in path.parent.parent.name.split(".") if p.isdigit())


def _run(tool: str, arguments: list[str], engine: Engine, *files: Path) -> None:
    url = engine.url
    env = dict(os.environ)
    env.update(
        {
            key: str(value)
            for key, value in {
                "PGHOST": url.host,
                "PGPORT": url.port,
                "PGUSER": url.username,
                "PGPASSWORD": url.password,
                "PGDATABASE": url.database,
            }.items()
            if value is not None
        }
    )
    command = [_tool(tool), *arguments, *(str(f) for f in files)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[-2000:]}")
