"""The secretariat's side of reporting in a real browser, axe-checked on every page:
the review queue, what changed between two versions, returning a report with a comment
(the representative then sees it), and an extension asked for and granted.

(The full round trip of filling in, submitting, returning and accepting is engineer A's
journey, `test_reporting_journey.py`.)
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from app import clock
from app.reporting import review
from tests.factories import PASSWORD
from tests.reporting.builders_review import (  # noqa: F401  (fixtures)
    fast_receipts,
    in_request,
    make_cycle,
    submit,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_receipts")]


@pytest.fixture
def story(app, db, secretariat, org_a, rep_a, org_b, rep_b):
    """Alpha Org submitted, was returned once, and corrected its report; Beta Org has not
    submitted yet. Today is 20 March 2026; the cycle is due on 31 March."""
    with app.test_request_context("/"):
        cycle = make_cycle(secretariat)
        first = submit(rep_a, cycle, when=dt.date(2026, 3, 1))
        review.return_for_changes(secretariat, first, {}, note="Please say more about audits.")
        second = submit(
            rep_a,
            cycle,
            when=dt.date(2026, 3, 5),
            overrides={
                "approach": "We protect every account with strong defaults, quarterly audits and "
                "a public bug bounty.",
                "team": "More than 5 people",
            },
        )
    db.session.commit()
    clock.freeze(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC))
    return cycle, second


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")


def test_queue_changes_and_return_with_a_comment(page, story, a11y, login_browser, mailbox):
    page.set_viewport_size({"width": 1280, "height": 900})
    login_browser(page, "sec@example.org", PASSWORD)
    panel = page.get_by_role("region", name="Reports and extensions")
    expect(panel.get_by_text("report awaiting review")).to_be_visible()
    a11y(page, "secretariat dashboard")
    panel.get_by_role("link", name="Open the review queue").click()
    page.wait_for_url("**/secretariat/review")
    expect(page.get_by_role("heading", name="Report review: 2026")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Alpha Org"))
    expect(row.get_by_text("Submitted, awaiting review")).to_be_visible()
    a11y(page, "review queue")
    page.get_by_role("link", name="Not submitted yet").click()
    expect(page.get_by_role("row", name=re.compile("Beta Org"))).to_be_visible()
    a11y(page, "review queue, not submitted")
    page.get_by_role("link", name="All submitted").click()

    # What changed between version 1 and version 2.
    page.get_by_role("link", name="What changed (Alpha Org)").click()
    expect(
        page.get_by_role("heading", name="What changed in the 2026 report of Alpha Org")
    ).to_be_visible()
    expect(page.locator("ins", has_text="public bug bounty")).to_have_count(1)
    expect(page.get_by_text("More than 5 people")).to_be_visible()
    a11y(page, "what changed")

    # Review version 2 and return it with a comment on one question.
    page.get_by_role("link", name="Alpha Org").first.click()
    expect(page.get_by_role("heading", name="Alpha Org: 2026 report, version 2")).to_be_visible()
    a11y(page, "review page")
    question = page.locator("article", has_text="How many staff were trained")
    question.get_by_text("Comment on this answer").click()
    question.get_by_label(re.compile("Comment for the organisation on question 1.3")).fill(
        "Please give the number for this year only."
    )
    page.get_by_role("button", name="Return for changes").click()
    page.wait_for_url("**/secretariat/review?year=2026&state=submitted")
    expect(page.get_by_text("Returned the 2026 report of Alpha Org for changes")).to_be_visible()
    a11y(page, "queue after returning")
    [message] = [m for m in mailbox.wait(1) if "needs changes" in m["Subject"]]
    assert "Please give the number for this year only." in mailbox.body(message)
    log_out(page)

    # The representative sees the comment in the report.
    login_browser(page, "rep@alpha.example", PASSWORD)
    page.goto("/my/reports/2026")
    expect(page.get_by_text("The secretariat commented on 1 question")).to_be_visible()
    a11y(page, "representative's returned report")


def test_extension_asked_and_granted(page, story, a11y, login_browser, mailbox):
    page.set_viewport_size({"width": 1280, "height": 900})
    login_browser(page, "rep@beta.example", PASSWORD)
    panel = page.get_by_role("region", name="More time for the 2026 report")
    expect(panel.get_by_text("Your report is due on March 31, 2026.")).to_be_visible()
    a11y(page, "representative dashboard")
    panel.get_by_role("link", name="Ask for more time").click()
    expect(
        page.get_by_role("heading", name="Ask for more time for the 2026 report")
    ).to_be_visible()
    a11y(page, "extension request form")
    page.get_by_role("button", name="Send the request").click()
    expect(
        page.get_by_text("Please explain why your organisation needs more time.").first
    ).to_be_visible()
    a11y(page, "extension request with an error")
    page.get_by_label("Why does your organisation need more time?").fill(
        "Our security lead is on leave until April."
    )
    page.get_by_label("Date you need (optional)").fill("2026-04-20")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/dashboard")
    expect(page.get_by_text("Your request has been sent to the secretariat.")).to_be_visible()
    expect(page.get_by_text("Waiting for a decision")).to_be_visible()
    log_out(page)

    login_browser(page, "sec@example.org", PASSWORD)
    page.get_by_role("region", name="Reports and extensions").get_by_role(
        "link", name="Beta Org, 2026"
    ).click()
    expect(page.get_by_role("heading", name="Extension request from Beta Org")).to_be_visible()
    expect(page.get_by_label("New due date for this organisation")).to_have_value(
        "04/20/2026"
    )  # as English writes it
    a11y(page, "extension decision")
    page.get_by_label("New due date for this organisation").fill("04/17/2026")
    page.get_by_label("Note to the organisation").fill("Granted until the 17th.")
    page.get_by_role("button", name="Grant the new date").click()
    page.wait_for_url("**/secretariat/extensions")
    expect(page.get_by_text("Extension granted to Beta Org.")).to_be_visible()
    expect(
        page.get_by_role("row", name=re.compile("Beta Org")).get_by_text("Granted")
    ).to_be_visible()
    a11y(page, "extension list")
    log_out(page)

    login_browser(page, "rep@beta.example", PASSWORD)
    expect(page.get_by_text("Your report is due on April 17, 2026.")).to_be_visible()
    [message] = [m for m in mailbox.messages if "Extension granted" in m["Subject"]]
    assert "Granted until the 17th." in mailbox.body(message)
