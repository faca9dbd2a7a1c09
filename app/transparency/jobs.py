"""Annual report builds in the background.

With `PACTUM_REDIS_URL` set, a build is a job on the RQ queue "pactum", run by
`flask --app wsgi pactum worker`; without it, by a thread of the app process. Either way
the job runs `run_job(job_id)`, which commits the `BuildJob` row's progress as it goes
(so the secretariat can watch it from any page load) and records a failure with its
message instead of swallowing it. The PDF layout itself happens in worker processes
(`app.transparency.pdfengine`), so a thread here mostly waits.

The job needs an app context, no request: the report's templates and links are built
from the configuration (`PACTUM_SERVER_URL`). RQ calls `app.transparency.job_entry.run`,
which makes the app when its worker process has none; this module never imports the app
factory (the factory's CLI imports this module).
"""

from __future__ import annotations

import threading

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.uow import unit_of_work
from app.db import db
from app.errors import DomainError
from app.transparency import services
from app.transparency.present import document as _document  # noqa: F401  (registers the presentation)

QUEUE = "pactum"
JOB_TIMEOUT = 3 * 3600
# What RQ calls, by name (a module that may import the app factory).
ENTRY = "app.transparency.job_entry.run"
_PENDING = "pactum_builds_to_dispatch"

_threads: dict[int, threading.Thread] = {}


def dispatch(job_id: int) -> str:
    """Start a queued build: on RQ when Redis is configured, else in a thread."""
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        queue(app.config["REDIS_URL"]).enqueue_call(
            ENTRY,
            args=(job_id,),
            timeout=JOB_TIMEOUT,
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            description=f"annual report build {job_id}",
        )
        return "rq"
    thread = threading.Thread(
        target=_run_in_thread, args=(app, job_id), name=f"pactum-build-{job_id}", daemon=True
    )
    _threads[job_id] = thread
    thread.start()
    return "thread"


def dispatch_after_commit(job_id: int) -> None:
    """Start the build once the transaction that queued it commits (the build runs in
    another session, which must find the job row); nothing if it rolls back."""
    db.session.info.setdefault(_PENDING, []).append(job_id)


@event.listens_for(Session, "after_commit")
def _dispatch_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released; the real commit comes later
    for job_id in session.info.pop(_PENDING, []):
        dispatch(job_id)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


def wait(job_id: int, timeout: float = 120) -> None:
    """Wait for a build started in a thread of this process (tests, the demo loader)."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError(f"build {job_id} still running after {timeout} s")
        _threads.pop(job_id, None)


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def run_job(job_id: int) -> str:
    """Run one build, in the app context of the caller. Returns "done", "failed" or
    "skipped". Each step is its own unit of work: starting, every progress note, the
    result; a failure rolls the build back and is recorded on the job."""
    with unit_of_work():
        job = services.start_build(job_id)
    if job is None:
        return "skipped"
    last = {"percent": -1}

    def progress(percent: int, message: str) -> None:
        if percent != last["percent"]:
            last["percent"] = percent
            with unit_of_work():
                services.note_progress(job_id, percent, message)

    try:
        with unit_of_work():
            services.run_build(job_id, progress=progress)
        return "done"
    except Exception as error:  # noqa: BLE001 - recorded on the job and logged
        db.session.rollback()  # the failure may have been the commit itself
        current_app.logger.exception("annual report build %s failed", job_id)
        with unit_of_work():
            services.fail_build(job_id, failure_message(error))
        return "failed"


def failure_message(error: Exception) -> str:
    detail = error.message if isinstance(error, DomainError) else str(error) or type(error).__name__
    return _("The build failed: %(detail)s", detail=detail)[:300]


def queue(redis_url: str):
    # Imported when a queue is used: most installations run without Redis.
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE, connection=Redis.from_url(redis_url))


def work(redis_url: str, burst: bool = False) -> bool:
    """Process build jobs from Redis in this process (`pactum worker`)."""
    from rq import SimpleWorker

    q = queue(redis_url)
    worker = SimpleWorker([q], connection=q.connection)
    return worker.work(burst=burst)
