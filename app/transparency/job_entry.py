"""What RQ calls to run an annual report build (`jobs.ENTRY`): the build in the worker's
app context, or, in a worker process started without one (`rq worker`), in a fresh app.

The only transparency module that imports the app factory; nothing imports it (RQ finds
it by name), so the factory's own imports (`app.cli` -> `app.transparency.jobs`) make no
cycle.
"""

from __future__ import annotations

from flask import has_app_context

from app.db import db
from app.factory import create_app
from app.transparency.jobs import run_job


def run(job_id: int) -> str:
    """Run one build. Returns "done", "failed" or "skipped"."""
    if has_app_context():
        return run_job(job_id)
    app = create_app()
    with app.app_context():
        try:
            return run_job(job_id)
        finally:
            db.session.remove()
