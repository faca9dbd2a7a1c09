"""What `/healthz` reports: the database, Redis (when configured) and the mail outbox.

`report()` answers (healthy, body). Unhealthy, and so a 503 for the load balancer or the
monitor, when the database does not answer `SELECT 1`, when Redis is configured
(PACTUM_REDIS_URL) and does not answer PING, or when PACTUM_HEALTH_MAIL_MAX_AGE is set (minutes)
and the oldest message still waiting in the outbox is older than that. A backlog as such,
and failed messages, are reported, never failed on: mail waits in the outbox through an SMTP
outage and leaves when it ends, while the site keeps working (docs/deploy.md, "Monitoring").

No error text goes out (it may name hosts or users): only the kind of error. Nothing here
needs a request.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.db import db
from app.mail.services import backlog_figures

OK, FAIL, WARN = "ok", "fail", "warn"
REDIS_TIMEOUT = 1.0  # seconds: a health check must answer quickly even when Redis hangs


def report() -> tuple[bool, dict[str, Any]]:
    checks = {"database": database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = redis(current_app.config["REDIS_URL"])
    if checks["database"]["status"] == OK:
        checks["outbox"] = outbox(current_app.config.get("HEALTH_MAIL_MAX_AGE") or 0)
    healthy = all(check["status"] != FAIL for check in checks.values())
    return healthy, {"status": OK if healthy else FAIL, "checks": checks}


def _timed(probe) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        probe()
    except Exception as error:  # noqa: BLE001 - a failed probe is the answer, not a crash
        return {"status": FAIL, "error": type(error).__name__}
    return {"status": OK, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


def database() -> dict[str, Any]:
    result = _timed(lambda: db.session.execute(select(1)))
    if result["status"] == FAIL:
        db.session.rollback()
    return result


def redis(url: str) -> dict[str, Any]:
    # Imported here: most installations run without Redis (and without the package's cost).
    from redis import Redis

    client = Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
    try:
        return _timed(client.ping)
    finally:
        client.close()


def outbox(max_age_minutes: int) -> dict[str, Any]:
    backlog = backlog_figures()
    oldest = backlog.oldest_waiting_seconds
    status = OK
    if backlog.counts["failed"]:
        status = WARN
    if max_age_minutes and oldest is not None and oldest > max_age_minutes * 60:
        status = FAIL
    return {
        "status": status,
        "pending": backlog.waiting,
        "failed": backlog.counts["failed"],
        "oldest_pending_seconds": None if oldest is None else round(oldest),
        "max_age_seconds": max_age_minutes * 60 or None,
    }
