"""`flask pactum demo` keeps its console readable (issue 16): the PDF libraries' progress lines
are not printed, and the demo logins are the last thing on the screen."""

from __future__ import annotations

import logging

from app import cli
from app.demo import DEMO_LOGINS


def test_the_demo_prints_no_pdf_progress_and_ends_with_the_logins(runner, caplog, monkeypatch):
    for name in ("weasyprint", "pikepdf", "fontTools"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.NOTSET)

    def load_demo_laying_out_pdfs() -> bool:  # what laying out the demo's PDFs logs
        logging.getLogger("weasyprint").info("Step 4 - Creating layout - Page 12")
        logging.getLogger("fontTools.subset").info("Retained 212 glyphs")
        return True

    monkeypatch.setattr(cli, "load_demo", load_demo_laying_out_pdfs)
    monkeypatch.setattr(cli, "reindex_all", lambda: None)
    caplog.set_level(logging.INFO)
    result = runner.invoke(args=["pactum", "demo"])
    assert result.exit_code == 0, result.output
    assert not [r for r in caplog.records if r.name.split(".")[0] in ("weasyprint", "fontTools")]
    lines = result.output.strip().splitlines()
    assert lines[0] == "Demo data loaded."
    _role, email, password = DEMO_LOGINS[-1]
    logins = [line for line in lines if email in line and password in line]
    assert logins and lines.index(logins[0]) >= len(lines) - 2  # then only the 2FA hint
