"""The annual report, built and published once through HTTP (a draft, then edition 1),
then read back: its text against independently computed figures, the contents against
where each heading really lands, the appendix, links, bookmarks, tags and metadata.

Building a report takes seconds, so this module builds it once and keeps the results as
plain values; the database itself is emptied after every test as usual.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import re
import threading

import pikepdf
import pytest
from sqlalchemy import select

from app.db import db as _db
from app.transparency import jobs
from app.transparency import pdfengine as build
from app.transparency.models import Edition
from app.transparency.present.document import AnnualDocument
from app.transparency.present.print_css import single_pass_css
from tests.conftest import _empty_all_tables, _free_port, login_as, post_form
from tests.factories import make_user
from tests.transparency.conftest import build_world
from tests.transparency.pdftools import (
    footer_number,
    link_targets,
    outline_titles,
    page_lines,
    page_texts,
    structure_problems,
    toc_entries,
)
from tests.transparency.test_figures import independent

SECTIONS = [
    "Executive summary",
    "Methodology",
    "Membership",
    "Reporting",
    "Principles and indicators",
    "Principle 1: Principle title 1",
    "Principle 2: Principle title 2",
    "Principle 3: Principle title 3",
    "General indicators",
    "Pledges",
    "Appendix: members",
]
YEAR_END_MEMBERS = [
    "Alpha Security",
    "Beta Telecom",
    "Delta University",
    "Epsilon Cloud",
    "Gamma Rights",
    "Theta Agency",
]


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the http.server API
        type(self).hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(re.search(r"/builds/(\d+)$", response.headers["Location"]).group(1))


def _publish(app) -> dict:
    port = _free_port()
    server = http.server.HTTPServer(("127.0.0.1", port), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        world = build_world(_db)
        secretariat = make_user(role="secretariat", email="sec@example.org")
        expected = independent(_db, world.c2025)
        _db.session.commit()
        client = app.test_client()
        login_as(client, secretariat)
        page = "/secretariat/annual-reports/2025"
        assert client.get(page).status_code == 200
        summary = (
            "The alliance **grew** in 2025.\n\n"
            f"![tracker](http://127.0.0.1:{port}/markdown-image.png)\n\n"
            f'<img src="http://127.0.0.1:{port}/raw-image.png"> '
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/raw.css">\n\n'
            '<img src="file:///etc/passwd"> [local file](file:///etc/hostname)'
        )
        saved = post_form(
            client,
            page,
            {"executive_summary_md": summary, "methodology_md": "Counted *carefully*."},
            form_url=page,
        )
        assert saved.status_code == 302

        draft_job = _job_id(post_form(client, f"{page}/build", {}, form_url=page))
        jobs.wait(draft_job)
        draft_page = client.get(f"/secretariat/annual-reports/builds/{draft_job}").get_data(
            as_text=True
        )
        draft = client.get(f"/secretariat/annual-reports/builds/{draft_job}.pdf").data

        publish_job = _job_id(
            post_form(client, f"{page}/publish", {"note": "First edition."}, form_url=page)
        )
        jobs.wait(publish_job)
        published_page = client.get(f"/secretariat/annual-reports/builds/{publish_job}").get_data(
            as_text=True
        )
        response = client.get("/reports/2025.pdf")
        pdfa = client.get("/reports/2025.pdf?variant=pdf-a").data
        edition = _db.session.scalar(select(Edition))
        archive = client.get("/reports").get_data(as_text=True)
        html_page = client.get("/reports/2025").get_data(as_text=True)

        # The same report laid out in one WeasyPrint pass (the benchmark's comparison).
        document = AnnualDocument(
            world.c2025,
            edition.annual_report,
            draft=False,
            published_at=edition.published_at,
            edition_number=1,
        )
        single, single_pages = build.render_pdf(document.single_html(), extra_css=single_pass_css())
        app_parts = document.build_pdf().chunks  # as the publication above was built
        # The app lays a report this small out in one pass (below
        # TRANSPARENCY_SINGLE_PASS_BELOW members); the same report in chunks, as a large one:
        app.config["TRANSPARENCY_SINGLE_PASS_BELOW"] = 0
        try:
            chunked = AnnualDocument(
                world.c2025,
                edition.annual_report,
                draft=False,
                published_at=edition.published_at,
                edition_number=1,
            ).build_pdf()
        finally:
            del app.config["TRANSPARENCY_SINGLE_PASS_BELOW"]
        return {
            "app_parts": app_parts,
            "chunked": chunked.pdfs[build.VARIANT_UA],
            "chunked_parts": chunked.chunks,
            "draft": draft,
            "draft_page": draft_page,
            "published_page": published_page,
            "pdf": response.data,
            "headers": dict(response.headers),
            "pdfa": pdfa,
            "sha256": edition.sha256,
            "size": edition.size,
            "pages": edition.pages,
            "pdfa_sha256": edition.pdfa_sha256,
            "archive": archive,
            "html_page": html_page,
            "single": single,
            "single_pages": single_pages,
            "expected": {
                "members": len(expected["members"]),
                "on_time": len(expected["on_time"]),
                "late": len(expected["late"]),
                "missing": len(expected["missing"]),
                "required": len(expected["required"]),
                "non_communicating": sorted(expected["missing"]),
                "pledges": len(expected["pledges"]),
            },
            "hits": list(_Counting.hits),
        }
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def report(app):
    with app.app_context():
        try:
            published = _publish(app)
            # End this session's transaction now: the tests hold plain values, and an open
            # transaction would block the per-test TRUNCATE on PostgreSQL.
            _db.session.rollback()
            _db.session.remove()
            yield published
        finally:
            _db.session.rollback()
            _db.session.remove()
            _empty_all_tables()
            _db.session.remove()


def _section_pages(lines: list[list[str]]) -> dict[str, int]:
    """The page (1-based) where each section heading is printed, after the contents."""
    found = {}
    for number, page in enumerate(lines[2:], start=3):
        for line in page:
            if line in SECTIONS and line not in found:
                found[line] = number
    return found


def test_the_builds_finished(report):
    assert "Draft ready." in report["draft_page"]
    assert "Published as edition 1." in report["published_page"]
    assert report["draft"].startswith(b"%PDF") and report["pdf"].startswith(b"%PDF")


def test_text_matches_the_independently_computed_figures(report):
    e = report["expected"]
    texts = page_texts(report["pdf"])
    whole = " ".join(texts)
    share = lambda n: f"{round(n / e['required'] * 100)}%"  # noqa: E731
    assert f"{e['members']} members at December 31, 2025" in whole
    assert f"reported on time ({share(e['on_time'])})" in whole
    assert f"reported late ({share(e['late'])})" in whole
    assert f"did not report ({share(e['missing'])})" in whole
    assert f"{e['required']} members had to report" in whole
    reporting_page = next(t for t in texts if "These members had to report" in t)
    for name in e["non_communicating"]:
        assert name in reporting_page
    assert f"All pledges {e['pledges']} 2 1 1 1 1 0" in whole  # made, in 2025, achieved …
    assert "Yes: 75% of those who answered." in whole
    assert "7 9.25 20 33.875 45.5" in whole  # minimum, quartiles, maximum of the days
    assert "2024 33% 2025 75%" in whole  # the trend of the yes share
    assert "The alliance grew in 2025." in whole and "Counted carefully." in whole


def _without_leaders(lines: list[list[str]]) -> list[list[str]]:
    """Page lines with each run of leader dots as one "…" (WeasyPrint's `leader()` of the
    one-pass contents and the joined build's dots fill the line with different counts)."""
    return [[re.sub(r"\.{3,}", "…", line) for line in page] for page in lines]


def test_one_pass_and_chunks_give_the_same_pages(report):
    """Below TRANSPARENCY_SINGLE_PASS_BELOW members a published report is laid out in one
    WeasyPrint pass (issue 20); laid out in chunks instead, as a large one, every page
    reads the same (numbers, contents, footers, appendix)."""
    assert report["chunked_parts"] > 2
    assert report["app_parts"] == 1
    one_pass = page_lines(report["pdf"])
    assert _without_leaders(page_lines(report["chunked"])) == _without_leaders(one_pass)
    assert one_pass == page_lines(report["single"])  # the benchmark's single pass, exactly


def test_contents_lists_every_section_on_the_page_it_lands(report):
    lines = page_lines(report["pdf"])
    printed = toc_entries(lines[1], SECTIONS)
    assert set(printed) == set(SECTIONS)
    landed = _section_pages(lines)
    assert printed == landed
    for title, number in landed.items():
        assert footer_number(" ".join(lines[number - 1])) == (number, report["pages"]), title
    # WeasyPrint, laying out the same HTML in one pass, numbers the contents the same way.
    single_lines = page_lines(report["single"])
    assert report["single_pages"] == report["pages"]
    assert toc_entries(single_lines[1], SECTIONS) == printed


def test_every_page_but_the_cover_says_page_n_of_m(report):
    texts = page_texts(report["pdf"])
    assert len(texts) == report["pages"]
    assert footer_number(texts[0]) is None
    for number, text in enumerate(texts[1:], start=2):
        assert footer_number(text) == (number, len(texts))
    assert all("OCA · Transparency report 2025" in t for t in texts[1:])  # running header


def test_links_and_bookmarks_lead_to_the_sections(report):
    lines = page_lines(report["pdf"])
    landed = _section_pages(lines)
    anchors = {
        services_title: anchor
        for anchor, services_title in zip(
            [
                "summary",
                "methodology",
                "membership",
                "reporting",
                "principles",
                "principle-P1",
                "principle-P2",
                "principle-P3",
                "principle-general",
                "pledges",
                "appendix",
            ],
            SECTIONS,
            strict=True,
        )
    }
    contents_links = {
        target: page for source, target, page in link_targets(report["pdf"]) if source == 2
    }
    for title, anchor in anchors.items():
        assert contents_links[anchor] == landed[title]
    bookmarks = outline_titles(report["pdf"])
    titles = {title: page for _depth, title, page in bookmarks}
    for title in SECTIONS:
        assert titles[title] == landed[title]
    for name in YEAR_END_MEMBERS:
        assert (2, name) in {(d, t) for d, t, _p in bookmarks}


def test_the_appendix_holds_every_member_and_only_public_answers(report):
    lines = page_lines(report["pdf"])
    start = _section_pages(lines)["Appendix: members"]
    appendix = [line for page in lines[start - 1 :] for line in page]
    assert [
        line
        for line in appendix
        if line in YEAR_END_MEMBERS + ["Zeta Payments", "Eta Grid", "Iota Labs"]
    ] == YEAR_END_MEMBERS
    whole = " ".join(appendix)
    assert "We shipped MFA." in whole  # Alpha's public long answer, Markdown rendered
    assert "ciso@alpha.example" not in " ".join(page_texts(report["pdf"]))  # not public
    assert "Status: Non-communicating" in whole and "Status: Suspended" in whole
    assert "MFA for everyone — Achieved" in whole
    assert "Private pledge" not in whole


def test_draft_is_watermarked_on_every_page_and_the_publication_is_not(report):
    draft = page_texts(report["draft"])
    assert draft and all("DRAFT" in text for text in draft)
    assert not any("DRAFT" in text for text in page_texts(report["pdf"]))


def test_the_cover_and_the_page_cite_the_edition(report):
    """The published PDF's cover cites the edition's stable address and date, and says
    where its checksum is listed (a file cannot hold its own); the page cites the same,
    with the checksum of the PDF served."""
    cover = page_texts(report["pdf"])[0]
    assert "Cite this report" in cover
    url = "http://localhost/reports/2025/editions/1"
    assert url in cover.replace(" ", "")
    published = re.search(r"Published (\w+ \d{1,2}, \d{4})", cover).group(1)
    assert f"Transparency report 2025, edition 1, published {published}." in cover
    assert "The SHA-256 checksum of this file is listed at http://localhost/reports" in cover
    assert "Cite this report" not in page_texts(report["draft"])[0]
    page = " ".join(re.sub(r"<[^>]+>", " ", report["html_page"]).split())
    block = page.split("Cite this report", 1)[1]
    assert f"Stable address {url}" in block
    assert f"Edition 1 Published on {published}" in block
    assert f"SHA-256 of the PDF {report['sha256']}" in block
    assert hashlib.sha256(report["pdf"]).hexdigest() == report["sha256"]


def test_tagged_pdf_with_metadata_and_a_pdfa_twin(report):
    for data, conformance in ((report["pdf"], "ua"), (report["pdfa"], "a")):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert str(pdf.docinfo["/Title"]) == "Open Cyber Accord: Transparency report 2025"
            assert str(pdf.docinfo["/Author"]) == "Open Cyber Accord"
            assert str(pdf.Root.Lang) == "en"
            assert "/StructTreeRoot" in pdf.Root and bool(pdf.Root.MarkInfo.Marked)
            assert len(pdf.pages) == report["pages"]
            xmp = str(pdf.open_metadata())
            if conformance == "ua":
                assert 'pdfuaid:part="1"' in xmp or "<pdfuaid:part>1</pdfuaid:part>" in xmp
            else:
                assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
                assert "/OutputIntents" in pdf.Root
        assert structure_problems(data) == []
    assert hashlib.sha256(report["pdfa"]).hexdigest() == report["pdfa_sha256"]


def test_served_bytes_match_the_published_checksum(report):
    digest = hashlib.sha256(report["pdf"]).hexdigest()
    assert digest == report["sha256"]
    assert report["headers"]["ETag"] == f'"{digest}"'
    assert int(report["headers"]["Content-Length"]) == report["size"] == len(report["pdf"])
    assert digest in report["archive"]  # shown on the public archive
    assert digest in report["html_page"]


def test_urls_in_markdown_are_never_fetched(report):
    assert report["hits"] == []
    whole = " ".join(page_texts(report["pdf"]))
    assert "root:" not in whole  # nothing of /etc/passwd
    with pikepdf.open(io.BytesIO(report["pdf"])) as pdf:
        uris = [
            str(a.A.URI)
            for p in pdf.pages
            for a in p.obj.get("/Annots", [])
            if "/A" in a and "/URI" in a.A
        ]
    assert not any(uri.startswith("file:") for uri in uris)


def test_the_html_version_shows_the_same_report(report):
    html = report["html_page"]
    for title in SECTIONS:
        assert f">{title}</h" in html
    for name in YEAR_END_MEMBERS:
        assert name in html
    assert "<svg" in html and 'role="img"' in html
    assert "DRAFT" not in html


def test_the_fetcher_refuses_file_and_http_urls_even_unsanitised():
    """A document that names local files and internal addresses renders without fetching
    them (the Markdown sanitiser normally removes them first)."""
    port = _free_port()
    hits: list[str] = []

    class Handler(_Counting):
        pass

    Handler.hits = hits
    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        html = (
            '<html lang="en"><head><title>t</title>'
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
            '<link rel="stylesheet" href="file:///etc/passwd"></head><body>'
            f'<img alt="a" src="http://127.0.0.1:{port}/a.png"><img alt="b" src="file:///etc/hostname">'
            f'<p style="background: url(http://127.0.0.1:{port}/bg.png)">text</p></body></html>'
        )
        data, pages = build.render_pdf(html)
    finally:
        server.shutdown()
        server.server_close()
    assert hits == []
    assert pages == 1 and data.startswith(b"%PDF")


def test_only_the_fonts_shipped_in_static_are_embedded(report):
    """The report looks the same on every machine: its text is set in the project's own
    Source Sans 3 / Source Serif 4 (static/fonts), embedded, never a system font."""
    names = set()
    with pikepdf.open(io.BytesIO(report["pdf"])) as pdf:
        for page in pdf.pages:
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            for font in fonts.values():
                names.add(str(font.get("/BaseFont", "")).split("+")[-1])
                descendants = font.get("/DescendantFonts")
                descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
                if descriptor is not None:
                    assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert names, "no font found"
    assert all(n.startswith(("Source-Sans-3", "Source-Serif-4")) for n in names), names
