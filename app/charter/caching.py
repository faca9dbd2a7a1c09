"""The validators of the public charter pages, PDFs and JSON (answered through
`app.core.conditional`), and the per-process cache of rendered charter PDFs.

A published version never changes, so a page about it only changes when the set of
published versions changes (a new one is published, or one takes effect), when the site
itself changes (a deployment: templates, styles, translations), or with who is asking
(language, logged in or not, which user: the layout shows the user's menu). The ETag is a
digest of exactly that, computed from rows the view loads anyway, so a revalidation costs
one or two small queries and no rendering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable

from flask import current_app
from flask_babel import get_locale

from app.config import BASE_DIR
from app.core.conditional import Validators, cache_control

ANONYMOUS = "anonymous"
_SITE_PARTS = ("templates", "static/css", "static/fonts", "translations")
_site_fingerprint: str | None = None
_lock = threading.Lock()


def site_fingerprint() -> str:
    """Changes when a deployment changes templates, styles, fonts or translations."""
    global _site_fingerprint
    if _site_fingerprint is None or current_app.debug:  # development: templates change
        digest = hashlib.sha256()
        for part in _SITE_PARTS:
            root = BASE_DIR / part
            if not root.exists():
                continue
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(BASE_DIR)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
                )
        _site_fingerprint = digest.hexdigest()[:16]
    return _site_fingerprint


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def validators(
    kind: str,
    versions: Iterable,
    today: dt.date,
    *,
    viewer: str | None = None,
    localised: bool = True,
) -> Validators:
    """ETag and Last-Modified for a resource built from these published versions.

    `viewer`: for a page that shows who is logged in, that user's id (or `ANONYMOUS`);
    None for a resource that is the same for everyone (the PDFs, the JSON)."""
    versions = list(versions)
    parts = [kind, site_fingerprint(), current_app.config["ALLIANCE_NAME"]]
    # The versions in force and upcoming, as seen today.
    parts += [
        f"{v.id}:{v.number}:{v.effective_date}:{v.effective_date <= today}:"
        f"{v.published_at.isoformat() if v.published_at else ''}"
        for v in versions
    ]
    if localised:
        parts.append(str(get_locale() or "en"))
    if viewer is not None:
        parts.append(viewer)
    etag = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    moments = [dt.datetime(2000, 1, 1, tzinfo=dt.UTC)]
    for v in versions:
        if v.published_at:
            moments.append(v.published_at)
        if v.effective_date <= today:
            moments.append(_moment(v.effective_date))
    last_modified = max(moments).replace(microsecond=0)
    return Validators(etag, last_modified, viewer not in (None, ANONYMOUS))


def revalidate(v: Validators) -> str:
    """Always asked again (a 304 costs a query or two); private when it shows the user."""
    return cache_control(public=not v.personal, no_cache=True)


class BytesCache:
    """A small in-process cache (least recently used first out) of PDF bytes, in front of
    the shared cache that keeps published versions' PDFs (`app.charter.present`)."""

    def __init__(self, size: int = 16):
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        with _lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: str, data: bytes) -> None:
        with _lock:
            self._items[key] = data
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with _lock:
            self._items.clear()
