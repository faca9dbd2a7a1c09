"""Throw-away databases next to the test run's own: a SQLite file, or a database on the same
PostgreSQL server (the second half of `make test`), created empty and dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text


@contextmanager
def scratch_database(like_url: str, suffix: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database of the same kind as `like_url`: `<name>_<suffix>` on
    its PostgreSQL server, or `<suffix>.sqlite3` in `folder`."""
    if not like_url.startswith("postgresql"):
        yield f"sqlite:///{folder / f'{suffix}.sqlite3'}"
        return
    base, _, name = like_url.rpartition("/")
    name = f"{name}_{suffix}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield f"{base}/{name}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
