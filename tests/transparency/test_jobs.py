"""Background builds: a thread without Redis, an RQ worker with it; one build at a time per
report; failures recorded and shown; progress readable from any page load."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.transparency import jobs, services
from app.transparency import pdfengine as build
from app.transparency.models import BuildJob
from app.transparency.present.document import AnnualDocument
from tests.conftest import login_as, post_form

PAGE = "/secretariat/annual-reports/2025"


def _job_id(response) -> int:
    assert response.status_code == 302
    return int(re.search(r"/builds/(\d+)$", response.headers["Location"]).group(1))


def test_two_requests_never_build_the_same_report_twice(
    client, db, world, secretariat, monkeypatch
):
    started = []
    monkeypatch.setattr(jobs, "dispatch", lambda job_id: started.append(job_id))
    db.session.commit()
    login_as(client, secretariat)
    first = _job_id(post_form(client, f"{PAGE}/build", {}, form_url=PAGE))
    second_response = post_form(client, f"{PAGE}/publish", {"note": ""}, form_url=PAGE)
    assert _job_id(second_response) == first
    assert "already under way" in client.get(second_response.headers["Location"]).get_data(
        as_text=True
    )
    assert started == [first]
    assert db.session.scalar(select(func.count()).select_from(BuildJob)) == 1


def test_a_racing_second_request_gets_the_first_build(db, world, secretariat, monkeypatch):
    """Both requests pass the check at once; the unique active key lets only one insert."""
    winner, created = services.request_build(secretariat, 2025, "draft")
    db.session.commit()
    monkeypatch.setattr(services, "_active_job", _first_none_then(services._active_job))
    job, created = services.request_build(secretariat, 2025, "draft")
    assert (job.id, created) == (winner.id, False)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(BuildJob)) == 1


def _first_none_then(real):
    calls = {"n": 0}

    def lookup(key):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(key)

    return lookup


def test_the_thread_path_builds_and_records_progress(client, db, world, secretariat, fast_build):
    db.session.commit()
    login_as(client, secretariat)
    job_id = _job_id(post_form(client, f"{PAGE}/build", {}, form_url=PAGE))
    jobs.wait(job_id)
    status = client.get(f"/secretariat/annual-reports/builds/{job_id}.json").get_json()
    assert status == {
        "id": job_id,
        "state": "done",
        "progress": 100,
        "progress_text": "100%",
        "message": "Draft ready.",
        "active": False,
    }
    page = client.get(f"/secretariat/annual-reports/builds/{job_id}").get_data(as_text=True)
    assert "Open the draft PDF" in page and "build-progress.js" not in page
    db.session.expire_all()
    job = db.session.get(BuildJob, job_id)
    assert job.active_key is None and job.started_at and job.finished_at
    assert client.get(f"/secretariat/annual-reports/builds/{job_id}.pdf").data.startswith(b"%PDF")


def test_a_running_build_page_follows_the_progress(client, db, world, secretariat):
    job, _ = services.request_build(secretariat, 2025, "draft")
    services.start_build(job.id)
    services.note_progress(job.id, 42, "Laid out 4 of 10 parts")
    db.session.commit()
    login_as(client, secretariat)
    page = client.get(f"/secretariat/annual-reports/builds/{job.id}").get_data(as_text=True)
    assert 'value="42"' in page and "Laid out 4 of 10 parts" in page
    assert "build-progress.js" in page and 'aria-live="polite"' in page
    assert "Refresh" in page  # without JavaScript


def test_a_failure_is_recorded_and_shown(client, db, world, secretariat, monkeypatch):
    def broken(self, **kwargs):
        raise build.BuildError("a PDF worker process stopped unexpectedly")

    monkeypatch.setattr(AnnualDocument, "build_pdf", broken)
    job, _ = services.request_build(secretariat, 2025, "publish")
    db.session.commit()
    assert jobs.run_job(job.id) == "failed"
    db.session.expire_all()
    job = db.session.get(BuildJob, job.id)
    assert job.state == "failed" and job.active_key is None
    assert job.message == "The build failed: a PDF worker process stopped unexpectedly"
    login_as(client, secretariat)
    page = client.get(f"/secretariat/annual-reports/builds/{job.id}").get_data(as_text=True)
    assert "The build did not finish" in page and "stopped unexpectedly" in page
    assert "stopped unexpectedly" in client.get(PAGE).get_data(as_text=True)
    # Nothing was published, and a new build may start.
    assert client.get("/reports/2025.pdf").status_code == 404
    _again, created = services.request_build(secretariat, 2025, "publish")
    assert created


def test_a_job_that_is_not_queued_is_skipped(db, world, secretariat, fast_build):
    job, _ = services.request_build(secretariat, 2025, "draft")
    db.session.commit()
    assert jobs.run_job(job.id) == "done"
    assert jobs.run_job(job.id) == "skipped"
    assert len(fast_build) == 1


def test_the_worker_command_needs_redis(app, runner):
    saved = app.config.get("REDIS_URL")
    app.config["REDIS_URL"] = None
    try:
        result = runner.invoke(args=["pactum", "worker", "--burst"])
    finally:
        app.config["REDIS_URL"] = saved
    assert result.exit_code != 0 and "PACTUM_REDIS_URL is not set" in result.output


@pytest.fixture
def redis_url(app, redis_url):
    """The shared test Redis, set as the app's PACTUM_REDIS_URL for the test. (The shared
    fixture imports redis first: the RQ test replaces threading.Thread, which redis
    subclasses on import.)"""
    saved = app.config.get("REDIS_URL")
    app.config["REDIS_URL"] = redis_url
    try:
        yield redis_url
    finally:
        app.config["REDIS_URL"] = saved


def test_with_redis_the_build_runs_on_the_rq_worker(
    client, db, world, secretariat, redis_url, runner, monkeypatch
):
    started_threads = []
    monkeypatch.setattr(
        jobs.threading,
        "Thread",
        lambda *a, **k: started_threads.append(k) or pytest.fail("no thread"),
    )
    db.session.commit()
    login_as(client, secretariat)
    job_id = _job_id(post_form(client, f"{PAGE}/publish", {"note": "Via RQ."}, form_url=PAGE))
    assert jobs.queue(redis_url).count == 1
    assert (
        client.get(f"/secretariat/annual-reports/builds/{job_id}.json").get_json()["state"]
        == "queued"
    )
    result = runner.invoke(args=["pactum", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    job = db.session.get(BuildJob, job_id)
    assert job.state == "done", job.message
    assert job.edition is not None and job.edition.note == "Via RQ."
    pdf = client.get("/reports/2025.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and job.pages > 5
    assert started_threads == []


def test_a_build_starts_only_once_its_job_is_committed(db, world, secretariat, monkeypatch):
    """The view queues the dispatch; the commit starts it, a rollback forgets it."""
    started = []
    monkeypatch.setattr(jobs, "dispatch", lambda job_id: started.append(job_id))
    jobs.dispatch_after_commit(41)
    db.session.rollback()
    jobs.dispatch_after_commit(42)
    with db.session.begin_nested():
        pass  # a savepoint released is not the commit
    assert started == []
    db.session.commit()
    assert started == [42]
    db.session.commit()
    assert started == [42]
