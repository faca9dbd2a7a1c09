"""A build whose worker died is not left "running" forever: silent for PACTUM_BUILD_TIMEOUT
(its heartbeat is the last progress note), it is marked failed with the reason when its page
is viewed, a new build is requested or `pactum tick` runs; the page offers to start again;
and a build taken as interrupted can never finish next to its successor."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from app import clock
from app.config import load_config
from app.transparency import jobs, services
from app.transparency import pdfengine as build
from app.transparency.models import BuildJob, Edition
from app.transparency.present.document import AnnualDocument
from tests.conftest import login_as, post_form

PAGE = "/secretariat/annual-reports/2025"
NINE = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)


@pytest.fixture
def timeout(app):
    """A one-hour build timeout for the test."""
    saved = app.config.get("BUILD_TIMEOUT")
    app.config["BUILD_TIMEOUT"] = 3600
    yield dt.timedelta(hours=1)
    app.config["BUILD_TIMEOUT"] = saved


@pytest.fixture
def silent_build(db, world, secretariat):
    """A build started at nine that has not said anything since."""
    clock.freeze(NINE)
    job, _ = services.request_build(secretariat, 2025, "draft")
    services.start_build(job.id)
    db.session.commit()
    return job


def test_the_timeout_is_configured_and_two_hours_by_default(monkeypatch):
    monkeypatch.delenv("PACTUM_BUILD_TIMEOUT", raising=False)
    assert load_config()["BUILD_TIMEOUT"] == 2 * 3600
    monkeypatch.setenv("PACTUM_BUILD_TIMEOUT", "600")
    assert load_config()["BUILD_TIMEOUT"] == 600


def test_a_slow_build_is_alive_until_the_timeout(db, secretariat, silent_build, timeout):
    clock.freeze(NINE + dt.timedelta(minutes=50))
    same, created = services.request_build(secretariat, 2025, "draft")
    assert (same.id, created) == (silent_build.id, False)
    # A progress note is a heartbeat: an hour after it, still alive.
    services.note_progress(silent_build.id, 30, "Laid out 3 of 10 parts")
    db.session.commit()
    clock.freeze(NINE + dt.timedelta(minutes=50 + 59))
    same, created = services.request_build(secretariat, 2025, "draft")
    assert (same.id, created) == (silent_build.id, False)
    assert same.state == "running"


def test_a_new_request_replaces_a_silent_build(db, secretariat, silent_build, timeout):
    clock.freeze(NINE + dt.timedelta(minutes=61))
    new, created = services.request_build(secretariat, 2025, "draft")
    assert created and new.id != silent_build.id
    db.session.commit()
    old = db.session.get(BuildJob, silent_build.id)
    assert old.state == "failed" and old.active_key is None and old.finished_at is not None
    assert old.message.startswith("Interrupted: no sign of life from the build for 60 minutes")


def test_viewing_the_page_marks_it_failed_and_offers_to_start_again(
    client, db, secretariat, silent_build, timeout, monkeypatch
):
    started = []
    monkeypatch.setattr(jobs, "dispatch", lambda job_id: started.append(job_id))
    clock.freeze(NINE + dt.timedelta(hours=3))
    login_as(client, secretariat)
    url = f"/secretariat/annual-reports/builds/{silent_build.id}"
    page = client.get(url).get_data(as_text=True)
    assert "The build did not finish" in page and "no sign of life" in page
    assert "build-progress.js" not in page
    assert "Start the draft again" in page
    # It was recorded, not only shown.
    db.session.expire_all()
    assert db.session.get(BuildJob, silent_build.id).state == "failed"
    assert client.get(f"{url}.json").get_json()["state"] == "failed"
    # "Start again" queues a new build of the same kind.
    response = post_form(client, f"{PAGE}/build", {}, form_url=url)
    assert response.status_code == 302
    new_id = int(re.search(r"/builds/(\d+)$", response.headers["Location"]).group(1))
    assert new_id != silent_build.id and started == [new_id]
    assert db.session.get(BuildJob, new_id).kind == "draft"


def test_a_failed_publication_starts_again_as_a_publication_with_its_note(
    client, db, world, secretariat, timeout, monkeypatch
):
    started = []
    monkeypatch.setattr(jobs, "dispatch", lambda job_id: started.append(job_id))
    clock.freeze(NINE)
    job, _ = services.request_build(secretariat, 2025, "publish", note="Corrected figures.")
    db.session.commit()  # queued, and its worker never came
    clock.freeze(NINE + dt.timedelta(hours=2))
    login_as(client, secretariat)
    url = f"/secretariat/annual-reports/builds/{job.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Start the publication again" in page and 'value="Corrected figures."' in page
    note = re.search(r'name="note" value="([^"]*)"', page).group(1)
    response = post_form(client, f"{PAGE}/publish", {"note": note}, form_url=url)
    assert response.status_code == 302 and len(started) == 1
    again = db.session.get(BuildJob, started[0])
    assert (again.kind, again.note, again.state) == ("publish", "Corrected figures.", "queued")


def test_the_report_pages_show_an_interrupted_build_as_failed(
    client, db, secretariat, silent_build, timeout
):
    clock.freeze(NINE + dt.timedelta(hours=2))
    login_as(client, secretariat)
    index = client.get("/secretariat/annual-reports").get_data(as_text=True)
    assert "Building" not in index
    assert "no sign of life" in client.get(PAGE).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(BuildJob, silent_build.id).state == "failed"


def test_tick_marks_silent_builds_failed(runner, db, silent_build, timeout):
    result = runner.invoke(args=["pactum", "tick", "--now", "2026-03-01T10:30"])
    assert result.exit_code == 0, result.output
    assert "builds: 1 interrupted" in result.output
    db.session.expire_all()
    assert db.session.get(BuildJob, silent_build.id).state == "failed"
    again = runner.invoke(args=["pactum", "tick", "--now", "2026-03-01T10:31"])
    assert "interrupted" not in again.output


def _taken_as_interrupted(db, job_id: int) -> None:
    """What another process's page view does to a silent build, on its own connection."""
    with db.engine.begin() as connection:
        connection.execute(
            update(BuildJob)
            .where(BuildJob.id == job_id)
            .values(state="failed", active_key=None, message="Interrupted: test")
        )


