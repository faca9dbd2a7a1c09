"""Evidence files: small PDFs, CSVs and notes, content-addressed (`stored_files`); the pool
reports attach their evidence from (`g.file_pool`)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator

from bench.generate.common import timestamp
from bench.generate.loader import Loader
from bench.generate.state import Alliance


def _body(i: int, rng: random.Random) -> tuple[bytes, str, str]:
    """File number `i`'s (content, content type, file name): a PDF, a CSV or a note in turn."""
    kind = i % 3
    if kind == 0:
        body = (
            f"%PDF-1.4\n% bench evidence {i}\n1 0 obj << /Type /Catalog >> endobj\n"
            + "x" * rng.randrange(200, 2000)
            + "\n%%EOF\n"
        ).encode()
        return body, "application/pdf", f"policy-{i}.pdf"
    if kind == 1:
        body = (
            "metric,value\n"
            + "\n".join(f"m{j},{rng.randrange(1000)}" for j in range(rng.randrange(5, 60)))
        ).encode()
        return body, "text/csv", f"figures-{i}.csv"
    body = (f"Evidence note {i}\n" + "Lorem ipsum dolor sit amet. " * rng.randrange(3, 40)).encode()
    return body, "text/plain", f"note-{i}.txt"


def _rows(g: Alliance) -> Iterator[tuple]:
    for i in range(g.sizes.files):
        body, ctype, name = _body(i, g.rng)
        digest = hashlib.sha256(body).hexdigest()
        g.file_pool.append((digest, name, ctype, len(body)))
        yield (digest, len(body), ctype, timestamp(g.founded, g.rng), body)


def load(g: Alliance, loader: Loader) -> None:
    loader.load("stored_files", ["sha256", "size", "content_type", "created_at", "data"], _rows(g))
