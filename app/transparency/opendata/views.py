"""The public search page. Thin: read the query, search, render."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import get_locale

from app.core import links
from app.core.cache import cache
from app.core.http_cache import public_page, validated_by_topics
from app.core.labels import CATEGORY
from app.core.templating import local_country_name
from app.transparency.opendata import cli as _cli  # noqa: F401  (registers `pactum reindex`)
from app.transparency.opendata import feeds
from app.transparency.opendata import indexing as _indexing  # noqa: F401  (connects receivers)
from app.transparency.opendata.package import build_zip, cycle_for
from app.transparency.opendata.search import choices, parse_query, search

bp = Blueprint("opendata", __name__)

SEARCH_TOPICS = ("reports", "members", "charter")
ZIP_TOPICS = ("reports", "members", "charter")


@bp.get("/search")
@public_page(SEARCH_TOPICS)
def search_page():
    query, errors = parse_query(request.args)
    results = search(query) if not errors else None
    offered = choices()
    return render_template(
        "opendata/search.html",
        query=query,
        results=results,
        errors=errors,
        choices=offered,
        countries=_country_options(tuple(offered.countries), str(get_locale() or "")),
        categories=CATEGORY,
    ), (400 if errors else 200)


@functools.lru_cache(maxsize=64)
def _country_options(codes: tuple[str, ...], _locale: str) -> tuple[tuple[str, str], ...]:
    """(code, name in the visitor's language) of the country filter, named once per set of
    countries and language (`_locale`: the cache key): naming ~250 countries through
    pycountry's catalogues on every search cost more than the search (issue 15)."""
    return tuple((code, local_country_name(code)) for code in codes)


@bp.get("/open-data/<int:year>.zip")
@validated_by_topics(ZIP_TOPICS)
def open_data_zip(year: int):
    """Built once per change of what it holds (its file is named by the topics' generation)
    and streamed from that file; an older file is removed when a newer one is built."""
    cycle = cycle_for(year)  # 404 for a year without a cycle
    generation = hashlib.sha256(cache.generations(ZIP_TOPICS).encode()).hexdigest()[:16]
    folder = Path(current_app.instance_path) / "opendata"
    target = folder / f"{year}-{generation}.zip"
    if not target.exists():
        build_zip(cycle, target, links.site_url())
        for old in folder.glob(f"{year}-*.zip"):
            if old != target:
                old.unlink(missing_ok=True)
    response = Response(_chunks(target), mimetype="application/zip")
    response.content_length = target.stat().st_size
    response.headers["Content-Disposition"] = f'attachment; filename="pactum-open-data-{year}.zip"'
    return response


def _chunks(path: Path, size: int = 64 * 1024):
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


@bp.get("/reports/feed.atom")
@public_page(SEARCH_TOPICS)
def reports_feed():
    return feeds.atom_response()
