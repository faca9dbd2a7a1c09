"""A charter published while a cycle is open (issue 16), in Chromium, axe-checked: the
report's pledges page names the version the report follows and the newer one, "Add a new
pledge" offers only the report's principles, and the pledge made there serves them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from app import clock
from tests.factories import PASSWORD
from tests.reporting.builders_filling import at, build_cycle, newer_charter_during

pytestmark = pytest.mark.browser


@pytest.fixture
def cycle_on_the_old_charter(app, db, secretariat, org_a, rep_a):
    clock.freeze(at(dt.date(2026, 3, 2), 9))
    cycle = build_cycle(secretariat)
    newer_charter_during(db, cycle)
    db.session.commit()
    return cycle


def test_a_pledge_made_in_the_report_serves_the_reports_charter(
    page, cycle_on_the_old_charter, rep_a, a11y, login_browser
):
    login_browser(page, rep_a.email, PASSWORD)
    page.goto("/my/reports/2026/pledges")
    new = page.get_by_role("region", name="Add a new pledge")
    expect(new).to_contain_text("This report follows version 1 of the charter")
    expect(new).to_contain_text("Version 2, in force from January 15, 2026, applies to the next")
    principles = new.get_by_role("group", name="Principles it serves (charter version 1)")
    expect(principles.get_by_role("checkbox")).to_have_count(3)
    expect(new.get_by_text("Only in the new charter")).to_have_count(0)
    a11y(page, "report pledges with two charters")

    new.get_by_label("Pledge", exact=True).fill("Publish a vulnerability disclosure policy")
    new.get_by_label("How progress is measured").fill("Policy online")
    new.get_by_label("Target date").fill("12/31/2026")
    principles.get_by_label("2. Principle 2 title").check()
    new.get_by_role("button", name="Add the pledge").click()
    page.wait_for_url(re.compile(r".*/my/reports/2026/pledges#pledge-\d+$"))
    expect(
        page.get_by_text("Pledge “Publish a vulnerability disclosure policy” added.")
    ).to_be_visible()
    pledge = page.get_by_role("group", name="Publish a vulnerability disclosure policy")
    expect(pledge).to_contain_text("P2")
    a11y(page, "report pledges after adding one")
