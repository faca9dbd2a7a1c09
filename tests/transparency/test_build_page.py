"""The annual report's build page and publish box say one thing (issue 16): the badge of a
running build does not show its own, stale percentage beside the bar's (the bar is the one
place with a number, and the script keeps the badge's state current); before any edition
exists, the publish box does not speak of "publishing again"."""

from __future__ import annotations

import re

from app.transparency import jobs, services
from app.transparency.models import BuildJob
from tests.conftest import login_as

PAGE = "/secretariat/annual-reports/2025"


def _body(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _running_job(db, world, secretariat, progress: int) -> BuildJob:
    job = BuildJob(
        cycle_id=world.c2025.id,
        kind="publish",
        state="running",
        progress=progress,
        message="Laying out the members' pages.",
        requested_by_id=secretariat.id,
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_running_build_shows_one_percentage(client, db, world, secretariat):
    job = _running_job(db, world, secretariat, 80)
    login_as(client, secretariat)
    body = _body(client.get(f"/secretariat/annual-reports/builds/{job.id}"))
    percentages = set(re.findall(r"(\d+)\s?%", body))
    assert percentages == {"80"}, percentages
    assert '<progress id="build-progress" max="100" value="80">' in body
    badge = re.search(r"<span [^>]*data-build-badge[^>]*>([^<]*)</span>", body)
    assert badge and badge.group(1) == "Running"
    assert 'data-label-running="Running"' in badge.group(0)
    assert 'data-label-queued="Queued"' in badge.group(0)


def test_status_json_gives_the_state_the_badge_follows(client, db, world, secretariat):
    job = _running_job(db, world, secretariat, 42)
    login_as(client, secretariat)
    status = client.get(f"/secretariat/annual-reports/builds/{job.id}.json").get_json()
    assert status["state"] == "running" and status["progress"] == 42


def test_publish_box_before_the_first_edition(client, db, world, secretariat):
    login_as(client, secretariat)
    body = _body(client.get(PAGE))
    assert "publishing again" not in body
    assert "as the first edition of the 2025 report" in body
    assert "English: edition 1" in body and "Français: edition 1" in body
    assert "All languages, one edition each" in body


def test_publish_box_after_an_edition_speaks_of_the_next(
    client, db, world, secretariat, fast_build
):
    job, _created = services.request_build(secretariat, 2025, "publish", "")
    db.session.commit()
    assert jobs.run_job(job.id) == "done"
    login_as(client, secretariat)
    body = _body(client.get(PAGE))
    assert "publishing again makes a new edition in that language" in body
    assert "English: edition 2" in body and "Français: edition 1" in body


def test_the_percentage_is_written_as_the_language_writes_it(client, db, world, secretariat):
    """One style per language (issue 16): the bar's text, the number beside it and the status
    JSON the page's script shows all come from Babel's percent format."""
    job = _running_job(db, world, secretariat, 42)
    login_as(client, secretariat)
    status = client.get(f"/secretariat/annual-reports/builds/{job.id}.json").get_json()
    assert status["progress_text"] == "42%"
    french = client.get(f"/secretariat/annual-reports/builds/{job.id}.json?lang=fr").get_json()
    assert french["progress_text"] == "42\xa0%"
    body = client.get(f"/secretariat/annual-reports/builds/{job.id}").get_data(as_text=True)
    assert "42\xa0%</progress>" in body and "42\xa0%</span>" in body
