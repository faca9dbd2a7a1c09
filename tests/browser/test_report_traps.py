"""The representative's first-week traps (issue 16), in a real browser, axe-checked: a
refused evidence file keeps the section's other answers; a returned report marks its
commented sections and links to each comment; a skip link reaches the first question;
the language selector changes language only on its button; the date hint names the format
the field takes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from app import clock
from tests.factories import PASSWORD
from tests.reporting.builders_filling import PDF, at, build_cycle

pytestmark = pytest.mark.browser


@pytest.fixture
def traps_cycle(app, db, secretariat, org_a, rep_a):
    clock.freeze(at(dt.date(2026, 3, 2), 9))
    cycle = build_cycle(secretariat)
    db.session.commit()
    return cycle


def test_a_refused_file_keeps_the_other_answers(page, traps_cycle, rep_a, a11y, login_browser):
    q = traps_cycle.q
    login_browser(page, rep_a.email, PASSWORD)
    page.goto("/my/reports/2026/sections/2")
    page.get_by_label("Email address").check()
    page.get_by_label("Where is your disclosure policy?").fill("https://example.org/security")
    page.get_by_label("Add a file").set_input_files(
        {"name": "policy.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}
    )
    page.get_by_role("button", name=re.compile(r"^Attach")).click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Your answers were saved, but some files could not be")
    field = page.locator(f"#q-{q['policy'].id}")
    expect(field.locator(".error-message")).to_contain_text("we check the content")
    expect(page.get_by_label("Email address")).to_be_checked()
    expect(page.get_by_label("Where is your disclosure policy?")).to_have_value(
        "https://example.org/security"
    )
    a11y(page, "section with a refused file")
    # Attaching a good file from this page is not refused as stale; the answers were saved.
    page.get_by_label("Add a file").set_input_files(
        {"name": "policy.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name=re.compile(r"^Attach")).click()
    page.wait_for_url("**/my/reports/2026/sections/2")
    expect(page.get_by_text("Your answers were saved and the file attached")).to_be_visible()
    page.goto("/my/reports/2026/sections/2")
    expect(page.get_by_label("Email address")).to_be_checked()
    expect(field.get_by_role("link", name="policy.pdf")).to_be_visible()


def _tab_until(page, predicate, limit=60) -> int:
    """Press Tab until `predicate()` holds; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if predicate():
            return presses
    raise AssertionError(f"not reached in {limit} Tab presses")


def test_a_skip_link_reaches_the_first_question(page, traps_cycle, rep_a, a11y, login_browser):
    q = traps_cycle.q
    login_browser(page, rep_a.email, PASSWORD)
    page.goto("/my/reports/2026/sections/1")
    page.locator("body").focus()
    page.keyboard.press("Tab")  # skip to main content
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the first question")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first = question(page, q["mfa"]).get_by_label("Yes")
    expect(first).to_be_focused()
    a11y(page, "section after the skip link")
    # Every page of the report has one, past the section navigation.
    for url, name in (
        ("/my/reports/2026", "Skip to the report"),
        ("/my/reports/2026/pledges", "Skip to the pledges"),
        ("/my/reports/2026/preview", "Skip to the report"),
        ("/my/reports/2026/submit", "Skip to the attestation"),
    ):
        page.goto(url)
        page.locator("body").focus()
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name=name)).to_be_focused()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        inside = page.evaluate(
            "!!document.activeElement.closest('#report-main')"
            " && !document.activeElement.closest('.report-nav')"
        )
        assert inside, url


def question(page, q):
    return page.locator(f"#q-{q.id}")


def test_the_language_changes_only_on_its_button(page, traps_cycle, rep_a, login_browser):
    login_browser(page, rep_a.email, PASSWORD)
    page.goto("/my/reports/2026/sections/1")
    select = page.locator("#lang-select")
    select.focus()
    page.keyboard.press("ArrowDown")  # Chromium changes the value of a closed select
    page.wait_for_timeout(500)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert select.input_value() == "fr"
    assert page.url.endswith("/my/reports/2026/sections/1")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "fr"


def test_the_date_hint_shows_the_format_the_field_takes(
    page, traps_cycle, rep_a, a11y, login_browser
):
    q = traps_cycle.q
    login_browser(page, rep_a.email, PASSWORD)
    page.goto("/my/reports/2026/sections/3")
    field = page.get_by_label("When was your last external audit?")
    hint = page.locator(f"#q-{q['audit'].id}-hint")
    expect(hint).to_contain_text("month/day/year, for example 03/31/2026")
    field.fill("03/31/2026")
    page.get_by_label("Who answers questions about this report?").fill("Ada")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/my/reports/2026/sections/3")
    expect(field).to_have_value("03/31/2026")
    # In French: the same date, as French writes it, in the hint and in the field.
    page.goto("/my/reports/2026/sections/3?lang=fr")
    expect(hint).to_contain_text("31/03/2026")
    expect(page.locator(f"#answer-{q['audit'].id}")).to_have_value("31/03/2026")
    a11y(page, "section in French")
    # A date field's focus ring is the one every control has.
    page.locator(f"#answer-{q['audit'].id}").focus()
    ring = page.evaluate(
        f"getComputedStyle(document.getElementById('answer-{q['audit'].id}')).outlineWidth"
    )
    assert ring == "3px"


def test_a_returned_report_points_at_each_comment(
    page, app, traps_cycle, rep_a, secretariat, db, a11y, login_browser
):
    from app.reporting import review
    from tests.reporting.builders_filling import fill_and_submit

    q = traps_cycle.q
    version = fill_and_submit(rep_a, traps_cycle)
    review.return_for_changes(secretariat, version, {q["contact"].id: "Please name a team."})
    db.session.commit()
    login_browser(page, rep_a.email, PASSWORD)
    page.goto("/my/reports/2026")
    nav = page.get_by_role("navigation", name="Parts of the report")
    expect(nav.get_by_role("link", name=re.compile(r"General.*1 comment"))).to_be_visible()
    expect(page.locator("table").first).not_to_contain_text("pledge(s)")
    a11y(page, "returned overview with comments")
    page.get_by_role("link", name=re.compile(r"^Question 3\.1")).click()
    page.wait_for_url("**/my/reports/2026/sections/3#comment-*")
    comment = question(page, q["contact"]).locator(".rf-comment")
    expect(comment).to_contain_text("Please name a team.")
    comment.get_by_role("button", name="Mark as addressed").click()
    page.wait_for_url("**/my/reports/2026/sections/3#comment-*")
    expect(page.get_by_text("The comment is marked as addressed.")).to_be_visible()
    expect(comment).to_contain_text("Addressed")
    a11y(page, "section with an addressed comment")
    page.goto("/my/reports/2026")
    versions = page.locator("#versions-heading").locator("xpath=..")
    expect(versions).to_contain_text("Returned for changes")
