"""Writing the rows: SQLAlchemy Core `insert()` executemany in batches, one transaction per
table, into a SQLite file opened for a fast bulk load (`synchronous=OFF`, no foreign keys)."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa

from bench.generate.common import UTC, dumps
from bench.generate.schema import metadata

BATCH = 20_000


class Loader:
    """Core `insert()` executemany in batches, one transaction per table. JSON columns are
    taken as already-serialised text (the generator writes compact JSON itself)."""

    def __init__(self, engine: sa.Engine, verbose: bool = True):
        self.engine = engine
        self.verbose = verbose
        self.tables = {t.name: t for t in metadata().sorted_tables}
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def _clause(self, name: str):
        table = self.tables[name]
        return sa.table(
            name,
            *[
                sa.column(c.name, sa.Text() if isinstance(c.type, sa.JSON) else c.type)
                for c in table.columns
            ],
        )

    def _fillers(self, name: str, columns: list[str]) -> tuple[list[int], dict]:
        """Other engineers add columns while the models evolve: keep the generated columns
        that still exist, and give every new NOT NULL column its model default (or an empty
        value of its type), so the generator keeps working on the current schema."""
        table = self.tables[name]
        keep = [i for i, c in enumerate(columns) if c in table.c]
        dropped = [c for c in columns if c not in table.c]
        if dropped and self.verbose:
            print(f"  ({name}: no column {', '.join(dropped)} any more; skipped)", flush=True)
        fill = {}
        for column in table.columns:
            if column.name in columns or column.nullable or column.server_default is not None:
                continue
            if column.primary_key and isinstance(column.type, sa.Integer):
                continue
            value = _column_default(column)
            if isinstance(column.type, sa.JSON):
                value = dumps(value)
            fill[column.name] = value
        return keep, fill

    def load(self, name: str, columns: list[str], rows: Iterable[tuple]) -> int:
        """Insert `rows` (tuples in `columns` order) into table `name`, in one transaction.

        The statement is SQLAlchemy Core's `insert()` compiled for the engine's dialect; each
        batch goes to the driver's executemany with the column types' bind processors applied
        here (the generic per-row parameter handling costs more than the insert itself at
        six million rows).
        """
        start = time.perf_counter()
        keep, fill = self._fillers(name, columns)
        names = [columns[i] for i in keep] + list(fill)
        clause = self._clause(name)
        dialect = self.engine.dialect
        compiled = sa.insert(clause).compile(dialect=dialect, column_keys=names)
        order = [names.index(key) for key in compiled.positiontup]
        processors = [clause.c[names[i]].type.bind_processor(dialect) for i in order]
        plain = all(p is None for p in processors)
        fill_values = tuple(fill.values())
        exact = len(keep) == len(columns) and not fill_values and order == list(range(len(names)))
        sql = str(compiled)

        def convert(row: tuple) -> tuple:
            values = tuple(row[i] for i in keep) + fill_values
            values = tuple(values[i] for i in order)
            if plain:
                return values
            return tuple(
                v if p is None or v is None else p(v)
                for p, v in zip(processors, values, strict=True)
            )

        count = 0
        batch: list[tuple] = []
        with self.engine.begin() as conn:
            for row in rows:
                batch.append(row if exact and plain else convert(row))
                if len(batch) >= BATCH:
                    conn.exec_driver_sql(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                conn.exec_driver_sql(sql, batch)
                count += len(batch)
        elapsed = time.perf_counter() - start
        self.counts[name] = self.counts.get(name, 0) + count
        self.seconds[name] = self.seconds.get(name, 0) + elapsed
        if self.verbose:
            print(f"  {name:<20} {count:>10,} rows  {elapsed:7.1f} s", flush=True)
        return count


def _column_default(column: sa.Column):
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return default.arg
    if default is not None and getattr(default, "is_callable", False):
        return default.arg(None)
    kind = column.type
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.Float | sa.Numeric):
        return 0
    if isinstance(kind, sa.DateTime) or getattr(kind, "impl", None).__class__ is sa.DateTime:
        return dt.datetime.now(UTC)
    if isinstance(kind, sa.Date):
        return dt.date.today()
    if isinstance(kind, sa.LargeBinary):
        return b""
    return ""


def sqlite_engine(path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{path}")

    @sa.event.listens_for(engine, "connect")
    def _fast(dbapi_connection, record):  # runs after app.db's pragmas (same event, later)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute(f"PRAGMA journal_mode={os.environ.get('BENCH_JOURNAL', 'WAL')}")
        cursor.execute("PRAGMA cache_size=-200000")
        cursor.close()

    return engine
