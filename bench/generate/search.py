"""The search index of the generated alliance, built by the app's own `reindex_all` (what
`flask pactum reindex` runs), so that `/search` in the benchmark searches the same entries a
real site would hold. On PostgreSQL the tsvector column is filled when the SQLite file is
loaded (`bench.pgload`)."""

from __future__ import annotations

import time
from pathlib import Path


def index(path: Path, verbose: bool = True) -> int:
    started = time.perf_counter()
    # Imported here: app.config reads the PACTUM_* variables at import (see schema.metadata).
    from app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "bench-generator",
            "CACHE_BACKEND": "null",
            "PAGE_CACHE": False,
        }
    )
    with app.app_context():
        from app.db import db
        from app.transparency.opendata.indexing import reindex_all

        entries = reindex_all()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    if verbose:
        print(
            f"  search index ({entries:,} entries) {time.perf_counter() - started:7.1f} s",
            flush=True,
        )
    return entries
