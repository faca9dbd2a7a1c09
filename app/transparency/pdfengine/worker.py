"""What a worker process runs: lay out one chunk (or the footers, or the watermark) and
write it as a fragment of the joined PDF.

The worker processes are `spawn`ed and import this module, which imports only the engine
(`app.transparency.pdfengine`), `app.core.pdf`, WeasyPrint and pikepdf: not Flask, not the
extensions, not the app factory (tests/transparency/test_build_engine.py checks it).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import html as html_lib
from dataclasses import dataclass
from pathlib import Path

from app.transparency.pdfengine.fragments import (
    COUNTERS,
    Fragment,
    counters_of,
    fragment_of,
    overlay_fragment,
)
from app.transparency.pdfengine.layout import (
    OVERLAY_STYLESHEETS,
    REPORT_STYLESHEETS,
    load_stylesheets,
    render,
    slug,
    write,
)

PX_TO_PT = 0.75


def init_worker(build_id: str | None = None, counters: dict | None = None) -> None:
    """Warm a worker: import WeasyPrint and parse the stylesheets once; learn the build's
    object number counters."""
    if build_id is not None:
        COUNTERS[build_id] = counters
    load_stylesheets(REPORT_STYLESHEETS)
    load_stylesheets(OVERLAY_STYLESHEETS)


def _give_back_memory() -> None:
    """Return freed memory to the system (glibc keeps it otherwise), so a worker's resident
    size stays that of one chunk rather than its largest one."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@dataclass(frozen=True)
class ChunkTask:
    index: int
    html: str
    variants: tuple[str, ...]
    out_dir: str
    build: str = ""
    watermark: bool = False


@dataclass
class ChunkResult:
    index: int
    pages: int
    # element id -> (page index in the chunk, x, y in PDF points from the bottom left)
    anchors: dict[str, tuple[int, float, float]]
    fragments: dict[str, Fragment]


def layout_chunk(task: ChunkTask) -> ChunkResult:
    try:
        return _layout_chunk(task)
    finally:
        _give_back_memory()


def _layout_chunk(task: ChunkTask) -> ChunkResult:
    document = render(task.html)
    anchors: dict[str, tuple[int, float, float]] = {}
    for number, page in enumerate(document.pages):
        for name, (x1, y1, _x2, _y2) in page.anchors.items():
            if name not in anchors:
                anchors[name] = (
                    number,
                    round(x1 * PX_TO_PT, 2),
                    round((page.height - y1) * PX_TO_PT, 2),
                )
    # WeasyPrint drops links to ids it cannot find; the ids of other chunks exist only in
    # the joined file. Declare them on the first page so the links are written as named
    # destinations; the joined file's /Dests tree gives every name its real position.
    targets = {link[1] for page in document.pages for link in page.links if link[0] == "internal"}
    if document.pages:
        for name in targets - anchors.keys():
            document.pages[0].anchors[name] = (0, 0, 0, 0)
    fragments = {}
    for variant in task.variants:
        data = write(document, variant)
        path = Path(task.out_dir) / f"chunk-{task.index:05d}-{slug(variant)}.frag"
        fragments[variant] = fragment_of(
            data,
            str(path),
            counters_of(task.build, variant),
            front=task.index == 0,
            watermark=task.watermark,
        )
    return ChunkResult(task.index, len(document.pages), anchors, fragments)


@dataclass(frozen=True)
class OverlayTask:
    """Footers for pages `first`..`last` (absolute numbers), or the draft watermark, as form
    XObjects with the object numbers `slots[variant]`."""

    kind: str  # "footer" or "watermark"
    out_dir: str
    build: str
    slots: tuple[tuple[str, tuple[int, ...]], ...]
    lang: str = "en"
    label: str = "Page {n} of {m}"
    first: int = 0
    last: int = -1
    total: int = 0
    watermark: str = ""


def layout_overlay(task: OverlayTask) -> dict[str, Fragment]:
    try:
        return _layout_overlay(task)
    finally:
        _give_back_memory()


def _layout_overlay(task: OverlayTask) -> dict[str, Fragment]:
    if task.kind == "watermark":
        body = f'<p class="watermark">{html_lib.escape(task.watermark)}</p>'
    else:
        body = "".join(
            f'<p class="footer">{html_lib.escape(task.label.format(n=n, m=task.total))}</p>'
            for n in range(task.first, task.last + 1)
        )
    html = (
        f'<!doctype html><html lang="{html_lib.escape(task.lang)}"><head>'
        f'<meta charset="utf-8"><title>overlay</title></head><body>{body}</body></html>'
    )
    data = write(render(html, OVERLAY_STYLESHEETS), None)
    out = {}
    for variant, numbers in task.slots:
        path = Path(task.out_dir) / f"{task.kind}-{task.first:06d}-{slug(variant)}.frag"
        out[variant] = overlay_fragment(data, str(path), counters_of(task.build, variant), numbers)
    return out
