"""The shared server-side cache: fragments, invalidation by topic after commit, the backends
(SQLite shared by processes, FileSystemCache, Redis), and a broken cache never breaking a page."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import create_app
from app.config import overrides_for_tests
from app.core import cache as cache_module
from app.core import invalidation, signals
from app.core.cache import cache, register_fragment
from app.core.cache_store import SQLiteCache
from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]


class Calls:
    def __init__(self, value="v"):
        self.n = 0
        self.value = value

    def __call__(self):
        self.n += 1
        return self.value if not callable(self.value) else self.value(self.n)


# Fragments and topics (the test app's per-process cache) ------------------------------------


def test_testing_app_uses_a_per_process_memory_cache(app):
    assert app.extensions["pactum_cache"]["backend"] == "memory"


def test_fragment_is_computed_once_until_its_topic_is_invalidated(db):
    compute = Calls(lambda n: {"count": n})
    assert cache.memoize_fragment("directory-facets", "all", compute) == {"count": 1}
    assert cache.memoize_fragment("directory-facets", "all", compute) == {"count": 1}
    assert compute.n == 1
    cache.invalidate("charter")  # not a topic of directory-facets
    assert cache.memoize_fragment("directory-facets", "all", compute) == {"count": 1}
    cache.invalidate("members")
    assert cache.memoize_fragment("directory-facets", "all", compute) == {"count": 2}
    assert compute.n == 2


def test_keys_and_none_values(db):
    compute = Calls(None)
    assert cache.memoize_fragment("home-figures", {"b": 1, "a": [1, 2]}, compute) is None
    assert cache.memoize_fragment("home-figures", {"a": [1, 2], "b": 1}, compute) is None
    assert compute.n == 1, "None is cached too, and dict keys do not depend on their order"
    other = Calls("x")
    assert cache.memoize_fragment("home-figures", "x" * 500, other) == "x"
    assert cache.memoize_fragment("home-figures", "x" * 500, other) == "x"
    assert other.n == 1


def test_unknown_fragments_are_refused_until_registered(db):
    with pytest.raises(KeyError):
        cache.memoize_fragment("no-such-fragment", "k", Calls())
    register_fragment("test-only-fragment", "members")
    try:
        compute = Calls()
        cache.memoize_fragment("test-only-fragment", "k", compute)
        cache.invalidate("members")
        cache.memoize_fragment("test-only-fragment", "k", compute)
        assert compute.n == 2
    finally:
        cache_module.FRAGMENT_TOPICS.pop("test-only-fragment")
    explicit = Calls()
    cache.memoize_fragment("ad-hoc", "k", explicit, topics=("reports",))
    cache.invalidate("reports")
    cache.memoize_fragment("ad-hoc", "k", explicit, topics=("reports",))
    assert explicit.n == 2
    with pytest.raises(ValueError):
        register_fragment("no-topics")


def test_orm_objects_are_refused(db, org_a):
    with pytest.raises(TypeError, match="plain values"):
        cache.memoize_fragment("directory-page", "orm", lambda: [org_a])


# Signals invalidate after the commit, not before, and not on rollback ----------------------


def _generation(topic: str) -> str:
    return cache.generations([topic])


def test_a_write_invalidates_its_topics_after_the_commit(db, org_a):
    db.session.commit()
    before = _generation("members")
    compute = Calls()
    cache.memoize_fragment("directory-facets", "k", compute)
    org_a.name = "Alpha Renamed"
    signals.organisation_changed.send(org_a, actor=None)
    # Not yet: a reader now would still see the old rows, and must not store them under a
    # new generation.
    assert _generation("members") == before
    db.session.commit()
    assert _generation("members") != before
    cache.memoize_fragment("directory-facets", "k", compute)
    assert compute.n == 2


def test_a_rolled_back_write_invalidates_nothing(db, org_a):
    db.session.commit()
    before = _generation("members")
    org_a.name = "Never Saved"
    _receiver_for(signals.organisation_status_changed)(org_a, actor=None)
    db.session.rollback()
    db.session.commit()  # a later, unrelated commit does not resurrect the dropped topics
    assert _generation("members") == before


def test_a_rolled_back_savepoint_keeps_the_outer_transactions_topics(db, org_a):
    db.session.commit()
    before = _generation("members")
    _receiver_for(signals.organisation_changed)(org_a, actor=None)
    nested = db.session.begin_nested()
    nested.rollback()
    db.session.commit()
    assert _generation("members") != before


def _receiver_for(signal):
    """Our receiver of `signal` (called directly: other domains' receivers of the same signal
    would act on a sender made up for this test)."""
    index = list(invalidation.SIGNAL_TOPICS).index(signal)
    return invalidation._RECEIVERS[index]


@pytest.mark.parametrize(
    ("signal", "sender_kind", "topics"),
    [
        ("organisation_changed", "org", {"members", "home", "org"}),
        ("organisation_status_changed", "org", {"members", "home", "reports", "org"}),
        ("charter_published", "other", {"charter", "home", "members"}),
        # a version whose member is not loaded: every member's own pages
        ("report_accepted", "other", {"members", "reports", "profiles"}),
        ("report_submitted", "other", {"reports"}),
    ],
)
def test_each_signal_invalidates_its_topics(db, org_a, signal, sender_kind, topics):
    db.session.commit()
    own = f"profile:{org_a.slug}"  # the member's own pages (issue 20)
    names = {"members", "home", "reports", "charter", "profiles", own}
    before = {t: _generation(t) for t in names}
    sender = org_a if sender_kind == "org" else object()
    receiver = _receiver_for(getattr(signals, signal))
    assert receiver in list(getattr(signals, signal).receivers_for(sender)), "connected"
    receiver(sender, actor=None)
    db.session.commit()
    changed = {t for t in names if _generation(t) != before[t]}
    expected = {own if t == "org" else t for t in topics}
    assert changed == expected


# Backends ---------------------------------------------------------------------------------------


def _app(tmp_path, **config):
    settings = overrides_for_tests(f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    settings.update(config)
    return create_app(settings)


def test_backend_choice(tmp_path):
    assert _app(tmp_path, TESTING=False).extensions["pactum_cache"]["backend"] == "sqlite"
    assert (
        _app(tmp_path, TESTING=False, REDIS_URL="redis://127.0.0.1:1/0").extensions["pactum_cache"][
            "backend"
        ]
        == "redis"
    )
    assert (
        _app(tmp_path, CACHE_BACKEND="filesystem").extensions["pactum_cache"]["backend"]
        == "filesystem"
    )
    null_app = _app(tmp_path, CACHE_BACKEND="null")
    assert null_app.extensions["pactum_cache"]["page_cache"] is False
    with pytest.raises(RuntimeError, match="unknown CACHE_BACKEND"):
        _app(tmp_path, CACHE_BACKEND="memcached")
    with pytest.raises(RuntimeError, match="PACTUM_REDIS_URL"):
        _app(tmp_path, CACHE_BACKEND="redis")


def test_sqlite_backend_lives_under_the_instance_folder(tmp_path):
    app = _app(tmp_path, TESTING=False)
    with app.app_context():
        cache.set("k", "v")
        assert Path(cache.backend.path).is_relative_to(Path(app.instance_path))
        assert Path(cache.backend.path).exists()
        cache.clear()


@pytest.mark.parametrize("backend", ["sqlite", "filesystem"])
def test_workers_of_one_machine_share_invalidations(tmp_path, backend):
    """Two app instances (two gunicorn workers) on the same cache files."""
    config = {
        "CACHE_BACKEND": backend,
        "CACHE_SQLITE_PATH": str(tmp_path / "c.sqlite3"),
        "CACHE_DIR": str(tmp_path / "files"),
    }
    worker_1, worker_2 = _app(tmp_path, **config), _app(tmp_path, **config)
    compute = Calls(lambda n: n)
    with worker_1.app_context():
        assert cache.memoize_fragment("directory-facets", "k", compute) == 1
    with worker_2.app_context():
        assert cache.memoize_fragment("directory-facets", "k", compute) == 1, "shared entry"
        cache.invalidate("members")
    with worker_1.app_context():
        assert cache.memoize_fragment("directory-facets", "k", compute) == 2, "shared invalidation"


def test_sqlite_cache_is_shared_with_another_process(tmp_path):
    path = tmp_path / "shared.sqlite3"
    store = SQLiteCache(str(path))
    store.set("from-parent", {"n": 1})
    code = (
        "import sys; from app.core.cache_store import SQLiteCache; "
        f"c = SQLiteCache({str(path)!r}); "
        "assert c.get('from-parent') == {'n': 1}; c.set('from-child', [1, 2])"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        check=True,
        timeout=60,
        env={**os.environ, "PACTUM_SECRET_KEY": "x"},
    )
    assert store.get("from-child") == [1, 2]


def test_sqlite_cache_operations(tmp_path):
    store = SQLiteCache(str(tmp_path / "ops.sqlite3"), default_timeout=300)
    assert store.get("missing") is None
    assert store.set("a", 1) and store.get("a") == 1
    assert store.add("a", 2) is False and store.get("a") == 1
    assert store.add("b", 2) is True
    assert store.get_many("a", "b", "c") == [1, 2, None]
    assert store.has("a") and not store.has("c")
    assert store.inc("n") == 1 and store.inc("n", 5) == 6 and store.dec("n") == 5
    assert store.delete("a") and store.get("a") is None
    store.set_many({"x": "1", "y": "2"})
    assert store.get_many("x", "y") == ["1", "2"]
    store.set("short", "gone", timeout=1)
    store.set("forever", "kept", timeout=0)
    time.sleep(1.1)
    assert store.get("short") is None
    assert store.add("short", "again") is True, "an expired key can be added again"
    assert store.get("forever") == "kept"
    assert store.clear() and store.get("forever") is None


def test_sqlite_cache_prunes_above_its_threshold(tmp_path):
    store = SQLiteCache(str(tmp_path / "prune.sqlite3"), threshold=50, prune_every=1)
    for i in range(120):
        store.set(f"k{i}", i)
    (count,) = store._conn().execute("SELECT count(*) FROM cache").fetchone()
    assert count <= 50
    assert store.get("k119") == 119, "the newest entries survive"


def test_sqlite_cache_errors_are_misses(tmp_path):
    store = SQLiteCache(str(tmp_path / "broken.sqlite3"))
    store.set("k", "v")
    store._conn().execute("DROP TABLE cache")
    assert store.get("k") is None
    assert store.set("k", "v") is False
    assert store.get_many("k") == [None]


def test_a_broken_cache_never_breaks_a_page(tmp_path):
    """Redis down: every fragment is computed, invalidation only logs."""
    app = _app(tmp_path, CACHE_BACKEND="redis", REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    with app.app_context():
        compute = Calls(lambda n: n)
        assert cache.memoize_fragment("directory-facets", "k", compute) == 1
        assert cache.memoize_fragment("directory-facets", "k", compute) == 2
        cache.invalidate("members")
        assert cache.get("anything") is None


# Redis -----------------------------------------------------------------------------------


def test_redis_is_shared_by_app_servers(tmp_path, redis_url):
    """Two app servers (other hosts) with PACTUM_REDIS_URL share entries and invalidations."""
    host_1 = _app(tmp_path, TESTING=False, REDIS_URL=redis_url)
    host_2 = _app(tmp_path, TESTING=False, REDIS_URL=redis_url)
    assert host_1.extensions["pactum_cache"]["backend"] == "redis"
    compute = Calls(lambda n: {"n": n})
    with host_1.app_context():
        cache.clear()
        assert cache.memoize_fragment("home-figures", "k", compute) == {"n": 1}
    with host_2.app_context():
        assert cache.memoize_fragment("home-figures", "k", compute) == {"n": 1}
        cache.invalidate("charter")
    with host_1.app_context():
        assert cache.memoize_fragment("home-figures", "k", compute) == {"n": 2}
        import redis

        keys = redis.Redis.from_url(redis_url).keys("*")
        assert keys and all(k.startswith(b"pactum:") for k in keys)
        cache.clear()


def test_redis_invalidation_after_commit(redis_url, tmp_path, database_url):
    """The signal path end to end on Redis: a committed write bumps the shared generation."""
    from app.db import db as _db
    from tests.factories import make_org

    app = create_app(
        {**overrides_for_tests(database_url), "CACHE_BACKEND": "redis", "REDIS_URL": redis_url}
    )
    with app.app_context():
        before = _generation("members")
        org = make_org(name="Redis Org")
        _receiver_for(signals.organisation_changed)(org, actor=None)
        _db.session.commit()
        assert _generation("members") != before
        _db.session.remove()  # the autouse `db` fixture empties the tables afterwards
        _db.engine.dispose()


def test_a_request_reads_each_topic_generation_once_and_again_after_its_own_write(
    app, db, monkeypatch
):
    register_fragment("test-memo", "members")
    reads: list[tuple] = []
    real = cache.backend.get_many

    def counting(*keys):
        reads.append(keys)
        return real(*keys)

    monkeypatch.setattr(cache.backend, "get_many", counting)
    with app.test_request_context("/"):
        cache.memoize_fragment("test-memo", "a", lambda: 1)
        cache.memoize_fragment("test-memo", "b", lambda: 2)
        assert sum("gen:members" in keys for keys in reads) == 1
        cache.invalidate("members")
        assert cache.memoize_fragment("test-memo", "a", lambda: 3) == 3  # not the stale 1
        assert sum("gen:members" in keys for keys in reads) == 2
    with app.test_request_context("/"):
        cache.memoize_fragment("test-memo", "a", lambda: 4)
        assert sum("gen:members" in keys for keys in reads) == 3  # a new request reads again
