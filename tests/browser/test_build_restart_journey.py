"""The secretariat finds a build whose worker died: its page says it was interrupted and why,
and starts it again; the new build runs to its end. Checked with axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from app import clock
from app.transparency import services
from tests.factories import PASSWORD, make_user
from tests.transparency.conftest import build_world, fast_build  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.mark.usefixtures("fast_build")
def test_an_interrupted_build_is_started_again(
    page, live_server, db, a11y, login_browser, tmp_path
):
    build_world(db)
    secretariat = make_user(role="secretariat", email="sec@example.org", name="Sam Secretary")
    job, _ = services.request_build(secretariat, 2025, "draft")
    services.start_build(job.id)
    job.heartbeat_at = clock.now() - dt.timedelta(hours=3)  # its worker died long ago
    db.session.commit()

    login_browser(page, "sec@example.org", PASSWORD)
    page.goto(f"/secretariat/annual-reports/builds/{job.id}")
    expect(page.get_by_role("heading", name="The build did not finish")).to_be_visible()
    expect(page.get_by_text("no sign of life from the build for 2 hours")).to_be_visible()
    expect(page.locator("progress")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "interrupted-build.png"), full_page=True)
    a11y(page, "interrupted build")

    page.get_by_role("button", name="Start the draft again").click()
    page.wait_for_url(re.compile(r".*/builds/\d+$"))
    assert not page.url.endswith(f"/builds/{job.id}")
    page.get_by_text("Draft ready.").wait_for(timeout=60_000)
    a11y(page, "draft ready after starting again")