def test_a_build_taken_as_interrupted_stops_at_its_next_progress_note(
    db, world, secretariat, monkeypatch
):
    job, _ = services.request_build(secretariat, 2025, "publish")
    db.session.commit()

    def slow(self, *, variants=(build.VARIANT_UA,), workers=None, progress=None):
        progress(20, "Laying out the pages")
        _taken_as_interrupted(db, job.id)
        progress(60, "Laying out the pages")
        pytest.fail("the build went on after it was taken as interrupted")

    monkeypatch.setattr(AnnualDocument, "build_pdf", slow)
    assert jobs.run_job(job.id) == "failed"
    db.session.expire_all()
    stopped = db.session.get(BuildJob, job.id)
    assert (stopped.state, stopped.message, stopped.progress) == ("failed", "Interrupted: test", 20)


def test_a_build_taken_as_interrupted_never_publishes_next_to_its_successor(
    db, world, secretariat, monkeypatch
):
    """The zombie finishes its layout after the report was freed and a new build queued:
    its result is refused, so one build's result at most is ever kept."""
    job, _ = services.request_build(secretariat, 2025, "publish")
    db.session.commit()
    successor = {}

    def zombie(self, *, variants=(build.VARIANT_UA,), workers=None, progress=None):
        _taken_as_interrupted(db, job.id)
        with db.engine.begin() as connection:  # another request queues the next build
            successor["id"] = connection.execute(
                BuildJob.__table__.insert().values(
                    cycle_id=job.cycle_id,
                    kind="publish",
                    state="queued",
                    active_key=f"annual-report:{job.cycle_id}",
                    requested_at=clock.now(),
                    heartbeat_at=clock.now(),
                )
            ).inserted_primary_key[0]
        return build.Built(pdfs=dict.fromkeys(variants, b"%PDF-1.7\n% zombie\n"), pages=3)

    monkeypatch.setattr(AnnualDocument, "build_pdf", zombie)
    assert jobs.run_job(job.id) == "failed"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Edition)) == 0
    assert db.session.get(BuildJob, job.id).result_sha256 is None
    assert db.session.get(BuildJob, successor["id"]).state == "queued"
