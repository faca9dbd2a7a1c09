"""Every absolute link the site gives, from PACTUM_SERVER_URL: one rule.

An absolute URL, wherever it appears (mail, the charter PDF and `charter.json`, CSV exports,
the JSON APIs, Atom feeds, the open-data package, "stable link" boxes), is built here, from
the public address (`PACTUM_SERVER_URL`, mount point included) and the app's own URL map,
never from the Host a request happened to be made to: the same record names the same URL
whoever fetched it, through whichever proxy or internal address (docs/deploy.md, "Absolute
links"). Code without a request (mail, PDFs, cron jobs, background builds) needs no
fabricated request context either. Relative links inside pages keep using Flask's `url_for`.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Flask, current_app
from werkzeug.routing import MapAdapter

_ADAPTER_KEY = "pactum_links_adapter"


def _adapter(app: Flask) -> MapAdapter:
    server_url = app.config["SERVER_URL"]
    cached = app.extensions.get(_ADAPTER_KEY)
    if cached is not None and cached[0] == server_url:
        return cached[1]
    parts = urlsplit(server_url)
    adapter = app.url_map.bind(
        parts.netloc or "localhost",
        script_name=parts.path.rstrip("/") or "/",
        url_scheme=parts.scheme or "http",
    )
    app.extensions[_ADAPTER_KEY] = (server_url, adapter)
    return adapter


def build(endpoint: str, values: dict | None = None, external: bool = False) -> str:
    """The URL of `endpoint` as the public site serves it: a path (with the site's mount
    point), or with `external` the absolute URL under PACTUM_SERVER_URL. `_anchor` and
    `_external` are understood as by Flask's `url_for`."""
    values = dict(values or {})
    anchor = values.pop("_anchor", None)
    external = bool(values.pop("_external", external))
    values.pop("_scheme", None)
    values.pop("_method", None)
    url = _adapter(current_app._get_current_object()).build(
        endpoint, values, force_external=external
    )
    if anchor is not None:
        url += "#" + quote(str(anchor), safe="%!#$&'()*+,/:;=?@")
    return url


def external_url(endpoint: str, **values) -> str:
    """The absolute public URL of `endpoint` (for mail, PDFs, feeds built by jobs)."""
    return build(endpoint, values, external=True)


def path_for(endpoint: str, **values) -> str:
    """The public path of `endpoint`, including the mount point of PACTUM_SERVER_URL."""
    return build(endpoint, values)


def site_url() -> str:
    """The public site's root (PACTUM_SERVER_URL, mount point included), without the trailing
    slash: `site_url() + "/members/x"` is the same URL as `external_url("members.profile", ...)`."""
    return current_app.config["SERVER_URL"].rstrip("/")
