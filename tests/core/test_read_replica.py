"""PACTUM_DATABASE_REPLICA_URL: anonymous visitors' public pages read from the replica; everyone
and everything else reads the primary; a page whose data changed lately reads the primary.

The "replica" here is a second database with different rows, so each answer shows where it
was read: the primary has "Primary Only Ltd", the replica "Replica Only Ltd"."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app import create_app
from app.config import overrides_for_tests
from app.core.cache import cache
from app.db import db, read_from_replica
from app.members.models import Organisation
from tests import factories
from tests.conftest import login_as
from tests.scratch_db import scratch_database


@pytest.fixture
def replica_url(database_url, tmp_path):
    with scratch_database(database_url, "replica", tmp_path) as url:
        yield url


@pytest.fixture
def seeded(app, replica_url):
    """One listed member in each database (the primary is the test app's)."""
    seed = create_app(overrides_for_tests(replica_url))
    with seed.app_context():
        db.create_all()
        factories.make_org("Replica Only Ltd")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    factories.make_org("Primary Only Ltd")
    db.session.commit()
    return replica_url


def _routed_app(database_url, replica_url, **config):
    settings = overrides_for_tests(database_url)
    settings.update(SQLALCHEMY_BINDS={"replica": replica_url}, **config)
    return create_app(settings)


@pytest.fixture
def routed(database_url, seeded):
    apps = []

    def make(**config):
        app = _routed_app(database_url, seeded, **config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


def _age_generations(app, seconds: float) -> None:
    """Make every topic of the routed app look last written `seconds` ago."""
    token = f"{time.time_ns() - int(seconds * 1e9):x}{0:08x}"
    with app.app_context():
        # (a member's own pages also follow "profiles" and their slug's topic, issue 20)
        for topic in (
            "members",
            "charter",
            "home",
            "reports",
            "profiles",
            "profile:replica-only-ltd",
        ):
            cache.backend.set(f"gen:{topic}", token, timeout=0)


def test_anonymous_public_pages_read_the_replica(routed):
    app = routed(REPLICA_MAX_LAG=30)
    _age_generations(app, 60)
    client = app.test_client()
    html = client.get("/members").get_data(True)
    assert "Replica Only Ltd" in html and "Primary Only Ltd" not in html
    assert client.get("/members/replica-only-ltd").status_code == 200
    names = [m["name"] for m in client.get("/api/v1/members").get_json()["data"]]
    assert names == ["Replica Only Ltd"]


def test_with_the_page_cache_off_anonymous_pages_still_read_the_replica(routed):
    app = routed(REPLICA_MAX_LAG=30, PAGE_CACHE=False)
    _age_generations(app, 60)
    html = app.test_client().get("/members").get_data(True)
    assert "Replica Only Ltd" in html and "Primary Only Ltd" not in html


def test_logged_in_visitors_read_the_primary(routed):
    app = routed(REPLICA_MAX_LAG=30)
    _age_generations(app, 60)
    user = factories.make_user(role="secretariat", email="sec@primary.example")
    db.session.commit()
    client = app.test_client()
    login_as(client, user)  # the user exists on the primary only: loading them works
    html = client.get("/members").get_data(True)
    assert "Primary Only Ltd" in html and "Replica Only Ltd" not in html
    assert client.get("/members/replica-only-ltd").status_code == 404


def test_a_page_whose_data_changed_lately_reads_the_primary(routed):
    app = routed(REPLICA_MAX_LAG=30)
    _age_generations(app, 5)  # a write 5 s ago: the replica may not have it yet
    client = app.test_client()
    html = client.get("/members").get_data(True)
    assert "Primary Only Ltd" in html and "Replica Only Ltd" not in html
    _age_generations(app, 31)  # written long enough ago; new tokens, so not a cached copy
    html = client.get("/members").get_data(True)
    assert "Replica Only Ltd" in html and "Primary Only Ltd" not in html


def test_reads_after_a_write_in_the_same_request_go_to_the_primary(routed):
    app = routed()
    with app.app_context(), app.test_request_context("/members"):
        names = select(Organisation.name)
        read_from_replica()
        assert set(db.session.scalars(names)) == {"Replica Only Ltd"}
        factories.make_org("Written Now Ltd")  # flushed: a write on the primary
        assert set(db.session.scalars(names)) == {"Primary Only Ltd", "Written Now Ltd"}
        db.session.rollback()


def test_without_a_replica_nothing_changes(app, client):
    assert not app.config.get("SQLALCHEMY_BINDS")
    factories.make_org("Primary Only Ltd")
    db.session.commit()
    assert "Primary Only Ltd" in client.get("/members").get_data(True)
