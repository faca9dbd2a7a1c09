"""A representative files the yearly report in a real browser, axe-checked on every page:
fills two sections (the first one saved by autosave while typing), logs out and back in,
finds the draft intact, adds evidence, is refused with one required answer missing (and
follows the link to it), completes and submits, gets the receipt with a PDF copy; the
secretariat returns it with a comment (engineer B's review page), the representative sees
the comment, corrects and resubmits, and the secretariat accepts.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app import clock
from app.reporting.models import Report, ReportVersion
from tests.factories import PASSWORD
from tests.reporting.builders_filling import PDF, at, build_cycle

pytestmark = pytest.mark.browser


@pytest.fixture
def journey_cycle(app, db, secretariat, org_a, rep_a, org_b, rep_b):
    clock.freeze(at(dt.date(2026, 3, 2), 9))
    cycle = build_cycle(secretariat)
    db.session.commit()
    return cycle


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")


def question(page, q):
    return page.locator(f"#q-{q.id}")


def test_report_round_trip(
    page, browser, live_server, journey_cycle, rep_a, org_a, db, a11y, login_browser, mailbox
):
    q = journey_cycle.q
    page.set_viewport_size({"width": 1280, "height": 900})
    login_browser(page, rep_a.email, PASSWORD)
    a11y(page, "representative dashboard")
    panel = page.get_by_role("region", name="Yearly report")
    expect(panel).to_contain_text("29 days")
    panel.get_by_role("link", name="Start the 2026 report").click()
    page.wait_for_url("**/my/reports/2026")
    a11y(page, "report overview")
    page.get_by_role("link", name="Start filling in").click()
    page.wait_for_url("**/my/reports/2026/sections/1")
    a11y(page, "section 1")

    # Section 1, saved by autosave: the follow-up question appears once "Yes" is chosen.
    expect(question(page, q["mfa_share"])).to_be_hidden()
    question(page, q["mfa"]).get_by_label("Yes").check()
    expect(question(page, q["mfa_share"])).to_be_visible()
    page.get_by_label("What share of accounts use it?").fill("87.5")
    page.get_by_label("Describe how you protect users.").fill("Strong defaults and audits.")
    status = page.locator("[data-save-status]")
    expect(status).to_have_text(re.compile(r"Saved at"), timeout=10_000)
    expect(page.locator("[data-progress-text]")).to_have_text("3 of 6 required answers given")
    a11y(page, "section 1 after autosave")
    # A wrong value while typing is refused next to the field, and nothing is stored.
    page.get_by_label("What share of accounts use it?").fill("870")
    expect(status).to_contain_text("Not saved", timeout=10_000)
    expect(question(page, q["mfa_share"])).to_contain_text("Enter a number between 0 and 100.")
    page.get_by_label("What share of accounts use it?").fill("87.5")
    expect(status).to_have_text(re.compile(r"Saved at"), timeout=10_000)

    # Section 2, saved with the button (works the same without JavaScript).
    page.goto("/my/reports/2026/sections/2")
    page.get_by_label("Bug bounty").check()
    page.get_by_label("NIST CSF").check()
    page.get_by_label("Where is your disclosure policy?").fill("example.org/security")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/my/reports/2026/sections/2")
    expect(page.get_by_text("Your answers were saved")).to_be_visible()
    a11y(page, "section 2 saved")

    # Log out, log back in: the draft is intact.
    log_out(page)
    login_browser(page, rep_a.email, PASSWORD)
    page.goto("/my/reports/2026/sections/1")
    expect(question(page, q["mfa"]).get_by_label("Yes")).to_be_checked()
    expect(page.get_by_label("What share of accounts use it?")).to_have_value("87.5")
    expect(page.get_by_label("Describe how you protect users.")).to_have_value(
        "Strong defaults and audits."
    )
    page.goto("/my/reports/2026/sections/2")
    expect(page.get_by_label("NIST CSF")).to_be_checked()
    expect(page.get_by_label("Where is your disclosure policy?")).to_have_value(
        "https://example.org/security"
    )

    # Evidence.
    page.get_by_label("Add a file").set_input_files(
        {"name": "disclosure-policy.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name=re.compile(r"^Attach")).click()
    page.wait_for_url("**/my/reports/2026/sections/2")
    expect(
        question(page, q["policy"]).get_by_role("link", name="disclosure-policy.pdf")
    ).to_be_visible()
    a11y(page, "section 2 with evidence")

    # Submit with the contact question (3.1) still missing.
    page.goto("/my/reports/2026/submit")
    a11y(page, "submit page")
    page.get_by_label("Name of the senior officer").fill("Grace Hopper")
    page.get_by_label("Title of the senior officer").fill("Chief Executive Officer")
    page.get_by_label("Statement of continued support").fill("We remain committed.")
    page.get_by_label("I am authorised by my organisation to submit this report").check()
    page.get_by_role("button", name="Submit the report").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("The report was not submitted")
    a11y(page, "submission refused")
    link = summary.get_by_role("link", name=re.compile(r"Question 3\.1"))
    expect(link).to_have_attribute("href", f"/my/reports/2026/sections/3#q-{q['contact'].id}")
    link.click()
    page.wait_for_url(f"**/my/reports/2026/sections/3#q-{q['contact'].id}")
    page.get_by_label("Who answers questions about this report?").fill("Ada Lovelace")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/my/reports/2026/sections/3")

    # The attestation typed before was kept; tick and submit.
    page.goto("/my/reports/2026/preview")
    a11y(page, "preview")
    expect(page.locator("#public-report").locator("xpath=..")).to_contain_text("Bug bounty")
    page.goto("/my/reports/2026/submit")
    expect(page.get_by_label("Name of the senior officer")).to_have_value("Grace Hopper")
    page.get_by_label("I am authorised by my organisation to submit this report").check()
    page.get_by_role("button", name="Submit the report").click()
    page.wait_for_url(f"**/reports/2026/{org_a.slug}/versions/1")
    expect(page.get_by_text("Version 1 of your report was submitted")).to_be_visible()
    a11y(page, "version 1")

    # The receipt, with the PDF copy.
    [receipt] = mailbox.wait(1)
    assert "Receipt" in receipt["Subject"]
    [(name, ctype, pdf)] = mailbox.attachments(receipt)
    assert ctype == "application/pdf" and name.endswith("-v1.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Ada Lovelace" in text and "Grace Hopper" in text and "Alpha Org" in text

    # The secretariat returns it with a comment on question 3.1 (engineer B's review page).
    db.session.expire_all()
    version = db.session.scalar(select(ReportVersion))
    secretariat_context = browser.new_context(base_url=live_server, locale="en-GB", bypass_csp=True)
    sec = secretariat_context.new_page()
    sec.set_default_timeout(10_000)
    login_browser(sec, "sec@example.org", PASSWORD)
    sec.goto(f"/secretariat/review/versions/{version.id}")
    a11y(sec, "review page")
    box = sec.locator(f"#comment-{q['contact'].id}")
    box.locator("xpath=ancestor::details").locator("summary").click()
    box.fill("Please name a team rather than a person.")
    sec.locator('button[name="decision"][value="return"]').click()
    sec.wait_for_load_state()
    a11y(sec, "after returning")

    # The representative sees the comment next to the question, corrects and resubmits.
    page.goto("/my/reports/2026")
    expect(page.get_by_text("The secretariat returned your report for changes")).to_be_visible()
    a11y(page, "returned overview")
    page.goto("/my/reports/2026/sections/3")
    expect(question(page, q["contact"])).to_contain_text("Please name a team rather than a person.")
    a11y(page, "section with review comment")
    page.get_by_label("Who answers questions about this report?").fill("The security team")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/my/reports/2026/sections/3")
    page.goto("/my/reports/2026/submit")
    page.get_by_label("I am authorised by my organisation to submit this report").check()
    page.get_by_role("button", name="Submit the report").click()
    page.wait_for_url(f"**/reports/2026/{org_a.slug}/versions/2")
    expect(page.get_by_text("What changed since version 1")).to_be_visible()
    expect(page.locator("#changes-heading").locator("xpath=..")).to_contain_text(
        "The security team"
    )
    a11y(page, "version 2")

    # The secretariat accepts version 2.
    db.session.expire_all()
    second = db.session.scalar(select(ReportVersion).where(ReportVersion.number == 2))
    sec.goto(f"/secretariat/review/versions/{second.id}")
    sec.locator('button[name="decision"][value="accept"]').click()
    sec.wait_for_load_state()
    a11y(sec, "after accepting")
    secretariat_context.close()
    db.session.expire_all()
    report = db.session.scalar(select(Report))
    assert report.state == "accepted" and report.current_version_id == second.id
    page.goto("/my/reports/2026")
    expect(page.get_by_text("Your report was accepted by the secretariat")).to_be_visible()
    a11y(page, "accepted overview")


def test_autosave_under_the_real_content_security_policy(
    browser, live_server, journey_cycle, rep_a, db
):
    """No CSP bypass here: report-form.js must work as served, with no violation."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto("/login")
    page.get_by_label("Email").fill(rep_a.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")
    page.goto("/my/reports/2026/sections/3")
    page.get_by_label("Who answers questions about this report?").fill("Ada")
    expect(page.locator("[data-save-status]")).to_have_text(re.compile("Saved at"), timeout=10_000)
    context.close()
    assert not violations, violations
    db.session.expire_all()
    assert db.session.scalar(select(Report)).revision == 1


def test_stale_autosave_says_so(browser, live_server, journey_cycle, rep_a, db, make_user):
    """A second representative saved meanwhile: autosave stops and says what to do."""
    from app.reporting import filling

    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(rep_a.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")
    page.goto("/my/reports/2026/sections/3")
    colleague = make_user(role="representative", organisation=rep_a.organisation, name="Bob")
    report = filling.get_or_start_report(colleague, journey_cycle, rep_a.organisation)
    filling.save_answers(colleague, report, {journey_cycle.q["contact"].id: "Bob"}, 0)
    db.session.commit()
    page.get_by_label("Who answers questions about this report?").fill("Ada")
    expect(page.locator("[data-save-status]")).to_contain_text(
        "someone else changed this report", timeout=10_000
    )
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_role("heading", name="Someone else changed this report")).to_be_visible()
    expect(page.get_by_label("Who answers questions about this report?")).to_have_value("Ada")
    context.close()


def test_secretariat_builds_and_opens_a_cycle(page, secretariat, db, a11y, login_browser):
    """The builder without JavaScript tricks: create, add sections and questions with a
    condition, reorder, preview as a representative, open. Every page axe-checked."""
    from app.charter.models import CharterVersion, Principle, PrincipleText
    from app.reporting import cycles

    clock.freeze(at(dt.date(2026, 11, 2), 9))
    version = CharterVersion(
        number=1,
        title="The charter",
        status="published",
        effective_date=dt.date(2025, 1, 1),
        published_at=at(dt.date(2025, 1, 1)),
    )
    texts = [
        PrincipleText(
            version=version,
            principle=Principle(key=f"P{i}"),
            number=i,
            position=i,
            title=title,
            body_md="We will.",
        )
        for i, title in enumerate(["Protect users", "Disclose responsibly"], start=1)
    ]
    db.session.add_all([version, *texts])
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 900})
    login_browser(page, "sec@example.org", PASSWORD)
    page.get_by_role("navigation", name="Secretariat").get_by_role(
        "link", name="Reporting cycles"
    ).click()
    page.wait_for_url("**/secretariat/cycles")
    a11y(page, "cycles (empty)")
    page.get_by_role("link", name="New cycle").click()
    page.wait_for_url("**/secretariat/cycles/new")
    a11y(page, "new cycle form")
    expect(page.get_by_label("Year")).to_have_value("2026")
    page.get_by_label("Academia").check()
    page.get_by_role("button", name="Create the cycle").click()
    expect(page).to_have_url(re.compile(r"/secretariat/cycles/2026$"))
    a11y(page, "draft cycle")
    page.get_by_role("button", name="Add one section per principle").click()
    expect(page.get_by_role("heading", name="2. Principle 2: Disclose responsibly")).to_be_visible()
    page.get_by_role("link", name="Add a question to section “Principle 1: Protect users”").click()
    page.wait_for_url("**/questions/new")
    a11y(page, "new question form")
    page.get_by_label("Question", exact=True).fill("Do you offer MFA?")
    page.get_by_label("Type of answer").select_option("yes_no")
    page.get_by_label("An answer is required").check()
    page.get_by_role("button", name="Add and write another").click()
    expect(page.get_by_text("Question added.")).to_be_visible()  # the fresh form has loaded
    page.get_by_label("Question", exact=True).fill("What share of accounts use it?")
    page.get_by_label("Type of answer").select_option("number")
    page.get_by_label("Unit").fill("%")
    page.get_by_label("Smallest value").fill("0")
    page.get_by_label("Largest value").fill("100")
    page.get_by_label("Show this question only when").select_option(
        label="1.1 “Do you offer MFA?” is Yes"
    )
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_text("Shown only when 1.1 is “Yes”")).to_be_visible()
    # Moving the follow-up above its controller is refused, with the reason.
    page.get_by_role("button", name="Move question 1.2 up").click()
    expect(page.locator("#error-summary")).to_contain_text("depends on an answer")
    a11y(page, "refused move")
    page.get_by_role("link", name="Preview as a representative").click()
    page.wait_for_url("**/secretariat/cycles/2026/preview")
    a11y(page, "preview as a representative")
    follow_up = page.locator(".question").nth(1)
    expect(follow_up).to_be_hidden()
    page.get_by_label("Yes").check()
    expect(follow_up).to_be_visible()
    # Back to the cycle page (not history.back(): the refused move was a POST answered
    # `no-store`, as every authenticated page is, so the browser keeps no copy of it).
    page.goto("/secretariat/cycles/2026")
    page.get_by_role("link", name="Open the cycle").click()  # its confirmation page
    page.wait_for_url("**/secretariat/cycles/2026/open")
    a11y(page, "open the cycle: confirmation")
    page.get_by_role("button", name="Open the 2026 cycle now").click()
    expect(page.get_by_text("The questionnaire is frozen")).to_be_visible()
    a11y(page, "open cycle")
    cycle = cycles.get_cycle(2026)
    assert cycle.status == "open" and cycle.categories == ["company", "academia"]
    page.goto("/dashboard")
    expect(page.get_by_role("region", name="Reporting cycle")).to_contain_text("must report")
    a11y(page, "dashboard with the cycle")


