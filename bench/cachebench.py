"""Which shared cache for one machine? Time the backends `app/core/cache.py` can use.

For each backend: a read of a 20 KB page entry (the page cache's hit), a read of the two small
generation keys every cached page needs, a write of a page entry, two processes reading at
once (what two gunicorn workers do), and a write once the cache holds more entries than its
threshold (when pruning runs). SimpleCache is per process (not shareable); it is here as the
floor. Redis is measured when `redis-server` is installed (a private one on a free port).

    python -m bench.cachebench
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.servers import private_redis

PAGE = {
    "body": b"<html>" + b"x" * 20_000 + b"</html>",
    "etag": "e" * 32,
    "last_modified": 1_700_000_000,
    "content_type": "text/html; charset=utf-8",
}


def _make(kind: str, path: Path, redis_url: str = "", threshold: int = 50_000):
    # Imported when a cache is made, not with the module: `python -m bench` imports this module
    # before it sets PACTUM_INSTANCE_DIR, which app.config reads at import; redis is optional.
    from flask_caching.backends import FileSystemCache, RedisCache, SimpleCache

    from app.core.cache import SQLiteCache

    if kind == "sqlite":
        return SQLiteCache(str(path / "cache.sqlite3"), threshold=threshold)
    if kind == "filesystem":
        return FileSystemCache(str(path / "files"), threshold=threshold)
    if kind == "redis":
        import redis

        client = redis.Redis.from_url(redis_url)
        return RedisCache(host=client, key_prefix="bench:")
    return SimpleCache(threshold=threshold)


def _per_op(fn, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - start) / n * 1e6


def _reader(kind: str, path: str, redis_url: str, n: int, queue) -> None:
    cache = _make(kind, Path(path), redis_url)
    queue.put(_per_op(lambda i: cache.get(f"page:{i % 100}"), n))


def measure(kind: str, path: Path, redis_url: str = "", n: int = 5000, full: bool = True) -> dict:
    path.mkdir(parents=True, exist_ok=True)
    cache = _make(kind, path, redis_url)
    cache.clear()
    for i in range(100):
        cache.set(f"page:{i}", PAGE)
    cache.set("gen:members", "a" * 20, timeout=0)
    cache.set("gen:home", "b" * 20, timeout=0)
    result = {
        "get page (µs)": _per_op(lambda i: cache.get(f"page:{i % 100}"), n),
        "get 2 generations (µs)": _per_op(lambda i: cache.get_many("gen:members", "gen:home"), n),
        "set page (µs)": _per_op(lambda i: cache.set(f"new:{i % 500}", PAGE), max(200, n // 5)),
    }
    if kind != "simple":
        queue = multiprocessing.get_context("fork").Queue()
        procs = [
            multiprocessing.get_context("fork").Process(
                target=_reader, args=(kind, str(path), redis_url, n, queue)
            )
            for _ in range(2)
        ]
        for p in procs:
            p.start()
        times = [queue.get(timeout=120) for _ in procs]
        for p in procs:
            p.join()
        result["get page, 2 processes at once (µs)"] = max(times)
        # Another process sees what this one wrote: the cache is shared.
        cache.set("shared-check", "yes")
        other = _make(kind, path, redis_url)
        result["shared between processes"] = other.get("shared-check") == "yes"
    else:
        result["get page, 2 processes at once (µs)"] = None
        result["shared between processes"] = False
    # Over the threshold: every write may prune.
    small = (
        _make(kind, path / "full", redis_url, threshold=2000) if kind != "redis" and full else None
    )
    if small is not None:
        for i in range(2005):
            small.set(f"fill:{i}", b"x" * 200)
        # FileSystemCache lists its directory on every write above the threshold: few writes.
        result["set when full (µs)"] = _per_op(lambda i: small.set(f"more:{i}", b"x" * 200), 30)
        small.clear()
    else:
        result["set when full (µs)"] = None  # Redis evicts by its own policy (maxmemory)
    cache.clear()
    return result


def report(work: Path, smoke: bool = False) -> str:
    shutil.rmtree(work, ignore_errors=True)
    n = 300 if smoke else 5000
    kinds = ["sqlite", "filesystem", "simple"]
    with contextlib.ExitStack() as stack:
        redis_url = ""
        if shutil.which("redis-server") and not smoke:
            redis_url = stack.enter_context(private_redis())
            kinds.insert(2, "redis")
        try:
            results = {
                kind: measure(kind, work / kind, redis_url, n, full=not smoke) for kind in kinds
            }
        finally:
            shutil.rmtree(work, ignore_errors=True)
    metrics = list(next(iter(results.values())))
    lines = [
        "## Shared cache backends (python -m bench.cachebench)\n",
        "| backend | " + " | ".join(metrics) + " |",
        "|---|" + "---:|" * len(metrics),
    ]
    for kind, values in results.items():
        cells = []
        for metric in metrics:
            value = values[metric]
            cells.append(
                "—"
                if value is None
                else ("yes" if value is True else "no")
                if isinstance(value, bool)
                else f"{value:,.0f}"
            )
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines.append(
        "\nsqlite = `app.core.cache.SQLiteCache` (the default on one machine), filesystem = "
        "Flask-Caching's FileSystemCache, redis = RedisCache (the default when "
        "`PACTUM_REDIS_URL` is set), simple = per-process SimpleCache (tests only)."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("PACTUM_SECRET_KEY", "cachebench")
    print(report(Path(tempfile.gettempdir()) / f"pactum-cachebench-{os.getpid()}"))
