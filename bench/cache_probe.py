"""The real app plus two trivial routes, to measure the page cache's hit path on its own:
`/_bench/cached` goes through `@public_page` (after the first request: the shared cache, no
database, no session loading, no Jinja), `/_bench/plain` is the same route without it (the
cost of the app's own request handling: extensions, security headers).

Served only by the benchmark (`gunicorn bench.cache_probe:app`); production serves `wsgi:app`.
"""

from app import create_app
from app.core.http_cache import public_page

app = create_app()


@app.get("/_bench/cached")
@public_page(topic="bench", max_age=60)
def cached():
    return "Hello, World!"


@app.get("/_bench/plain")
def plain():
    return "Hello, World!"
