"""Where the shared cache keeps its entries: the backend chosen once per app
(`CACHE_BACKEND`, see `app.core.cache`) and `SQLiteCache`, the default on one machine."""

from __future__ import annotations

import logging
import os
import pickle
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask
from flask_caching.backends.base import BaseCache

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300


class SQLiteCache(BaseCache):
    """A cache in one SQLite file, shared by every process of the machine.

    WAL mode lets readers run while one process writes; `synchronous=OFF` because a cache
    need not survive a power cut. Each process (and thread) opens its own connection, lazily,
    so it is safe across gunicorn's fork. Expired rows are never deleted on the read path;
    roughly one `set` in `prune_every` deletes expired rows and, above `threshold` rows, the
    ones closest to expiry. Any SQLite error counts as a miss (a cache must not break pages).
    """

    def __init__(
        self,
        path: str,
        default_timeout: int = DEFAULT_TIMEOUT,
        threshold: int = 50_000,
        prune_every: int = 200,
        **kwargs: Any,
    ):
        super().__init__(default_timeout=default_timeout)
        self.path = str(path)
        self.threshold = threshold
        self.prune_every = prune_every
        self._local = threading.local()
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)

    @classmethod
    def factory(cls, app, config, args, kwargs):
        kwargs = dict(kwargs)
        kwargs.pop("ignore_delete_many_errors", None)
        return cls(
            config["CACHE_SQLITE_PATH"], threshold=config.get("CACHE_THRESHOLD", 50_000), **kwargs
        )

    # connection ---------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            conn = sqlite3.connect(
                self.path, timeout=5, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB NOT NULL, "
                "expires REAL NOT NULL) WITHOUT ROWID"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS cache_expires ON cache (expires)")
            local.conn, local.pid = conn, os.getpid()
        return local.conn

    def _expires(self, timeout) -> float:
        timeout = self._normalize_timeout(timeout)
        return time.time() + timeout if timeout > 0 else 1e18

    def _safely(self, default, fn, *args):
        try:
            return fn(*args)
        except sqlite3.Error as error:
            log.warning("sqlite cache %s: %s", self.path, error)
            return default

    # reads ----------------------------------------------------------------------------------
    def _get(self, key: str):
        row = (
            self._conn()
            .execute("SELECT value FROM cache WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return pickle.loads(row[0]) if row else None  # noqa: S301 (our own cache file)

    def get(self, key: str) -> Any:
        return self._safely(None, self._get, key)

    def _get_many(self, keys):
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = dict(
            self._conn()
            .execute(
                f"SELECT key, value FROM cache WHERE key IN ({marks}) AND expires > ?",
                (*keys, time.time()),
            )
            .fetchall()
        )
        return [pickle.loads(rows[k]) if k in rows else None for k in keys]  # noqa: S301

    def get_many(self, *keys: str) -> list[Any]:
        return self._safely([None] * len(keys), self._get_many, list(keys))

    def has(self, key: str) -> bool:
        return self._safely(
            False,
            lambda: (
                self._conn()
                .execute("SELECT 1 FROM cache WHERE key = ? AND expires > ?", (key, time.time()))
                .fetchone()
                is not None
            ),
        )

    # writes ----------------------------------------------------------------------------------
    def _set(self, key, value, timeout) -> bool:
        blob = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        conn = self._conn()
        conn.execute(
            "INSERT OR REPLACE INTO cache (key, value, expires) VALUES (?, ?, ?)",
            (key, blob, self._expires(timeout)),
        )
        if random.randrange(self.prune_every) == 0:  # noqa: S311 (not security)
            self._prune(conn)
        return True

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        return self._safely(False, self._set, key, value, timeout)

    def _add(self, key, value, timeout) -> bool:
        conn = self._conn()
        conn.execute("DELETE FROM cache WHERE key = ? AND expires <= ?", (key, time.time()))
        cursor = conn.execute(
            "INSERT OR IGNORE INTO cache (key, value, expires) VALUES (?, ?, ?)",
            (key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL), self._expires(timeout)),
        )
        return cursor.rowcount == 1

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        return self._safely(False, self._add, key, value, timeout)

    def set_many(self, mapping, timeout: int | None = None) -> list[Any]:
        def run():
            expires = self._expires(timeout)
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT OR REPLACE INTO cache (key, value, expires) VALUES (?, ?, ?)",
                    [
                        (k, pickle.dumps(v, pickle.HIGHEST_PROTOCOL), expires)
                        for k, v in mapping.items()
                    ],
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return list(mapping)

        return self._safely([], run)

    def delete(self, key: str) -> bool:
        return self._safely(
            False,
            lambda: self._conn().execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 1,
        )

    def delete_many(self, *keys: str) -> list[Any]:
        return [k for k in keys if self.delete(k)]

    def clear(self) -> bool:
        return self._safely(False, lambda: self._conn().execute("DELETE FROM cache") and True)

    def inc(self, key: str, delta: int = 1) -> int | None:
        def run():
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                value = (self._get(key) or 0) + delta
                conn.execute(
                    "INSERT OR REPLACE INTO cache (key, value, expires) VALUES (?, ?, ?)",
                    (key, pickle.dumps(value), self._expires(None)),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return value

        return self._safely(None, run)

    def dec(self, key: str, delta: int = 1) -> int | None:
        return self.inc(key, -delta)

    def _prune(self, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))
        (count,) = conn.execute("SELECT count(*) FROM cache").fetchone()
        if self.threshold and count > self.threshold:
            conn.execute(
                "DELETE FROM cache WHERE key IN (SELECT key FROM cache ORDER BY expires LIMIT ?)",
                (count - self.threshold + self.threshold // 10,),
            )


# The backend of an app ------------------------------------------------------------------------


def backend_config(app: Flask) -> tuple[str, dict]:
    cfg = app.config
    backend = (cfg.get("CACHE_BACKEND") or "").strip().lower()
    if not backend:
        if app.testing:
            backend = "memory"  # one process is the whole app; never share between test runs
        elif cfg.get("REDIS_URL"):
            backend = "redis"
        else:
            backend = "sqlite"
    instance = Path(app.instance_path)
    common = {"CACHE_DEFAULT_TIMEOUT": cfg.get("CACHE_DEFAULT_TIMEOUT", DEFAULT_TIMEOUT)}
    if backend == "redis":
        url = cfg.get("CACHE_REDIS_URL") or cfg.get("REDIS_URL")
        if not url:
            raise RuntimeError("CACHE_BACKEND=redis needs PACTUM_REDIS_URL")
        return backend, {
            **common,
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": cfg.get("CACHE_KEY_PREFIX", "pactum:"),
        }
    if backend == "sqlite":
        path = cfg.get("CACHE_SQLITE_PATH") or str(instance / "cache" / "pactum-cache.sqlite3")
        return backend, {
            **common,
            "CACHE_TYPE": "app.core.cache_store.SQLiteCache",
            "CACHE_SQLITE_PATH": path,
            "CACHE_THRESHOLD": cfg.get("CACHE_THRESHOLD", 50_000),
        }
    if backend == "filesystem":
        path = cfg.get("CACHE_DIR") or str(instance / "cache" / "files")
        return backend, {
            **common,
            "CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": path,
            "CACHE_THRESHOLD": cfg.get("CACHE_THRESHOLD", 50_000),
        }
    if backend == "memory":
        return backend, {
            **common,
            "CACHE_TYPE": "SimpleCache",
            "CACHE_THRESHOLD": cfg.get("CACHE_THRESHOLD", 5_000),
        }
    if backend == "null":
        return backend, {**common, "CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
    raise RuntimeError(
        f"unknown CACHE_BACKEND {backend!r} (redis, sqlite, filesystem, memory or null)"
    )
