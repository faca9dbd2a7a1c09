"""The server-side cache: one store shared by every worker (and, with Redis, every host).

Built on Flask-Caching. The backend is chosen once per app (`CACHE_BACKEND`, env
`PACTUM_CACHE_BACKEND`):

* ``redis``   — when `PACTUM_REDIS_URL` is set (the default then): several app servers share it.
* ``sqlite``  — the default on one machine: a small SQLite file under the instance folder that
  every gunicorn worker of the machine opens (see `SQLiteCache`). Measured against
  Flask-Caching's FileSystemCache by `python -m bench.cachebench` (bench/results.md): reads
  are about as fast, writes faster, and pruning a full cache does not list a directory of
  tens of thousands of files.
* ``filesystem`` — Flask-Caching's FileSystemCache under the instance folder (also shared).
* ``memory``  — per process (the default under `TESTING`, where one process is the whole app);
  never use it with several workers: an invalidation in one worker would not reach the others.
* ``null``    — caches nothing (every call computes; used to count uncached SQL statements).

Invalidation is by *topic*. Every cached fragment's key contains the current *generation* of
each topic it depends on (a cached page records them in its entry and compares them on the way
out); `invalidate("members")` replaces that generation with a fresh random token stored in the
same cache, so every worker stops using the old entries at once and they simply age out.
Tokens (not counters) make two concurrent invalidations impossible to lose.

Writes announce themselves through `app.core.signals`; the receivers below queue the topics on
the SQLAlchemy session and bump them **after the commit**. Bumping earlier is not harmless:
a reader could take the new generation, read the database before the write commits, and store
stale data under the new key until the entry expires. A rolled-back transaction invalidates
nothing. Entries also expire (`CACHE_DEFAULT_TIMEOUT`, 5 minutes), so even a missed signal heals.

Cache plain values (numbers, strings, lists, dicts), never ORM objects.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask_caching import Cache
from flask_caching.backends.base import BaseCache
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core import signals

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300
_PENDING = "pactum_cache_pending_topics"
_MISSING = object()

# Fragment name -> the topics whose writes make it stale. `memoize_fragment` refuses names
# that are not listed here (or given topics explicitly), so nothing is cached that no write
# can invalidate.
FRAGMENT_TOPICS: dict[str, tuple[str, ...]] = {
    "home-figures": ("members", "charter"),
    "directory-facets": ("members",),
    "directory-page": ("members",),
    "charter-current": ("charter",),
    "transparency-figures": ("reports", "members"),
}


def register_fragment(name: str, *topics: str) -> None:
    """Declare a fragment and the topics it depends on (domains call this at import time)."""
    if not topics:
        raise ValueError("a fragment needs at least one topic")
    FRAGMENT_TOPICS[name] = tuple(topics)


# SQLite-backed shared cache --------------------------------------------------------------------


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


# The shared cache --------------------------------------------------------------------------------


def _backend_config(app: Flask) -> tuple[str, dict]:
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
            "CACHE_TYPE": "app.core.cache.SQLiteCache",
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


def _key_part(key: Any) -> str:
    text = key if isinstance(key, str) else json.dumps(key, sort_keys=True, default=str)
    if len(text) > 200:
        text = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return text


def _check_plain(value: Any, depth: int = 0) -> None:
    """Refuse ORM objects: they would come back detached (and stale) from the cache."""
    if hasattr(value, "_sa_instance_state"):
        raise TypeError(f"cache plain values, not ORM objects ({type(value).__name__})")
    if depth > 3:
        return
    if isinstance(value, dict):
        for item in value.values():
            _check_plain(item, depth + 1)
    elif isinstance(value, list | tuple | set):
        for item in list(value)[:50]:
            _check_plain(item, depth + 1)


def _new_token() -> str:
    return f"{time.time_ns():x}{random.getrandbits(32):08x}"


class SharedCache:
    """`cache` below: fragments, topic generations, raw get/set for the page cache."""

    # (store, topic) -> (token, when read): tokens this process read lately, for
    # `recent_generations`. Cleared by every invalidation made in this process.
    _recent: dict[tuple[int, str], tuple[str, float]] = {}

    def __init__(self) -> None:
        self._flask_cache = Cache()

    def init_app(self, app: Flask) -> None:
        backend, config = _backend_config(app)
        self._flask_cache.init_app(app, config=config)
        app.extensions["pactum_cache"] = {
            "backend": backend,
            "page_cache": bool(app.config.get("PAGE_CACHE", True)) and backend != "null",
            "release": _release_fingerprint(app),
        }
        from app.core import http_cache

        http_cache.install(app)

    # plumbing ----------------------------------------------------------------------------
    @property
    def backend(self):
        """The cachelib store of the current app."""
        return self._flask_cache.cache

    @property
    def backend_name(self) -> str:
        return current_app.extensions["pactum_cache"]["backend"]

    def _call(self, default, method: str, *args, **kwargs):
        try:
            return getattr(self.backend, method)(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - a broken cache must never break a page
            log.warning("cache %s failed: %s", method, error)
            return default

    def get(self, key: str) -> Any:
        return self._call(None, "get", key)

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        return self._call(False, "set", key, value, timeout=timeout)

    def delete(self, key: str) -> bool:
        return self._call(False, "delete", key)

    def clear(self) -> bool:
        SharedCache._recent.clear()
        state = current_app.extensions.get("pactum_cache", {})
        state.pop("local_pages", None)  # app.core.http_cache's copies
        return self._call(False, "clear")

    # generations -------------------------------------------------------------------------
    def generations(self, topics: Iterable[str]) -> str:
        """The current generation tokens of `topics`, joined: part of every dependent key.
        Read once per request: the page and each of its fragments see the same tokens."""
        topics = tuple(topics)
        memo = _request_generations()
        if memo is not None and all(t in memo for t in topics):
            return ".".join(memo[t] for t in topics)
        return self.get_with_generations(None, topics)[1]

    def recent_generations(self, topics: Iterable[str], max_age: float) -> str:
        """Like `generations`, but tokens this process read less than `max_age` seconds ago
        are trusted without asking the store. Another process's write is then seen up to
        `max_age` late (this process's own writes at once); for checks where that is fine
        (the page cache: public pages tell browsers to keep them for a minute anyway)."""
        topics = tuple(topics)
        store = id(self.backend)
        now = time.monotonic()
        tokens = []
        for topic in topics:
            found = SharedCache._recent.get((store, topic))
            if found is None or now - found[1] > max_age:
                break
            tokens.append(found[0])
        else:
            return ".".join(tokens)
        joined = self.generations(topics)
        for topic, token in zip(topics, joined.split("."), strict=True):
            SharedCache._recent[(store, topic)] = (token, now)
        return joined

    def get_with_generations(self, key: str | None, topics: Iterable[str]) -> tuple[Any, str]:
        """`key`'s value and the generations of `topics`, read together (one round trip to
        the store: the page cache's hit path)."""
        topics = tuple(topics)
        keys = [f"gen:{t}" for t in topics]
        wanted = [key, *keys] if key is not None else keys
        found = self._call([None] * len(wanted), "get_many", *wanted) if wanted else []
        value = found.pop(0) if key is not None else None
        joined = self._fill_generations(keys, found)
        memo = _request_generations()
        if memo is not None:
            memo.update(zip(topics, found, strict=True))
        return value, joined

    def _fill_generations(self, keys: list[str], values: list) -> str:
        for i, value in enumerate(values):
            if value is None:
                token = _new_token()
                self._call(False, "add", keys[i], token, timeout=0)
                values[i] = self._call(None, "get", keys[i]) or token
        return ".".join(values)

    def invalidate(self, *topics: str) -> None:
        """Make every entry depending on `topics` stale, now, in every worker."""
        self._bump(self.backend, topics)

    @staticmethod
    def _bump(backend, topics: Iterable[str]) -> None:
        SharedCache._recent.clear()
        if has_request_context():
            # this request's own write: read them again
            request.environ.pop(_REQUEST_GENERATIONS, None)
        for topic in sorted(set(topics)):
            try:
                backend.set(f"gen:{topic}", _new_token(), timeout=0)
            except Exception as error:  # noqa: BLE001
                log.error("cache invalidation of %r failed: %s", topic, error)

    def invalidate_after_commit(self, *topics: str, session: Session | None = None) -> None:
        """Invalidate `topics` once the current transaction commits (nothing on rollback)."""
        if session is None:
            from app.db import db

            session = db.session()
        backend = self.backend
        pending = session.info.setdefault(_PENDING, {})
        pending.setdefault(id(backend), (backend, set()))[1].update(topics)

    # fragments ---------------------------------------------------------------------------
    def fragment_key(self, name: str, key: Any = "", topics: Iterable[str] | None = None) -> str:
        if topics is None:
            if name not in FRAGMENT_TOPICS:
                raise KeyError(f"unknown cache fragment {name!r}: register_fragment() it first")
            topics = FRAGMENT_TOPICS[name]
        return f"frag:{name}:{self.generations(topics)}:{_key_part(key)}"

    def memoize_fragment(
        self,
        name: str,
        key: Any,
        fn: Callable[[], Any],
        timeout: int | None = None,
        topics: Iterable[str] | None = None,
    ) -> Any:
        """`fn()`'s value, from the cache when the topics of `name` have not changed since.

        The generations are read *before* `fn` runs, so a write committed meanwhile leaves
        this (possibly stale) value under the old key, where nobody will look.
        """
        full_key = self.fragment_key(name, key, topics)
        hit = self.get(full_key)
        if hit is not None:
            return hit[0]
        value = fn()
        if current_app.debug or current_app.testing:
            _check_plain(value)
        self.set(full_key, (value,), timeout=timeout)
        return value


_REQUEST_GENERATIONS = "pactum_cache_generations"


def _request_generations() -> dict[str, str] | None:
    """Topic -> token, as read during the current request (None outside a request)."""
    if not has_request_context():
        return None
    # On the request itself, not `g`: an app context (and its `g`) may outlive a request.
    return request.environ.setdefault(_REQUEST_GENERATIONS, {})


cache = SharedCache()
invalidate = cache.invalidate
memoize_fragment = cache.memoize_fragment


def _release_fingerprint(app: Flask) -> str:
    """A short hash of the code, templates and translations, part of every page-cache key, so
    a new release never serves pages rendered by the previous one from a shared cache."""
    root = Path(app.root_path).parent
    digest = hashlib.blake2b(digest_size=6)
    for folder, pattern in (("app", "*.py"), ("templates", "*"), ("translations", "*.mo")):
        for path in sorted((root / folder).rglob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


# Which writes make which topics stale ----------------------------------------------------------


def _org_topics(organisation) -> tuple[str, ...]:
    org_id = getattr(organisation, "id", None)
    return (f"org:{org_id}",) if org_id is not None else ()


SIGNAL_TOPICS: dict = {
    # profile, pledges or endorsements changed; the country (home figures) may have too
    signals.organisation_changed: lambda org: ("members", "home", *_org_topics(org)),
    # listed or not, counted or not, named in transparency pages
    signals.organisation_status_changed: lambda org: (
        "members",
        "home",
        "reports",
        *_org_topics(org),
    ),
    # the charter page, the home page's "charter in force", endorsement prompts in profiles
    signals.charter_published: lambda version: ("charter", "home", "members"),
    # a member's public reports (profile) and the transparency figures
    signals.report_accepted: lambda version: ("members", "reports"),
    # lateness and "who has not reported" lists
    signals.report_submitted: lambda version: ("reports",),
}


# A safety net under the signals: an ORM write (insert, update, delete) to a table whose rows
# public pages show makes those pages' topics stale after the commit, whichever code path
# wrote it (a service, the CLI, the demo loader, a test's builder). Tables written on every
# request of a logged-in user (users: last login; reports/answers/report_edits: draft saves)
# are deliberately absent: their public effects are announced by signals (submission,
# acceptance, status changes), and a draft save must not empty the page cache during the
# deadline rush.
_MEMBERS = ("members", "home")
TABLE_TOPICS: dict[str, tuple[str, ...]] = {
    "organisations": _MEMBERS,
    "status_changes": (*_MEMBERS, "reports"),
    "endorsements": _MEMBERS,
    "pledges": _MEMBERS,
    "pledge_updates": _MEMBERS,
    "sectors": _MEMBERS,
    "charter_versions": ("charter", *_MEMBERS),
    "principles": ("charter", *_MEMBERS),
    "principle_texts": ("charter", *_MEMBERS),
    "reporting_cycles": ("reports", "home"),
    "report_versions": ("reports", *_MEMBERS),
    "annual_reports": ("reports", "home"),
    "editions": ("reports", "home"),
}


def _topics_written(session: Session) -> set[str]:
    topics: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(obj), "__table__", None)
        found = TABLE_TOPICS.get(getattr(table, "name", ""))
        if found:
            topics.update(found)
    return topics


@event.listens_for(Session, "after_flush")
def _invalidate_written_tables(session: Session, flush_context) -> None:
    topics = _topics_written(session)
    if not topics:
        return
    try:
        cache.invalidate_after_commit(*topics, session=session)
    except RuntimeError:  # no app context (a script's own session): nothing cached here
        log.debug("cache flush listener outside an app context")


def _make_receiver(topics_for: Callable):
    def receive(sender, **kwargs):
        try:
            cache.invalidate_after_commit(*topics_for(sender))
        except RuntimeError:  # no app context: nothing is cached here either
            log.debug("cache receiver outside an app context")

    return receive


_RECEIVERS = [_make_receiver(fn) for fn in SIGNAL_TOPICS.values()]
for _signal, _receiver in zip(SIGNAL_TOPICS, _RECEIVERS, strict=True):
    _signal.connect(_receiver, weak=False)


@event.listens_for(Session, "after_commit")
def _invalidate_committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for backend, topics in (pending or {}).values():
        SharedCache._bump(backend, topics)


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction) -> None:
    # Runs after `after_commit` on a commit (nothing left to forget then); on a rollback or a
    # close of the whole transaction (not a savepoint) the queued topics are dropped.
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)
