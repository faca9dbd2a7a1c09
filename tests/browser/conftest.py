"""Browser harness: the app served on a free loopback port, Debian's Chromium driven by
Playwright, and an axe-core check for every page a journey visits."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import _free_port

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _buffered(app):
    """Each response read whole and closed before the first byte is sent.

    Werkzeug's development server skips a response's ``close()`` when the client drops the
    connection mid-write (a browser leaving a page while a static file is still in flight),
    so the file stays open and its ResourceWarning, an error under this suite's warning
    filter, lands in whichever test runs next. Buffering closes every file at once; nothing
    a browser test fetches is large.
    """

    def buffered_app(environ, start_response):
        iterable = app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        return [body]

    return buffered_app


@pytest.fixture(scope="session")
def _live_server_base(app):
    port = _free_port()
    server = make_server("127.0.0.1", port, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_server(app, _live_server_base):
    """The live server's address; during the test, links in emails and absolute links point
    at it (SERVER_URL), and afterwards the other tests of the worker get the test config's
    address back (they used to see this one, or not, by test order)."""
    original = app.config["SERVER_URL"]
    app.config["SERVER_URL"] = _live_server_base
    yield _live_server_base
    app.config["SERVER_URL"] = original


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _run_axe(page) -> dict:
    """axe-core's violations for the page once it has loaded.

    A click that navigates returns when the new document is committed, before it is parsed:
    axe is injected only after the load event, and injected again if a navigation still
    replaced the document under it (the error then names the destroyed context or a missing
    ``document.head``).
    """
    from playwright.sync_api import Error

    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            if not page.evaluate("typeof window.axe !== 'undefined'"):
                page.add_script_tag(path=str(AXE))
            return page.evaluate(
                "async () => await axe.run(document, {resultTypes: ['violations']})"
            )
        except Error as error:
            replaced = "context was destroyed" in str(error) or "appendChild" in str(error)
            if not replaced or attempt == 2:
                raise
    raise AssertionError("unreachable")


def check_a11y(page, context: str = "") -> None:
    """Run axe-core on the current page; fail on serious or critical violations."""
    result = _run_axe(page)
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:5]
        )
        for v in bad
    )
    assert not bad, f"accessibility violations on {context or page.url}:\n{details}"


@pytest.fixture
def a11y():
    return check_a11y


def browser_login(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")


@pytest.fixture
def login_browser():
    return browser_login
