"""The schema the alliance is written into (the models' `create_all`) and the cache file's name:
seed, sizes, year and a hash of the schema, so a schema change regenerates the data."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from bench.generate.sizes import Sizes

BENCH_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BENCH_DIR / "data"
# Part of the cache key: bump it when a change here changes the data generated.
GENERATOR_VERSION = (
    3  # 2: the search index (issue 15); 3: directory_facets, the names' trigram index (issue 20)
)


def metadata() -> sa.MetaData:
    # Imported when first needed, not with the module: app.config reads the PACTUM_* variables
    # at import, and `python -m bench` sets some of them (PACTUM_INSTANCE_DIR ...) after
    # importing bench.generate; the models also take most of a second to import.
    import app.models  # noqa: F401  (registers every table)
    from app.db import Base

    return Base.metadata


def schema_hash() -> str:
    dialect = sqlite.dialect()
    digest = hashlib.sha256(f"generator {GENERATOR_VERSION}".encode())
    for table in metadata().sorted_tables:
        digest.update(str(CreateTable(table).compile(dialect=dialect)).encode())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            digest.update(str(CreateIndex(index).compile(dialect=dialect)).encode())
    return digest.hexdigest()[:12]


def database_path(sizes: Sizes, data_dir: Path = DATA_DIR, year: int | None = None) -> Path:
    year = year or dt.date.today().year
    return data_dir / f"pactum-{sizes.label()}-y{year}-{schema_hash()}.sqlite3"
