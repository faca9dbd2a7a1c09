"""The charter PDF, read back: every principle title in order (in the table of contents and
in the text), the document's metadata, tagging (PDF/UA), the shipped fonts, page numbers."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pikepdf
import pytest
from pypdf import PdfReader

from app.charter import services
from tests.charter.builders import publish, publish_charter, text_numbered

PRINCIPLES = [
    (f"Principle title {word}", f"The body of the {word} principle, with *emphasis*.", "Theme")
    for word in (
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        "foxtrot",
        "golf",
        "hotel",
        "india",
        "juliet",
        "kilo",
        "lima",
    )
]


@pytest.fixture
def pdf_bytes(client, db, secretariat):
    publish_charter(
        secretariat,
        PRINCIPLES,
        title="The PDF Accord",
        preamble="We **commit** to these principles.",
        effective=dt.date(2024, 3, 1),
    )
    db.session.commit()
    response = client.get("/charter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="charter-v1.pdf"' in response.headers["Content-Disposition"]
    return response.data


def _in_order(text: str, titles: list[str]) -> bool:
    positions = [text.find(t) for t in titles]
    return -1 not in positions and positions == sorted(positions)


def test_pdf_text_holds_every_title_in_order(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    pages = [page.extract_text() for page in reader.pages]
    titles = [p[0] for p in PRINCIPLES]
    contents_page = next(i for i, t in enumerate(pages) if "Contents" in t)
    toc = pages[contents_page]
    body = "\n".join(pages[contents_page + 1 :])
    assert _in_order(toc, titles), "table of contents out of order"
    assert _in_order(body, titles), "principles out of order"
    assert "We commit to these principles." in body
    assert "The PDF Accord" in pages[0] and "Version 1" in pages[0]
    # Page numbers on every page but the cover ("Page 2 of 5"), and in the table of contents.
    total = len(pages)
    assert all(f"Page {n} of {total}" in pages[n - 1] for n in range(2, total + 1))
    assert "Page 1 of" not in pages[0]
    assert re.search(r"Principle title alpha\W+\d+", toc)


def test_pdftotext_agrees(pdf_bytes, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed")
    path = tmp_path / "charter.pdf"
    path.write_bytes(pdf_bytes)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    body = text.split("Principles", 1)[1]
    assert _in_order(body, [p[0] for p in PRINCIPLES])


def test_pdf_metadata_tags_and_fonts(pdf_bytes):
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "The PDF Accord – Version 1"
        assert str(info["/Author"]) == "Open Cyber Accord"
        assert str(pdf.Root.Lang) == "en"
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "The PDF Accord" in xmp and "pdfuaid:part" in xmp  # PDF/UA-1 identification
        fonts = set()
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                fonts.add(str(font.BaseFont))
        assert any("Source-Sans-3" in f for f in fonts), fonts  # the shipped fonts, embedded
        assert any("Source-Serif-4" in f for f in fonts), fonts
        # Bookmarks follow the headings, so readers can jump to a principle.
        with pdf.open_outline() as outline:
            titles = []

            def walk(items):
                for item in items:
                    titles.append(item.title)
                    walk(item.children)

            walk(outline.root)
        assert any("Principle title lima" in t for t in titles)


def test_each_version_has_its_own_pdf(client, db, secretariat):
    v1 = publish_charter(secretariat, PRINCIPLES[:3], effective=dt.date(2024, 1, 1))
    draft = services.start_draft(secretariat)
    first = text_numbered(draft, 1)
    services.update_principle(
        secretariat, draft.id, first.id, number=1, title="A brand new first title", body_md="New."
    )
    publish(secretariat, draft.id, dt.date(2024, 2, 1))
    db.session.commit()
    old = PdfReader(io.BytesIO(client.get(f"/charter/v/{v1.number}.pdf").data))
    new = PdfReader(io.BytesIO(client.get("/charter/v/2.pdf").data))
    old_text = "".join(p.extract_text() for p in old.pages)
    new_text = "".join(p.extract_text() for p in new.pages)
    assert "Principle title alpha" in old_text and "A brand new first title" not in old_text
    assert "A brand new first title" in new_text and "Principle title alpha" not in new_text
