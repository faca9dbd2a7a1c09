"""The public search page. Thin: read the query, search, render."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.core.http_cache import public_page
from app.core.labels import CATEGORY
from app.transparency.opendata import cli as _cli  # noqa: F401  (registers `pactum reindex`)
from app.transparency.opendata import indexing as _indexing  # noqa: F401  (connects receivers)
from app.transparency.opendata.search import choices, parse_query, search

bp = Blueprint("opendata", __name__)

SEARCH_TOPICS = ("reports", "members", "charter")


@bp.get("/search")
@public_page(SEARCH_TOPICS)
def search_page():
    query, errors = parse_query(request.args)
    results = search(query) if not errors else None
    return render_template(
        "opendata/search.html",
        query=query,
        results=results,
        errors=errors,
        choices=choices(),
        categories=CATEGORY,
    ), (400 if errors else 200)
