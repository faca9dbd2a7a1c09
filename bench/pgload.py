"""Copy the generated SQLite database into PostgreSQL with `COPY ... FROM STDIN`.

The schema comes from the models (`create_all`); the non-unique indexes are dropped during the
copy and built afterwards; foreign-key triggers are off during the load
(`session_replication_role = replica`, the server is our private one); sequences are moved
past the copied ids; `VACUUM ANALYZE` at the end gives the planner real statistics.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, DropIndex

from bench.generate import metadata


def database_url(base_url: str, name: str) -> str:
    return f"{base_url.rstrip('/')}/{name}"


def _fresh_database(base_url: str, name: str) -> None:
    admin = sa.create_engine(database_url(base_url, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()


def _load_cursor(raw):
    """A cursor of `raw` set up for the copy: no foreign-key triggers, UTC, lz4 if it can."""
    cursor = raw.cursor()
    cursor.execute("SET session_replication_role = replica")
    cursor.execute("SET TIME ZONE 'UTC'")
    try:  # snapshots are 10-15 kB of JSON each: lz4 compresses them far faster than pglz
        cursor.execute("SET default_toast_compression = 'lz4'")
    except Exception:  # noqa: BLE001 - a server built without lz4 keeps its default
        raw.rollback()
        cursor = raw.cursor()
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET TIME ZONE 'UTC'")
    return cursor


def _copy_table(cursor, source: sqlite3.Connection, table: sa.Table, verbose: bool) -> None:
    t0 = time.perf_counter()
    have = {row[1] for row in source.execute(f'PRAGMA table_info("{table.name}")')}
    columns = [c.name for c in table.columns if c.name in have]
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in source.execute(f'SELECT {names} FROM "{table.name}"'):
            copy.write_row(row)
            count += 1
    if verbose and count:
        print(
            f"  COPY {table.name:<20} {count:>10,} rows  {time.perf_counter() - t0:7.1f} s",
            flush=True,
        )


def _copy_tables(sqlite_path: Path, engine: sa.Engine, md: sa.MetaData, verbose: bool) -> None:
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    source_tables = {
        row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    raw = engine.raw_connection()
    try:
        cursor = _load_cursor(raw)
        for table in md.sorted_tables:
            if table.name in source_tables:
                _copy_table(cursor, source, table, verbose)
        raw.commit()
    finally:
        raw.close()
        source.close()


def _indexes_and_sequences(engine: sa.Engine, md: sa.MetaData, indexes: list) -> None:
    with engine.begin() as conn:
        for index in indexes:
            conn.execute(CreateIndex(index))
        for table in md.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) and pk[0].autoincrement:
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{pk[0].name}'), "
                    f'COALESCE((SELECT MAX("{pk[0].name}") FROM "{table.name}"), 0) + 1, false)'
                )


def _search_documents(conn) -> None:
    # Imported when needed, as `bench.generate.metadata` imports the models.
    from app.core.languages import source_language
    from app.transparency.opendata.indexing import search_document
    from app.transparency.opendata.models import SearchEntry

    langs = set(conn.scalars(sa.select(SearchEntry.lang).distinct()))
    conn.execute(
        sa.update(SearchEntry).values(stems="", document=search_document(langs, source_language()))
    )


def load(sqlite_path: Path, base_url: str, name: str = "pactum_bench", verbose: bool = True) -> str:
    started = time.perf_counter()
    _fresh_database(base_url, name)
    url = database_url(base_url, name)
    engine = sa.create_engine(url)
    md = metadata()
    md.create_all(engine)
    indexes = [index for table in md.sorted_tables for index in table.indexes if not index.unique]
    with engine.begin() as conn:
        for index in indexes:
            conn.execute(DropIndex(index))
    _copy_tables(sqlite_path, engine, md, verbose)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        # SQLite searches with FTS5 and leaves the tsvector empty: fill it as the app does
        # (the words, and their stems in each entry's language); its stems are SQLite's.
        _search_documents(conn)
    if verbose:
        print(f"  search documents              {time.perf_counter() - t0:7.1f} s", flush=True)
    t0 = time.perf_counter()
    _indexes_and_sequences(engine, md, indexes)
    if verbose:
        print(f"  indexes and sequences         {time.perf_counter() - t0:7.1f} s", flush=True)
    t0 = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    if verbose:
        print(f"  VACUUM ANALYZE                {time.perf_counter() - t0:7.1f} s", flush=True)
        print(
            f"Loaded PostgreSQL database {name} in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    return url
