"""Pages run under the real Content-Security-Policy with no violation (the other browser
tests bypass CSP only to inject axe-core)."""

import pytest

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/login",
    "/password/forgot",
    "/charter",
    "/charter/versions",
    "/members",
    "/join",
    "/reports",
    "/open-data",
    "/no/such/page",
]


def test_public_pages_have_no_csp_violations(browser, live_server, db):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda msg: (
            violations.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    for path in PUBLIC_PAGES:
        page.goto(path)
    context.close()
    assert not violations, "\n".join(violations)


def test_secretariat_pages_have_no_csp_violations(browser, live_server, secretariat, db):
    from tests.factories import PASSWORD

    db.session.commit()
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda msg: (
            violations.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    page.goto("/login")
    page.get_by_label("Email").fill(secretariat.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")
    for path in [
        "/dashboard",
        "/secretariat/users",
        "/secretariat/audit",
        "/secretariat/charter",
        "/secretariat/organisations",
        "/secretariat/cycles",
    ]:
        page.goto(path)
    context.close()
    assert not violations, "\n".join(violations)
