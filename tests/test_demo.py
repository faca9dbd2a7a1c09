"""`make run`'s demo: the whole alliance loads, once, and a first visitor finds real content —
the charter, members, the open cycle with Northwind's half-filled draft, and the last closed
cycle's annual report published as a PDF on /reports."""

from __future__ import annotations

import hashlib
import os
import pathlib
import shutil
import subprocess

import pytest

from app.demo import DEMO_LOGINS, load_demo
from tests.conftest import csrf_token, login_as, post_form
from tests.transparency.pdftools import page_texts


@pytest.mark.slow
def test_the_demo_loads_once_with_a_published_annual_report(app, client, db):
    assert load_demo() is True
    db.session.commit()
    assert load_demo() is False  # safe to run again

    archive = client.get("/reports").get_data(as_text=True)
    assert "2025" in archive
    pdf = client.get("/reports/2025.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() in archive  # the checksum shown to the public
    text = " ".join(page_texts(pdf.data))
    assert "Transparency report 2025" in text and "DRAFT" not in text
    french = client.get("/reports/2025.pdf?lang=fr")  # the demo publishes in French too
    assert french.headers["Content-Language"] == "fr"
    assert hashlib.sha256(french.data).hexdigest() in archive
    assert "l’alliance a continué de grandir" in " ".join(page_texts(french.data))

    for url in ("/", "/charter", "/members", "/members/northwind-security"):
        assert client.get(url).status_code == 200, url
    from app.accounts.models import User

    emails = {email for _role, email, _password in DEMO_LOGINS}
    rep = db.session.query(User).filter(User.email.in_(emails), User.role == "representative").one()
    login_as(client, rep)
    assert client.get("/dashboard").status_code == 200
    assert client.get("/my/reports").status_code == 200
    # The open cycle's questionnaire reads entirely in French (issue 18).
    section = client.get("/my/reports/2026/sections/1?lang=fr").get_data(as_text=True)
    assert "untranslated-notice" not in section and '<span lang="en"' not in section
    assert "L’authentification multifacteur est-elle proposée à tous vos clients ?" in section
    assert "Protéger tous les utilisateurs et clients</h1>" in section  # the principle's title

    # The demo secretariat logs in with the published password and second factor, as the
    # README says (secretariat accounts must have one).
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    secretariat = next(e for role, e, _p in DEMO_LOGINS if role == "secretariat")
    password = next(p for role, _e, p in DEMO_LOGINS if role == "secretariat")
    app.config["REQUIRE_SECOND_FACTOR"] = True
    try:
        response = post_form(
            client, "/login", {"email": secretariat, "password": password}, form_url="/login"
        )
        assert response.headers["Location"].endswith("/login/code")
        code = app.test_cli_runner().invoke(args=["pactum", "demo-code"]).output.strip()
        assert code.isdigit() and len(code) == 6
        response = post_form(client, "/login/code", {"code": code}, form_url="/login/code")
        assert response.headers["Location"].endswith("/dashboard")
        assert client.get("/secretariat/users").status_code == 200
    finally:
        app.config["REQUIRE_SECOND_FACTOR"] = False


def test_make_run_serves_on_the_port_asked_for():
    """`make run PORT=5001` serves, announces and links on that port (a dry run: nothing runs)."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    root = pathlib.Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "PACTUM_SERVER_URL"}

    def dry_run(*args: str) -> str:
        return subprocess.run(  # noqa: S603  (our own Makefile, fixed arguments)
            [make, "-n", "-p", "run", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    other = dry_run("PORT=5001")
    assert "flask run --host 127.0.0.1 --port 5001" in other
    assert "http://127.0.0.1:5001" in other
    assert "PACTUM_SERVER_URL = http://127.0.0.1:$(PORT)" in other
    assert "--port 5000" in dry_run()
