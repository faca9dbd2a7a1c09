"""Count SQL statements, to prove pages do not run a query per row (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from app.db import db


class _Counter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(uncached: bool = True):
    """Count the statements run inside the block. By default the server-side caches are
    emptied and the page cache switched off first, so the count is that of rendering the
    page from the database (what must not grow with the data)."""
    from flask import current_app

    from app.core.cache import cache

    counter = _Counter()
    state = current_app.extensions["pactum_cache"]
    page_cache = state["page_cache"]
    if uncached:
        cache.clear()
        state["page_cache"] = False

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            counter.statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
        state["page_cache"] = page_cache
