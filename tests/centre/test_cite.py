"""The "cite this" block: the member report's page and its PDF cite the same stable
address, version, acceptance date and checksum (the PDF read back as text)."""

from __future__ import annotations

import re

from tests.centre.test_pages import text
from tests.transparency.pdftools import page_texts


def _cite(page: str) -> dict:
    block = page.split("Cite this report", 1)[1]
    return {
        "url": re.search(r"Stable address (\S+)", block).group(1),
        "version": re.search(r"Version (\d+)", block).group(1),
        "accepted": re.search(r"Accepted on (\w+ \d{1,2}, \d{4})", block).group(1),
        "checksum": re.search(r"SHA-256 of the published content ([0-9a-f]{64})", block).group(1),
    }


def test_the_pdf_cites_what_the_page_cites(app, client, world):
    server = app.config["SERVER_URL"].rstrip("/")  # live-server tests change it: never assume
    for slug, version in (("alpha-security", "1"), ("gamma-cloud", "2")):
        page = _cite(text(client.get(f"/members/{slug}/reports/2025")))
        assert page["url"] == f"{server}/members/{slug}/reports/2025"
        assert page["version"] == version
        pdf_text = " ".join(page_texts(client.get(f"/members/{slug}/reports/2025.pdf").data))
        assert "Cite this report" in pdf_text
        squashed = re.sub(r"\s+", "", pdf_text.split("Cite this report", 1)[1])
        assert f"Stableaddress{page['url']}" in squashed
        assert f"Version{version}" in squashed
        assert "Acceptedon" + page["accepted"].replace(" ", "") in squashed
        assert f"SHA-256ofthepublishedcontent{page['checksum']}" in squashed


def test_the_checksum_follows_the_published_content(client, world, db):
    before = _cite(text(client.get("/members/alpha-security/reports/2025")))["checksum"]
    pledge = next(p for p in world.alpha.pledges if p.is_public)
    pledge.status = "achieved"
    db.session.commit()
    after_page = _cite(text(client.get("/members/alpha-security/reports/2025")))["checksum"]
    assert after_page != before
    pdf_text = re.sub(
        r"\s+",
        "",
        " ".join(page_texts(client.get("/members/alpha-security/reports/2025.pdf").data)),
    )
    assert after_page in pdf_text and before not in pdf_text
