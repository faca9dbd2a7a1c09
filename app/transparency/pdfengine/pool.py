"""The build, in the process that runs it: the chunks handed to worker processes as they
come, page numbers once their lengths are known, the front (cover and contents) laid out
again with them, footers and watermark, then the join.

Worker processes are `spawn`ed (nothing of the app's state is inherited) and all replaced
once each has run about TASKS_PER_WORKER tasks, so their memory cannot pile up.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.transparency.pdfengine.fragments import (
    COUNTERS,
    FIRST_FREE,
    WATERMARK_FORM,
    LocalValue,
)
from app.transparency.pdfengine.join import OutlineEntry, Position, assemble
from app.transparency.pdfengine.layout import VARIANT_UA, BuildError, slug
from app.transparency.pdfengine.worker import (
    ChunkResult,
    ChunkTask,
    OverlayTask,
    init_worker,
    layout_chunk,
    layout_overlay,
)

# Tasks a worker process runs before it is replaced by a fresh one (keeps memory flat).
TASKS_PER_WORKER = 25
# Footers laid out by one task at most (one small WeasyPrint document of that many pages).
FOOTERS_PER_TASK = 100


class _Inline:
    """An executor that runs each task at once, in this process (small reports, tests)."""

    def submit(self, fn, *args):
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args))
        except BaseException as error:  # noqa: BLE001 - handed to the caller via the future
            future.set_exception(error)
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        return None


class _Recycling:
    """Worker processes that are all replaced, between two tasks, once each has run about
    TASKS_PER_WORKER tasks, so their memory cannot pile up (WeasyPrint's caches grow with
    every document). The old workers finish their tasks before new ones start, so there
    are never more than `workers` of them. (ProcessPoolExecutor's own max_tasks_per_child
    can hang in Python 3.11 when a worker leaves while tasks wait in the queue.)"""

    def __init__(self, workers: int, initargs: tuple):
        self.workers = workers
        self.initargs = initargs
        self.budget = workers * max(1, TASKS_PER_WORKER)
        self.executor: cf.ProcessPoolExecutor | None = None
        self.used = 0
        self.running: list[cf.Future] = []

    def submit(self, fn, *args):
        if self.executor is None or self.used >= self.budget:
            self._replace()
        self.used += 1
        future = self.executor.submit(fn, *args)
        self.running = [f for f in self.running if not f.done()] + [future]
        return future

    def _replace(self) -> None:
        if self.executor is not None:
            cf.wait(self.running)
            self.executor.shutdown(wait=True)
        self.running = []
        self.used = 0
        self.executor = cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=self.initargs,
        )

    def shutdown(self, wait=True, cancel_futures=False):
        if self.executor is not None:
            self.executor.shutdown(wait=wait, cancel_futures=cancel_futures)


def make_executor(workers: int, build_id: str | None = None, counters: dict | None = None):
    """Worker processes (`spawn`ed: nothing of the app's state is inherited), replaced after
    TASKS_PER_WORKER tasks each; with `workers` 0, this process."""
    if workers <= 0:
        return _Inline()
    return _Recycling(workers, (build_id, counters))


@dataclass
class Built:
    pdfs: dict[str, bytes]
    pages: int
    # element id -> absolute page number (1-based)
    page_of: dict[str, int] = field(default_factory=dict)
    chunks: int = 0


Progress = Callable[[int, str], None]

# Progress messages; the caller passes them translated.
MESSAGES = {
    "layout": "Laying out the pages",
    "laid_out": "Laid out %(done)s of %(total)s parts",
    "numbering": "Numbering the pages",
    "joining": "Joining the parts",
    "storing": "Storing the PDF",
}


def build_report(
    front: Callable[[dict[str, int] | None], str],
    chunks: Iterable[str],
    chunk_count: int,
    *,
    outline: list[OutlineEntry],
    variants: tuple[str, ...] = (VARIANT_UA,),
    lang: str = "en",
    footer_label: str = "Page {n} of {m}",
    watermark: str | None = None,
    workers: int = 2,
    progress: Progress | None = None,
    messages: dict[str, str] | None = None,
) -> Built:
    """Lay out `front` (cover and contents) and the `chunks`, number and join them.

    `front(page_of)` returns the first chunk's HTML: with `None` it may print placeholder
    numbers (it is laid out once to learn its length), with the map of ids to page numbers
    it prints the real ones. `chunks` may be a generator: it is consumed while the workers
    lay out the chunks already handed to them.
    """
    inline = workers <= 0 or chunk_count <= 1
    build_id = uuid.uuid4().hex
    if inline:
        counters = {v: (LocalValue(FIRST_FREE), LocalValue(0)) for v in variants}
    else:
        context = multiprocessing.get_context("spawn")
        counters = {v: (context.Value("q", FIRST_FREE), context.Value("q", 0)) for v in variants}
    COUNTERS[build_id] = counters
    executor = make_executor(0 if inline else workers, build_id, counters)
    with tempfile.TemporaryDirectory(prefix="pactum-report-") as tmp:
        run = _Run(
            front=front,
            chunk_count=chunk_count,
            outline=outline,
            variants=variants,
            lang=lang,
            footer_label=footer_label,
            watermark=watermark,
            executor=executor,
            in_flight=1 if inline else 2 * workers,
            tmp=tmp,
            report=progress or (lambda percent, message: None),
            texts={**MESSAGES, **(messages or {})},
            build_id=build_id,
        )
        try:
            return run.build(chunks)
        except cf.process.BrokenProcessPool as error:
            raise BuildError("a PDF worker process stopped unexpectedly") from error
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
            COUNTERS.pop(build_id, None)


@dataclass
class _Numbered:
    """The laid-out parts in page order (the front first) and where every id is printed."""

    ordered: list[ChunkResult]
    total: int
    page_of: dict[str, int]
    positions: list[Position]


@dataclass
class _Run:
    """One build under way: what it makes, and the executor and folder it works with."""

    front: Callable[[dict[str, int] | None], str]
    chunk_count: int
    outline: list[OutlineEntry]
    variants: tuple[str, ...]
    lang: str
    footer_label: str
    watermark: str | None
    executor: object
    in_flight: int
    tmp: str
    report: Progress
    texts: dict[str, str]
    build_id: str

    def build(self, chunks: Iterable[str]) -> Built:
        # 1. The body chunks, and the front once with placeholder numbers to learn its length.
        self.report(2, self.texts["layout"])
        probe = self._lay_out(0, self.front(None), ())
        results = self._lay_out_body(chunks)
        # 2. Absolute page numbers, then the front with real numbers, footers and watermark.
        numbered = self._number(probe.result().pages, results)
        overlays = self._overlays(numbered)
        # 3. Join, one file per variant, streaming the fragments into the file (in this
        # process: the workers are no longer needed).
        self.report(92, self.texts["joining"])
        self.executor.shutdown(wait=True)
        pdfs = {variant: self._join(variant, numbered, overlays) for variant in self.variants}
        self.report(99, self.texts["storing"])
        return Built(
            pdfs=pdfs,
            pages=numbered.total,
            page_of=numbered.page_of,
            chunks=self.chunk_count + 1,
        )

    def _lay_out(self, index: int, html: str, variants: tuple[str, ...] | None = None):
        """Lay out a chunk (0: the front) as a fragment of each variant (none: only to learn
        its length)."""
        variants = self.variants if variants is None else variants
        task = ChunkTask(index, html, variants, self.tmp, self.build_id, bool(self.watermark))
        return self.executor.submit(layout_chunk, task)

    def _lay_out_body(self, chunks: Iterable[str]) -> dict[int, ChunkResult]:
        results: dict[int, ChunkResult] = {}
        pending: dict[cf.Future, int] = {}

        def collect() -> None:
            finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            for future in finished:
                pending.pop(future)
                result = future.result()
                results[result.index] = result
                self.report(
                    5 + int(80 * len(results) / max(self.chunk_count, 1)),
                    self.texts["laid_out"] % {"done": len(results), "total": self.chunk_count},
                )

        index = 0
        for index, html in enumerate(_iterate(chunks), start=1):
            while len(pending) >= self.in_flight:
                collect()
            pending[self._lay_out(index, html)] = index
        while pending:
            collect()
        if index != self.chunk_count:
            raise BuildError(f"expected {self.chunk_count} parts, got {index}")
        return results

    def _number(self, front_pages: int, results: dict[int, ChunkResult]) -> _Numbered:
        starts, page = {}, front_pages
        for i in range(1, self.chunk_count + 1):
            starts[i] = page
            page += results[i].pages
        total = page
        page_of: dict[str, int] = {}
        positions: list[Position] = []
        for i in range(1, self.chunk_count + 1):
            for anchor, (number, x, y) in results[i].anchors.items():
                if anchor not in page_of:
                    page_of[anchor] = starts[i] + number + 1
                    positions.append((anchor, starts[i] + number, x, y))
        self.report(86, self.texts["numbering"])
        final_front = None
        for _attempt in range(3):
            final_front = self._lay_out(0, self.front(page_of)).result()
            if final_front.pages == front_pages:
                break
            # The contents grew by a page: every number after it moves; lay it out again.
            shift = final_front.pages - front_pages
            front_pages = final_front.pages
            total += shift
            page_of = {k: v + shift for k, v in page_of.items()}
            positions = [(a, p + shift, x, y) for a, p, x, y in positions]
        else:
            raise BuildError("the table of contents does not settle on a length")
        for anchor, (number, x, y) in final_front.anchors.items():
            if anchor not in page_of:
                page_of[anchor] = number + 1
                positions.append((anchor, number, x, y))
        ordered = [final_front] + [results[i] for i in range(1, self.chunk_count + 1)]
        if sum(r.pages for r in ordered) != total:
            raise BuildError("the parts do not add up to the page count")
        return _Numbered(ordered, total, page_of, positions)

    def _overlays(self, numbered: _Numbered) -> list[dict]:
        """Footers of pages 2..M (the cover has none), in pieces laid out side by side; a
        piece is at most FOOTERS_PER_TASK pages, so its memory does not grow with the
        report. And the watermark of a draft."""
        total = numbered.total
        slots = {
            v: [s for r in numbered.ordered for s in r.fragments[v].slots] for v in self.variants
        }
        futures = []
        span = max(1, min(FOOTERS_PER_TASK, -(-(total - 1) // 2)))
        for first in range(2, total + 1, span):
            last = min(total, first + span - 1)
            pieces = tuple((v, tuple(slots[v][first - 1 : last])) for v in self.variants)
            task = OverlayTask(
                "footer",
                self.tmp,
                self.build_id,
                pieces,
                self.lang,
                self.footer_label,
                first,
                last,
                total,
            )
            futures.append(self.executor.submit(layout_overlay, task))
        if self.watermark:
            forms = tuple((v, (WATERMARK_FORM,)) for v in self.variants)
            task = OverlayTask(
                "watermark", self.tmp, self.build_id, forms, self.lang, watermark=self.watermark
            )
            futures.append(self.executor.submit(layout_overlay, task))
        return [future.result() for future in futures]

    def _join(self, variant: str, numbered: _Numbered, overlays: list[dict]) -> bytes:
        path = Path(self.tmp) / f"report-{slug(variant)}.pdf"
        assemble(
            str(path),
            [r.fragments[variant] for r in numbered.ordered],
            [o[variant] for o in overlays],
            COUNTERS[self.build_id][variant],
            numbered.positions,
            self.outline,
            bool(self.watermark),
        )
        return path.read_bytes()


def _iterate(chunks: Iterable[str]) -> Iterator[str]:
    yield from chunks
