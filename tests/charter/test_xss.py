"""Markdown written by the secretariat never carries script into a page, the JSON's HTML
fields or the PDF: a list of real vectors goes in, no active content comes out."""

from __future__ import annotations

import datetime as dt
import io
import json
from html.parser import HTMLParser

import pikepdf
import pytest

from app.charter import services
from tests.charter.builders import publish, publish_charter
from tests.conftest import login_as

VECTORS = [
    '<a href="https://example.org" onclick="alert(\'xss-onclick\')">ok link</a>',
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=\"alert('xss-img')\">",
    "Inline <img src=x onerror=alert('xss-inline')> image",
    "[click me](javascript:alert('xss-link'))",
    "[case](JaVaScRiPt:alert('xss-case'))",
    "<a href=\"&#106;avascript:alert('xss-entity')\">entity</a>",
    "<a href=\"  javascript:alert('xss-space')\">spaced</a>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pic](javascript:alert('xss-imgmd'))",
    'A paragraph with attributes\n{: onmouseover="alert(\'xss-attr\')" style="color:red" }',
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body { display: none }</style>",
    "<svg onload=\"alert('xss-svg')\"><script>alert('xss-svg2')</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-mxss')>",
    '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/">',
    '<form action="https://evil.example/"><input name=q><button>Go</button></form>',
    "<div style=\"background:url(javascript:alert('xss-css'))\">styled</div>",
    '<img src="file:///etc/passwd"><link rel=stylesheet href="file:///etc/passwd">',
    "<details open ontoggle=\"alert('xss-toggle')\">x</details>",
]
MARKDOWN = "\n\n".join(VECTORS)
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "style",
    "svg",
    "math",
    "object",
    "embed",
    "img",
    "link",
    "details",
    "meta",
    "base",
}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}=…>")
            if (
                name in ("href", "src", "action", "data")
                and value
                and value.strip().lower().startswith(BAD_SCHEMES)
            ):
                self.problems.append(f"<{tag} {name}={value[:30]}>")
            if tag == "form" and name == "action" and "evil.example" in (value or ""):
                self.problems.append("<form> to another site")


def active_content(html: str) -> list[str]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.problems


def _main(html: str) -> str:
    """The page's main element: the layout's own <script src> and <link> are in <head>."""
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.fixture
def hostile(db, secretariat):
    """Version 1 is harmless; version 2 has the vectors everywhere a secretariat can type."""
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    draft = services.start_draft(secretariat)
    services.update_draft(
        secretariat,
        draft.id,
        title="<script>alert('xss-title')</script>",
        preamble_md=MARKDOWN,
        change_summary="<img src=x onerror=alert('xss-summary')>",
    )
    for text in draft.texts:
        services.update_principle(
            secretariat,
            draft.id,
            text.id,
            number=text.number,
            title=f"<b onmouseover=alert('t{text.number}')>T</b>",
            body_md=MARKDOWN,
            theme="<script>alert('theme')</script>",
        )
    services.add_principle(secretariat, draft.id, number=None, title="New", body_md=MARKDOWN)
    db.session.commit()
    return draft


def test_the_checker_sees_active_content():
    assert active_content("<p onclick='x'>a</p><script>1</script><a href='javascript:x'>y</a>")


def test_no_vector_reaches_the_draft_preview(app, hostile, secretariat):
    client = app.test_client()
    login_as(client, secretariat)
    for url in (f"/secretariat/charter/{hostile.id}/preview", f"/secretariat/charter/{hostile.id}"):
        html = client.get(url).get_data(as_text=True)
        assert active_content(_main(html)) == [], url


def test_no_vector_reaches_the_public_pages_or_the_json(app, hostile, secretariat, db):
    publish(secretariat, hostile.id, dt.date(2024, 2, 1))
    db.session.commit()
    client = app.test_client()
    for url in ("/charter", "/charter/v/2", "/charter/versions", "/charter/compare/1/2"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert active_content(_main(html)) == [], url
        assert "alert('xss-script')" not in html  # script bodies are dropped, not shown
        assert "&lt;script&gt;alert(&#39;xss-title&#39;)" in html or url == "/charter/compare/1/2"
    data = json.loads(client.get("/charter.json").data)
    fragments = [data["preamble"]["html"]] + [p["body"]["html"] for p in data["principles"]]
    for fragment in fragments:
        assert active_content(fragment) == []
        assert "ok link" in fragment or fragment == ""  # harmless content survives
    assert data["principles"][0]["body"]["markdown"] == MARKDOWN  # the source is kept as written


def _pdf_actions(pdf) -> list[str]:
    found = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary):
            for key in ("/JS", "/JavaScript", "/Launch", "/SubmitForm", "/ImportData"):
                if key in obj:
                    found.append(key)
            if "/URI" in obj:
                uri = str(obj.URI).strip().lower()
                if uri.startswith(BAD_SCHEMES):
                    found.append(uri[:40])
            if obj.get("/S") in ("/JavaScript", "/Launch"):
                found.append(str(obj.get("/S")))
    return found


def test_no_vector_reaches_the_pdf(app, hostile, secretariat, db):
    client = app.test_client()
    login_as(client, secretariat)
    preview = client.get(f"/secretariat/charter/{hostile.id}/preview.pdf")
    publish(secretariat, hostile.id, dt.date(2024, 2, 1))
    db.session.commit()
    public = app.test_client().get("/charter/v/2.pdf")
    for response in (preview, public):
        assert response.status_code == 200
        with pikepdf.open(io.BytesIO(response.data)) as pdf:
            assert _pdf_actions(pdf) == []
            assert "/AcroForm" not in pdf.Root and "/OpenAction" not in pdf.Root
            uris = [
                str(a.A.URI)
                for page in pdf.pages
                for a in page.get("/Annots", [])
                if "/A" in a and "/URI" in a.A
            ]
            assert "https://example.org" in uris  # the harmless link is still a link
        text = "".join(
            p.extract_text() for p in __import__("pypdf").PdfReader(io.BytesIO(response.data)).pages
        )
        assert "xss-script" not in text and "xss-svg2" not in text and "root:" not in text
