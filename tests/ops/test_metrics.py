"""`/metrics`: Prometheus text with requests by endpoint and status, latency, the outbox
backlog and failed mail, builds by state; behind a bearer token, or loopback only."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from flask import request_finished, request_started
from prometheus_client.parser import text_string_to_metric_families

from app import clock
from app.mail.models import MailStatus, OutboxMessage
from app.ops import views as ops_views
from app.transparency.models import BuildJob
from tests.conftest import login_as
from tests.querycount import count_queries
from tests.transparency.builders import make_cycle

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def token(app):
    saved = app.config.get("METRICS_TOKEN")
    app.config["METRICS_TOKEN"] = "s3cret-scrape-token"
    yield "s3cret-scrape-token"
    app.config["METRICS_TOKEN"] = saved


def scrape(client, **kwargs) -> dict:
    """{(name, labels): value} of every sample."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _requests(samples, endpoint, status, method="GET") -> float:
    key = (
        "pactum_http_requests_total",
        (("endpoint", endpoint), ("method", method), ("status", str(status))),
    )
    return samples.get(key, 0)


def test_without_a_token_only_this_machine_may_scrape(client, db):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    far = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert far.status_code == 403 and b"PACTUM_METRICS_TOKEN" in far.data
    assert b"pactum_http" not in far.data
    # Through a reverse proxy on this machine: the proxy's address is loopback, not the client.
    relayed = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 403
    assert client.get("/metrics", headers={"Forwarded": "for=203.0.113.9"}).status_code == 403


def test_with_a_token_a_scrape_needs_it_from_anywhere(client, db, token):
    missing = client.get("/metrics")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and b"pactum_http" not in wrong.data
    basic = client.get("/metrics", headers={"Authorization": f"Basic {token}"})
    assert basic.status_code == 401
    far = {"REMOTE_ADDR": "203.0.113.9"}
    samples = scrape(client, headers={"Authorization": f"Bearer {token}"}, environ_base=far)
    assert any(name == "pactum_outbox_messages" for name, _labels in samples)


def test_requests_are_counted_by_endpoint_method_and_status(client, db):
    before = scrape(client)
    client.get("/")
    client.get("/")  # a page-cache hit is counted too
    client.get("/no/such/page")
    client.post("/healthz")
    after = scrape(client)
    assert _requests(after, "core.home", 200) - _requests(before, "core.home", 200) == 2
    assert _requests(after, "none", 404) - _requests(before, "none", 404) == 1
    # No route matched: one label for all such answers, not one per URL typed.
    assert _requests(after, "none", 405, "POST") - _requests(before, "none", 405, "POST") == 1
    # The scrape itself is a request like any other.
    assert _requests(after, "ops.metrics", 200) >= 1


def test_latency_is_a_histogram_per_endpoint(client, db):
    before = scrape(client)
    client.get("/")
    after = scrape(client)
    count = ("pactum_http_request_duration_seconds_count", (("endpoint", "core.home"),))
    infinite = (
        "pactum_http_request_duration_seconds_bucket",
        (("endpoint", "core.home"), ("le", "+Inf")),
    )
    assert after[count] - before.get(count, 0) == 1
    assert after[infinite] - before.get(infinite, 0) == 1
    total = ("pactum_http_request_duration_seconds_sum", (("endpoint", "core.home"),))
    assert after[total] > before.get(total, 0)


def test_the_outbox_backlog_failed_mail_and_builds_are_reported(client, db, world_for_builds):
    clock.freeze(T0 + dt.timedelta(minutes=90))
    for status, minutes in [
        (MailStatus.PENDING, 0),
        (MailStatus.PENDING, 60),
        (MailStatus.FAILED, 10),
        (MailStatus.FAILED, 20),
        (MailStatus.SENT, 0),
    ]:
        created = T0 + dt.timedelta(minutes=minutes)
        db.session.add(
            OutboxMessage(
                key=uuid.uuid4().hex,
                recipients=["a@example.org"],
                subject="s",
                body="b",
                status=status,
                created_at=created,
                next_attempt_at=created,
            )
        )
    db.session.commit()
    samples = scrape(client)
    assert samples[("pactum_outbox_messages", (("status", "pending"),))] == 2
    assert samples[("pactum_outbox_messages", (("status", "sending"),))] == 0
    assert samples[("pactum_outbox_messages", (("status", "failed"),))] == 2
    assert samples[("pactum_outbox_messages", (("status", "sent"),))] == 1
    assert samples[("pactum_outbox_oldest_waiting_seconds", ())] == 90 * 60
    assert samples[("pactum_build_jobs", (("state", "running"),))] == 1
    assert samples[("pactum_build_jobs", (("state", "failed"),))] == 2
    assert samples[("pactum_build_jobs", (("state", "queued"),))] == 0


@pytest.fixture
def world_for_builds(db, secretariat):
    cycle = make_cycle(2025, status="closed")
    for state in ("running", "failed", "failed"):
        db.session.add(BuildJob(cycle_id=cycle.id, kind="draft", state=state))
    db.session.commit()


def test_counting_requests_adds_no_statement_to_pages(app, client, db, secretariat):
    db.session.commit()
    login_as(client, secretariat)

    def statements(url: str) -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    urls = ("/secretariat/mail", "/", "/charter")
    [statements(url) for url in urls]  # warm up: first visits may load what later ones reuse
    counted = [statements(url) for url in urls]
    request_started.disconnect(ops_views._started, app)
    request_finished.disconnect(ops_views._finished, app)
    try:
        uncounted = [statements(url) for url in urls]
    finally:
        request_started.connect(ops_views._started, app, weak=False)
        request_finished.connect(ops_views._finished, app, weak=False)
    assert counted == uncounted


def test_the_database_figures_are_read_only_when_scraped(client, db):
    with count_queries() as counter:
        client.get("/metrics")
    assert counter.count == 2  # the outbox by status, the builds by state


MULTIPROCESS_CHILD = """
import sys
from prometheus_client.parser import text_string_to_metric_families
from app import create_app
from app.config import overrides_for_tests
client = create_app(overrides_for_tests(sys.argv[1])).test_client()
for _ in range(int(sys.argv[2])):
    assert client.get("/healthz").status_code == 200
if sys.argv[3] == "scrape":
    text = client.get("/metrics").get_data(as_text=True)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "pactum_http_requests_total" and sample.labels == {
                "endpoint": "core.healthz", "method": "GET", "status": "200"
            }:
                print(int(sample.value))
"""


@pytest.mark.slow
def test_several_worker_processes_are_summed_in_multiprocess_mode(database_url, tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR (gunicorn workers, docs/deploy.md), a scrape of one
    process reports the requests of all."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    root = Path(__file__).resolve().parents[2]

    def run(requests: int, then: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", MULTIPROCESS_CHILD, database_url, str(requests), then],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    run(2, "exit")
    assert run(1, "scrape") == "3"
