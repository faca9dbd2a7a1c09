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

Writes announce themselves through `app.core.signals`; the receivers in `app.core.invalidation`
queue the topics on the SQLAlchemy session and this module bumps them **after the commit**
(`_invalidate_committed`). Bumping earlier is not harmless: a reader could take the new
generation, read the database before the write commits, and store stale data under the new
key until the entry expires. A rolled-back transaction invalidates nothing. Entries also
expire (`CACHE_DEFAULT_TIMEOUT`, 5 minutes), so even a missed signal heals.

The stores themselves (the backend choice, `SQLiteCache`) are in `app.core.cache_store`.

Cache plain values (numbers, strings, lists, dicts), never ORM objects.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask_caching import Cache
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.cache_store import DEFAULT_TIMEOUT, SQLiteCache, backend_config
from app.db import db

__all__ = ["DEFAULT_TIMEOUT", "SQLiteCache", "cache", "invalidate", "memoize_fragment"]

log = logging.getLogger(__name__)

_PENDING = "pactum_cache_pending_topics"

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


# A member's own public pages (its profile, its API entry, its report pages) depend on the
# topic of its slug, so a write to one member leaves every other member's pages cached
# (issue 20); `PROFILES` makes all of them stale at once (a sector renamed, or a write
# whose member is not known without a query).
PROFILES = "profiles"


def profile_topic(slug: str) -> str:
    return f"profile:{slug}"


def register_fragment(name: str, *topics: str) -> None:
    """Declare a fragment and the topics it depends on (domains call this at import time)."""
    if not topics:
        raise ValueError("a fragment needs at least one topic")
    FRAGMENT_TOPICS[name] = tuple(topics)


# The shared cache --------------------------------------------------------------------------------


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


def token_time(token: str) -> float:
    """When a generation token was minted (`_new_token`: ns in hex + 8 random hex digits), in
    seconds; 0 when it does not look like one."""
    try:
        return int(token[:-8], 16) / 1e9
    except ValueError:
        return 0.0


class SharedCache:
    """`cache` below: fragments, topic generations, raw get/set for the page cache."""

    # (store, topic) -> (token, when read): tokens this process read lately, for
    # `recent_generations`. Cleared by every invalidation made in this process.
    _recent: dict[tuple[int, str], tuple[str, float]] = {}

    def __init__(self) -> None:
        self._flask_cache = Cache()

    def init_app(self, app: Flask) -> None:
        backend, config = backend_config(app)
        self._flask_cache.init_app(app, config=config)
        app.extensions["pactum_cache"] = {
            "backend": backend,
            "page_cache": bool(app.config.get("PAGE_CACHE", True)) and backend != "null",
            "release": _release_fingerprint(app),
        }

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

    @staticmethod
    def recent_tokens(store: int, topics: tuple[str, ...], max_age: float) -> str | None:
        """The tokens of `topics` in the store `store` (its id()) that this process read less
        than `max_age` seconds ago, joined; None when one is older or was never read. Needs
        no app: for the page cache's answers before Flask (`app.core.http_cache`)."""
        now = time.monotonic()
        tokens = []
        for topic in topics:
            found = SharedCache._recent.get((store, topic))
            if found is None or now - found[1] > max_age:
                return None
            tokens.append(found[0])
        return ".".join(tokens)

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


# After the commit: bump what the transaction queued ------------------------------------------


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