def test_other_reporting_pages_pass_axe(
    page, journey_cycle, secretariat, rep_a, org_a, db, a11y, login_browser
):
    """The pages the journeys above do not pass through, at phone and desktop widths."""
    from app.members.models import Pledge
    from tests.reporting.builders_filling import fill_and_submit, make_charter

    make_charter(db)
    db.session.add(Pledge(organisation_id=org_a.id, title="Ship MFA", status="in_progress"))
    fill_and_submit(rep_a, journey_cycle)
    draft = build_cycle(secretariat, year=2027, open_it=False)
    section, question = draft.sections[0], draft.q["mfa_share"]
    db.session.commit()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        login_browser(page, rep_a.email, PASSWORD)
        for url in [
            "/my/reports",
            "/my/reports/2026/pledges",
            "/my/reports/2026/sections/2",
            f"/reports/2026/{org_a.slug}/versions/1",
        ]:
            page.goto(url)
            a11y(page, f"{url} at {width}px")
        log_out(page)
        login_browser(page, "sec@example.org", PASSWORD)
        for url in [
            "/secretariat/cycles",
            "/secretariat/cycles/2026",
            "/secretariat/cycles/2026/settings",
            f"/secretariat/cycles/2026/reports/{org_a.slug}",
            f"/reports/2026/{org_a.slug}/versions/1",
            "/secretariat/cycles/2027/sections/new",
            f"/secretariat/cycles/2027/sections/{section.id}",
            f"/secretariat/cycles/2027/questions/{question.id}",
            "/secretariat/cycles/2027/preview",
        ]:
            page.goto(url)
            a11y(page, f"{url} at {width}px")
        log_out(page)
