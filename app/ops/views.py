"""`/metrics` (Prometheus text format) and the request counting behind it.

Access: with PACTUM_METRICS_TOKEN set, a scrape must send `Authorization: Bearer <token>`
(401 otherwise); without it, only a scraper on this machine, talking to the app directly
(loopback address and no X-Forwarded-For / Forwarded header: a request relayed by a proxy
on the same host is not trusted), 403 otherwise. docs/deploy.md "Monitoring".

Requests are timed from Flask's `request_started` to `request_finished` signals, which
also see the answers that the page cache gives before any other hook runs.
"""

from __future__ import annotations

import hmac
import time

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    request,
    request_finished,
    request_started,
)

from app.core.page_middleware import HIT_OBSERVERS
from app.ops.metrics import CONTENT_TYPE, exposition, observe_request

bp = Blueprint("ops", __name__)

LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}
_STARTED = "pactum.ops.started"


@bp.record_once
def _count_requests(state) -> None:
    app: Flask = state.app
    request_started.connect(_started, app, weak=False)
    request_finished.connect(_finished, app, weak=False)
    # Page-cache hits answered before Flask (app.core.page_middleware) send
    # no signals: the middleware tells these directly.
    app.extensions.setdefault(HIT_OBSERVERS, []).append(observe_request)


def _started(sender, **extra) -> None:
    request.environ[_STARTED] = time.perf_counter()


def _finished(sender, response, **extra) -> None:
    started = request.environ.get(_STARTED)
    if started is None:
        return
    observe_request(
        request.endpoint, request.method, response.status_code, time.perf_counter() - started
    )


def _refusal() -> Response | None:
    """None when this scrape may read the metrics, else the plain-text refusal."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token):
            return None
        return _plain(
            "A bearer token is required (PACTUM_METRICS_TOKEN).\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="pactum metrics"'},
        )
    relayed = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    if request.remote_addr in LOOPBACK and not relayed:
        return None
    return _plain("Metrics are served to this machine only, or with PACTUM_METRICS_TOKEN.\n", 403)


def _plain(text: str, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(text, status, headers, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/metrics")
def metrics():
    refused = _refusal()
    if refused is not None:
        return refused
    response = Response(exposition(), content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response
