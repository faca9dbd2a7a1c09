"""Before publishing, the secretariat sees the characters no shipped font can draw (issue
16): on the charter's confirmation page and, for the annual report, in the publish box,
which publishes only once "publish anyway" is ticked. Both pages are checked with axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from app.charter import services as charter
from app.transparency import jobs
from app.transparency import services as transparency
from tests.charter.builders import publish_charter
from tests.factories import PASSWORD, make_user
from tests.transparency.conftest import build_world, fast_build  # noqa: F401, F811  (fixture)

pytestmark = pytest.mark.browser


def test_the_secretariat_sees_undrawable_characters_before_publishing(
    page,
    live_server,
    db,
    a11y,
    login_browser,
    tmp_path,
    fast_build,  # noqa: F811
):
    secretariat = make_user(role="secretariat", email="sec@example.org", name="Sam Secretary")
    build_world(db)
    transparency.update_texts(secretariat, 2025, "A year of 🎉 progress with 会员.", "")
    db.session.commit()
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    draft = charter.start_draft(secretariat)
    charter.add_principle(
        secretariat, draft.id, number=None, title="Open 🎉 doors 你好", body_md="Text.", theme=""
    )
    db.session.commit()

    login_browser(page, "sec@example.org", PASSWORD)
    page.goto(f"/secretariat/charter/{draft.id}/publish?effective_date=2030-09-01")
    warning = page.locator(".notice-warning")
    expect(warning).to_contain_text("cannot draw 2 characters")
    expect(warning).to_contain_text("U+4F60")
    page.screenshot(path=str(tmp_path / "charter-confirmation.png"), full_page=True)
    a11y(page, "charter confirmation with undrawable characters")

    page.goto("/secretariat/annual-reports/2025")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role(
        "button", name="Publish", exact=True
    ).click()  # the language: English, edition 1
    box = page.locator("#undrawable")
    expect(box).to_contain_text("U+4F1A")
    expect(box).to_contain_text("Executive summary")
    box.screenshot(path=str(tmp_path / "annual-publish.png"))
    a11y(page, "annual report publish box with undrawable characters")
    page.get_by_label("Publish anyway").check()
    page.get_by_role(
        "button", name="Publish", exact=True
    ).click()  # the language: English, edition 1
    page.wait_for_url("**/builds/*")
    jobs.wait(int(re.search(r"/builds/(\d+)", page.url).group(1)))  # the stand-in build
