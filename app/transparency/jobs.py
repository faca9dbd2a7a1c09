"""Annual report builds in the background.

With `PACTUM_REDIS_URL` set, a build is a job on the RQ queue "pactum", run by
`flask --app wsgi pactum worker`; without it, by a thread of the app process. Either way
the job runs `run_job(job_id)`, which commits the `BuildJob` row's progress as it goes
(so the secretariat can watch it from any page load) and records a failure with its
message instead of swallowing it. The PDF layout itself happens in worker processes
(app.transparency.build), so a thread here mostly waits.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, has_app_context

from app.db import db

QUEUE = "pactum"
JOB_TIMEOUT = 3 * 3600

_threads: dict[int, threading.Thread] = {}


def dispatch(job_id: int) -> str:
    """Start a queued build: on RQ when Redis is configured, else in a thread."""
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        queue(app.config["REDIS_URL"]).enqueue_call(
            run_job,
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
    """Run one build (RQ calls this by name). Returns "done", "failed" or "skipped"."""
    if has_app_context():
        return _run(job_id)
    from app import create_app

    app = create_app()
    with app.app_context():
        try:
            return _run(job_id)
        finally:
            db.session.remove()


def _run(job_id: int) -> str:
    from app.transparency import services

    app = current_app._get_current_object()
    # Templates and url_for() behave as in a request made to the public address.
    with app.test_request_context("/", base_url=app.config["SERVER_URL"]):
        job = services.start_build(job_id)
        db.session.commit()
        if job is None:
            return "skipped"
        last = {"percent": -1}

        def progress(percent: int, message: str) -> None:
            if percent != last["percent"]:
                last["percent"] = percent
                services.note_progress(job_id, percent, message)
                db.session.commit()

        try:
            services.run_build(job_id, progress=progress)
            db.session.commit()
            return "done"
        except Exception as error:  # noqa: BLE001 - recorded on the job and logged
            db.session.rollback()
            app.logger.exception("annual report build %s failed", job_id)
            services.fail_build(job_id, failure_message(error))
            db.session.commit()
            return "failed"


def failure_message(error: Exception) -> str:
    from flask_babel import gettext as _

    from app.errors import DomainError

    detail = error.message if isinstance(error, DomainError) else str(error) or type(error).__name__
    return _("The build failed: %(detail)s", detail=detail)[:300]


def queue(redis_url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE, connection=Redis.from_url(redis_url))


def work(redis_url: str, burst: bool = False) -> bool:
    """Process build jobs from Redis in this process (`pactum worker`)."""
    from rq import SimpleWorker

    q = queue(redis_url)
    worker = SimpleWorker([q], connection=q.connection)
    return worker.work(burst=burst)
