"""SQL statements per request, counted in process: the app on the benchmark's database, Flask's
test client, an SQLAlchemy `before_cursor_execute` listener, one request per scenario, with
every cache off (so the count is what an uncached request costs). The request's SELECTs are
then replayed one by one to show which ones cost the time."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from bench.client import Page, discover_draft_form, encode_form, target_field


@dataclass
class Count:
    status: int
    statements: int
    request_ms: float = 0.0
    db_ms: float = 0.0
    slowest: list = field(default_factory=list)  # (ms, sql) of the slowest statements


def _short(sql: str, limit: int = 220) -> str:
    sql = re.sub(r"\s+", " ", sql).strip()
    return sql if len(sql) <= limit else sql[: limit - 1] + "…"


class InProcess:
    """`caches=True`: the page and fragment caches on (per process), as the app serves: the
    statements a request runs once its page or fragments are warm ("SQL/req served")."""

    def __init__(self, database_url: str, secret: str, caches: bool = False):
        # The app is imported here, not with the module: `python -m bench` imports this module
        # before it sets PACTUM_INSTANCE_DIR (app.config reads it at import).
        from app import create_app

        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": secret,
                "CACHE_BACKEND": "memory" if caches else "null",
                "PAGE_CACHE": caches,
                "LOGIN_RATE_LIMIT": "100000 per minute",
                "RATELIMIT_ENABLED": False,
            }
        )
        self.statements: list[str] = []
        self.replay: list[tuple[str, object]] = []
        self._counting = False
        with self.app.app_context():
            from app.db import db

            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self._counting and not statement.lstrip().upper().startswith(
            ("SAVEPOINT", "RELEASE", "PRAGMA")
        ):
            self.statements.append(statement)
            if statement.lstrip().upper().startswith("SELECT") and not executemany:
                self.replay.append((statement, parameters))

    def _replayed(self) -> list[tuple[float, str]]:
        """Each SELECT of the request run again on its own, execute *and* fetch timed (SQLite
        does most of its work while rows are fetched, after the execute event fires)."""
        timings = []
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in self.replay:
                began = time.perf_counter()
                cursor.execute(statement, parameters)
                cursor.fetchall()
                timings.append(((time.perf_counter() - began) * 1000, statement))
            raw.rollback()
        finally:
            raw.close()
        return timings

    def _result(self, status: int, began: float) -> Count:
        request_ms = (time.perf_counter() - began) * 1000
        timings = self._replayed()
        slowest = sorted(timings, key=lambda t: -t[0])[:3]
        return Count(
            status,
            len(self.statements),
            request_ms,
            sum(ms for ms, _s in timings),
            [(ms, _short(sql)) for ms, sql in slowest],
        )

    @contextmanager
    def counting(self):
        self.statements = []
        self.replay = []
        self._counting = True
        try:
            yield self
        finally:
            self._counting = False

    def client(self, user_id_token: str | None = None):
        client = self.app.test_client()
        if user_id_token:
            with client.session_transaction() as session:
                session["_user_id"] = user_id_token
                session["_fresh"] = True
        return client

    @staticmethod
    def fetcher(client):
        def fetch(
            method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
        ) -> Page:
            response = client.open(path, method=method, data=body, headers=headers or {})
            data = response.get_data()
            return Page(
                response.status_code,
                {k.lower(): v for k, v in response.headers.items()},
                data,
                path,
            )

        return fetch

    def count_get(self, path: str, user_id_token: str | None = None) -> Count:
        """Statements (and time) of one GET, the body read to the end (streams too)."""
        client = self.client(user_id_token)
        with self.counting():
            began = time.perf_counter()
            response = client.get(path)
            response.get_data()
        return self._result(response.status_code, began)

    def count_draft_save(
        self, user_id_token: str, year: int, mode: str = "autosave"
    ) -> Count | None:
        """One draft save, the way the draft rush sends it (bench/drafts.py)."""
        client = self.client(user_id_token)
        fetch = self.fetcher(client)
        found = discover_draft_form(fetch, "/dashboard", year)
        if found is None:
            return None
        path, form = found
        target = target_field(form)
        endpoint = form.attrs.get("data-autosave-url", "") if mode == "autosave" else ""
        button = (
            None if endpoint else next((b for b in form.buttons if "save" in b[1].lower()), None)
        )
        body, ctype = encode_form(form, {target.name: "bench: counting statements"}, button)
        with self.counting():
            began = time.perf_counter()
            page = fetch("POST", endpoint or form.action or path, body, {"Content-Type": ctype})
        return self._result(page.status, began)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        self.engine.dispose()
