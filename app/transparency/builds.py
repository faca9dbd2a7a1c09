"""The life of an annual report build (`BuildJob`): started, progressing (each progress note
is its heartbeat), finished, failed, or taken as interrupted when its worker died.

A queued or running build silent for `build_timeout()` (PACTUM_BUILD_TIMEOUT seconds, two
hours unless set) is marked failed with the reason by `expire_if_stale`, which the pages
that show builds, a new build request and `pactum tick` call. Every write on a running
build is conditional on it still running, so a build taken as interrupted stops at its next
progress note and can never store a result next to its successor's: two builds of one
report never both go on.

Services flush and never commit (the job runner's units of work commit)."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import format_timedelta
from flask_babel import gettext as _
from sqlalchemy import case, func, select, update

from app import clock
from app.db import db
from app.errors import Conflict
from app.transparency.models import BuildJob

ACTIVE = ("queued", "running")
# A queued or running build silent for this long lost its worker (docs/deploy.md).
DEFAULT_BUILD_TIMEOUT = 2 * 3600


def build_timeout() -> dt.timedelta:
    """How long a queued or running build may stay silent (PACTUM_BUILD_TIMEOUT seconds)."""
    seconds = current_app.config.get("BUILD_TIMEOUT") or DEFAULT_BUILD_TIMEOUT
    return dt.timedelta(seconds=int(seconds))


def is_stale(job: BuildJob) -> bool:
    last = job.heartbeat_at or job.requested_at
    return last is not None and clock.now() - last > build_timeout()


def expire_if_stale(job: BuildJob) -> bool:
    """Mark a build whose worker died (silent for `build_timeout()`) failed, with the reason,
    and free its report for a new build. True when it did.

    No statement for a build alive or finished (pages call this on every job they show); the
    UPDATE is conditional on the build still being active and silent, so a build that
    finished meanwhile in another process keeps its result."""
    if not job.is_active or not is_stale(job):
        return False
    timeout = build_timeout()
    result = db.session.execute(
        update(BuildJob)
        .where(
            BuildJob.id == job.id,
            BuildJob.state.in_(ACTIVE),
            func.coalesce(BuildJob.heartbeat_at, BuildJob.requested_at) < clock.now() - timeout,
        )
        .values(
            state="failed",
            message=_(
                "Interrupted: no sign of life from the build for %(duration)s; its worker "
                "probably stopped. You can start it again.",
                duration=format_timedelta(timeout, threshold=1.5),
            )[:300],
            finished_at=clock.now(),
            active_key=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(job)
    return result.rowcount == 1


def expire_stale_builds() -> int:
    """`pactum tick`: mark every build whose worker died as failed. Returns how many."""
    active = db.session.scalars(select(BuildJob).where(BuildJob.state.in_(ACTIVE))).all()
    return sum(expire_if_stale(job) for job in active)


class BuildInterrupted(Conflict):
    """The build was marked failed (its worker seemed dead) while it still ran."""


def finish(job: BuildJob, state: str, message: str) -> None:
    job.state = state
    job.message = message[:300]
    job.finished_at = clock.now()
    job.active_key = None


def start_build(job_id: int) -> BuildJob | None:
    """Mark a queued build as running (None when it is not queued any more)."""
    job = db.session.get(BuildJob, job_id)
    if job is None or job.state != "queued":
        return None
    job.state = "running"
    job.started_at = job.heartbeat_at = clock.now()
    job.message = _("Collecting the figures")
    job.progress = 1
    db.session.flush()
    return job


def note_progress(job_id: int, percent: int, message: str) -> None:
    """Record progress, the build's heartbeat. A build that was taken as interrupted
    meanwhile stops here (BuildInterrupted), so two builds of a report never go on at once."""
    percent = min(99, int(percent))
    still_running(
        job_id,
        progress=case((BuildJob.progress > percent, BuildJob.progress), else_=percent),
        message=message[:300],
        heartbeat_at=clock.now(),
    )


def still_running(job_id: int, **values) -> None:
    """Write `values` on a running build, in one conditional UPDATE; refuse if it is not."""
    result = db.session.execute(
        update(BuildJob)
        .where(BuildJob.id == job_id, BuildJob.state == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    loaded = db.session.identity_map.get(db.session.identity_key(BuildJob, job_id))
    if loaded is not None:
        db.session.expire(loaded)  # read again when next used (no query otherwise)
    if result.rowcount != 1:
        raise BuildInterrupted(
            _("This build was stopped: it had been silent too long and was taken as interrupted.")
        )


def fail_build(job_id: int, message: str) -> None:
    job = db.session.get(BuildJob, job_id)
    if job is not None and job.state in ACTIVE:
        finish(job, "failed", message)
        db.session.flush()
