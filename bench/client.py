"""A small HTTP client for the logged-in journeys: keep-alive connection, a cookie jar, HTML
forms read like a browser reads them (hidden fields, CSRF token, the draft's revision).

The same form-discovery code also drives Flask's test client (to count SQL statements in
process), through the `Fetch` callable: `fetch(method, path, body, headers) -> Page`.
"""

from __future__ import annotations

import heapq
import http.client
import re
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str | None:
        return self.headers.get("location")


Fetch = Callable[[str, str, bytes | None, dict[str, str]], Page]


class Client:
    """One visitor: one keep-alive connection (re-opened when the server closes it, as
    gunicorn's sync workers do after every response) and its cookies."""

    def __init__(self, base: str, user_agent: str = "pactum-bench"):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}
        self.user_agent = user_agent
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def fetch(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Page:
        headers = {"User-Agent": self.user_agent, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self._conn.request(method, path, body=body, headers=headers)
                response = self._conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
        if response.will_close:
            self.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                self._remember(value)
        return Page(response.status, {k.lower(): v for k, v in response.getheaders()}, data, path)

    def _remember(self, set_cookie: str) -> None:
        cookie = set_cookie.split(";", 1)[0]
        key, _, val = cookie.partition("=")
        lowered = set_cookie.lower()
        if val and "max-age=0" not in lowered and "expires=thu, 01 jan 1970" not in lowered:
            self.cookies[key.strip()] = val.strip()
        else:
            self.cookies.pop(key.strip(), None)

    def post_once(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        """One POST on a connection of its own, the answer read to its end: (status, body).

        What `fetch` does for a sync worker (which closes the connection after each answer),
        with a fraction of the load generator's CPU: http.client parses every answer's
        headers with the email package, and in the draft rush that was a tenth of the CPU the
        server spends per save, taken from the two cores it is measured on. Only for answers
        with a Content-Length or read to the end of the connection (not chunked)."""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"User-Agent: {self.user_agent}\r\nCookie: {self.cookie_header()}\r\n"
            f"Content-Type: {content_type}\r\nAccept: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode("latin-1")
        with socket.create_connection((self.host, self.port), timeout=60) as sock:
            sock.sendall(head + body)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        header, _sep, payload = b"".join(chunks).partition(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        for line in lines[1:]:
            name, _colon, value = line.partition(":")
            if name.strip().lower() == "set-cookie":
                self._remember(value.strip())
        return int(lines[0].split(" ", 2)[1]), payload

    def get(self, path: str) -> Page:
        return self.fetch("GET", path)


# HTML forms ---------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str
    conditional: bool = False


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._stack: list[tuple[str, bool]] = []  # (tag, conditional)

    def _conditional(self) -> bool:
        return any(c for _t, c in self._stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        conditional = any("condition" in k or k in ("hidden",) for k in a) and tag not in ("input",)
        if tag not in ("input", "br", "img", "meta", "link", "hr", "option"):
            self._stack.append((tag, conditional))
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(
                a.get("action") or "",
                (a.get("method") or "get").lower(),
                a.get("enctype") or "application/x-www-form-urlencoded",
                attrs={k: v or "" for k, v in a.items()},
            )
            self.forms.append(self._form)
        elif self._form is not None:
            self._control(self._form, tag, a)

    def _control(self, form: Form, tag: str, a: dict) -> None:
        """A tag inside a form: the fields and buttons a browser would send."""
        if tag == "input" and a.get("name"):
            self._input(form, a)
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field(a["name"], "textarea", "", self._conditional())
            form.fields.append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = Field(a["name"], "select", "", self._conditional())
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            if "selected" in a or not self._select.value:
                self._select.value = a.get("value") or ""
        elif tag == "button" and a.get("name"):
            form.buttons.append((a["name"], a.get("value") or ""))

    def _input(self, form: Form, a: dict) -> None:
        kind = (a.get("type") or "text").lower()
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                form.fields.append(
                    Field(a["name"], kind, a.get("value") or "on", self._conditional())
                )
        elif kind in ("submit", "button", "image"):
            form.buttons.append((a["name"], a.get("value") or ""))
        elif kind != "file":
            form.fields.append(Field(a["name"], kind, a.get("value") or "", self._conditional()))

    def handle_endtag(self, tag):
        while self._stack:
            top, _c = self._stack.pop()
            if top == tag:
                break
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def parse(html: str) -> tuple[list[Form], list[str]]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms, parser.links


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def encode_form(
    form: Form, values: dict[str, str], button: tuple[str, str] | None, urlencoded: bool = False
) -> tuple[bytes, str]:
    """The body and Content-Type a browser would send for this form (`urlencoded`: as a
    script sends it, whatever the form's enctype)."""
    pairs = [(f.name, values.get(f.name, f.value)) for f in form.fields]
    if button:
        pairs.append(button)
    if form.enctype.lower().startswith("multipart/form-data") and not urlencoded:
        boundary = "bench" + secrets.token_hex(8)
        chunks = []
        for name, value in pairs:
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            )
        chunks.append(f"--{boundary}--\r\n")
        return "".join(chunks).encode(), f"multipart/form-data; boundary={boundary}"
    return urlencode(pairs).encode(), "application/x-www-form-urlencoded"


def login(fetch: Fetch, email: str, password: str) -> bool:
    page = fetch("GET", "/login", None, {})
    match = CSRF_RE.search(page.text)
    if not match:
        return False
    body = urlencode({"email": email, "password": password, "csrf_token": match.group(1)})
    answer = fetch(
        "POST", "/login", body.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    return answer.status in (302, 303) and "/login" not in (answer.location or "")


# Finding the draft form from the dashboard ------------------------------------------------------

REVISION_NAMES = ("base_revision", "revision")


def _local(href: str, base: str) -> str | None:
    target = urljoin(base, href)
    parts = urlsplit(target)
    if parts.scheme not in ("", "http", "https") or href.startswith(("#", "mailto:")):
        return None
    if parts.netloc and not parts.netloc.startswith("127.0.0.1") and parts.netloc != "localhost":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def draft_form(page: Page) -> Form | None:
    """A POST form that saves a draft: it names the revision it started from and has a
    text answer to change."""
    forms, _links = parse(page.text)
    for form in forms:
        if form.method != "post" or not any(form.field(n) for n in REVISION_NAMES):
            continue
        if target_field(form) is not None:
            return form
    return None


def target_field(form: Form) -> Field | None:
    """The answer the benchmark edits: a free-text answer outside any conditional block,
    whose name carries the question id."""
    for kinds in (("textarea",), ("text",)):
        for f in form.fields:
            if (
                f.kind in kinds
                and not f.conditional
                and re.search(r"\d", f.name)
                and f.name not in REVISION_NAMES
                and "csrf" not in f.name
            ):
                return f
    return None


def discover_draft_form(
    fetch: Fetch, start: str = "/dashboard", year: int | None = None, max_pages: int = 12
) -> tuple[str, Form] | None:
    """Follow the representative's links (dashboard -> report -> section) to the first page
    with a draft form, most promising links first: those naming the open cycle's year,
    then section pages, then the shallowest."""
    seen: set[str] = set()
    queue: list[tuple] = [((0, 0, 0, 0), start)]
    fetched = 0
    while queue and fetched < max_pages:
        _score, path = heapq.heappop(queue)
        if path in seen:
            continue
        seen.add(path)
        fetched += 1
        page = fetch("GET", path, None, {})
        if page.status != 200:
            continue
        form = draft_form(page)
        if form is not None:
            return path, form
        depth = _score[2] + 1
        _forms, links = parse(page.text)
        for href in links:
            local = _local(href, path)
            if not local or local in seen or "logout" in local:
                continue
            if not re.search(r"report|section|draft", local):
                continue
            score = (
                0 if year and str(year) in local else 1,
                0 if "section" in local else 1,
                depth,
                len(local),
            )
            heapq.heappush(queue, (score, local))
    return None
