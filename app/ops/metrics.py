"""Pactum's Prometheus metrics (`/metrics`, app.ops.views; docs/deploy.md "Monitoring").

* `pactum_http_requests_total{endpoint,method,status}` and
  `pactum_http_request_duration_seconds{endpoint}`: counted in memory by every request
  (`observe_request`), no SQL: a page costs what it cost.
* `pactum_outbox_messages{status}`, `pactum_outbox_oldest_waiting_seconds` and
  `pactum_build_jobs{state}`: read from the database only when /metrics is scraped
  (`DatabaseFigures`, two grouped counts).

With several app processes (gunicorn workers), set PROMETHEUS_MULTIPROC_DIR to an empty
folder shared by them (prometheus_client's multiprocess mode): each process writes its
counters there and a scrape of any one of them sums all (`exposition()`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from app.db import db
from app.mail.models import MailStatus
from app.mail.services import backlog_figures
from app.transparency.models import BuildJob

BUILD_STATES = ("queued", "running", "done", "failed")
CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"

# The request metrics live in their own registry (not prometheus_client's global one), so
# the exposition holds Pactum's metrics only and tests read them without side effects.
REQUESTS = CollectorRegistry(auto_describe=True)
REQUESTS_TOTAL = Counter(
    "pactum_http_requests",
    "HTTP requests answered, by endpoint (the route's name), method and status.",
    ("endpoint", "method", "status"),
    registry=REQUESTS,
)
LATENCY = Histogram(
    "pactum_http_request_duration_seconds",
    "Time from the start of a request's handling to its answer, by endpoint.",
    ("endpoint",),
    registry=REQUESTS,
)


# (endpoint, method, status) -> the counter's and the histogram's children. `labels()` checks
# and joins the label values and takes the metric's lock on every call; a child, once made,
# stays the metric's (nothing here removes one), so each request only increments.
_CHILDREN: dict[tuple, tuple] = {}
CHILDREN_LIMIT = 4096


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    key = (endpoint, method, status)
    children = _CHILDREN.get(key)
    if children is None:
        name = endpoint or "none"  # no route matched (a 404): one label, not one per URL
        children = (REQUESTS_TOTAL.labels(name, method, str(status)), LATENCY.labels(name))
        if len(_CHILDREN) < CHILDREN_LIMIT:
            _CHILDREN[key] = children
    children[0].inc()
    children[1].observe(seconds)


class DatabaseFigures(Collector):
    """The outbox backlog and the annual report builds, read at scrape time."""

    def describe(self) -> list:
        return list(self._families())

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self._families(read=True)

    def _families(self, read: bool = False) -> Iterator[GaugeMetricFamily]:
        messages = GaugeMetricFamily(
            "pactum_outbox_messages",
            "Messages in the mail outbox by status (pending and sending wait; failed gave up "
            "and waits for the secretariat's retry).",
            labels=("status",),
        )
        oldest = GaugeMetricFamily(
            "pactum_outbox_oldest_waiting_seconds",
            "Age of the oldest message not sent yet (0 when none waits).",
        )
        builds = GaugeMetricFamily(
            "pactum_build_jobs",
            "Annual report builds by state.",
            labels=("state",),
        )
        if read:
            backlog = backlog_figures()
            for status in MailStatus:
                messages.add_metric((status.value,), backlog.counts[status.value])
            oldest.add_metric((), backlog.oldest_waiting_seconds or 0)
            counts = dict(
                db.session.execute(
                    select(BuildJob.state, func.count()).group_by(BuildJob.state)
                ).all()
            )
            for state in sorted(set(BUILD_STATES) | set(counts)):
                builds.add_metric((state,), counts.get(state, 0))
        yield from (messages, oldest, builds)


def exposition() -> bytes:
    """Every metric, in the Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROCESS):
        MultiProcessCollector(registry)  # every process's request counters, summed
    else:
        registry.register(_RequestsOf(REQUESTS))
    registry.register(DatabaseFigures())
    return generate_latest(registry)


class _RequestsOf(Collector):
    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()
