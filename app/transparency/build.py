"""The annual report PDF: laid out in chunks, in parallel worker processes, then joined.

Why chunks: WeasyPrint slows down per page as a document grows and keeps every laid-out
page in memory, so one pass over a 1,000-member report takes ~40 s and >1 GB. Here the
report is cut at forced page breaks (every chunk starts on a new page, in the single-pass
HTML too, so both lay out the same pages). Each chunk is laid out on its own, in one of a
few worker processes (`spawn`ed, recycled after a number of chunks so memory stays flat),
and written to a temporary PDF. Then:

1. page numbers: the chunks' page counts give every page its absolute number and every
   element id its page (WeasyPrint's `page.anchors`), so the table of contents (the first
   chunk, laid out again once the numbers are known) prints real numbers;
2. footers ("Page 3 of 48") and the draft watermark are laid out by WeasyPrint as small
   separate documents and placed on each page as form XObjects marked as pagination
   artifacts, since a chunk cannot know the total page count when it is laid out;
3. the join (pikepdf/qpdf) keeps the PDF tagged: the chunks' structure trees are grafted
   under one /Document element, the /ParentTree is renumbered, pages and annotations get
   their new /StructParent(s) keys; links keep working because every internal link is a
   named destination (`/Dest (id)`) and the joined file gets one /Dests name tree with the
   real position of every id; the outline (bookmarks) is built from the same positions.

Everything here runs without Flask: the worker processes import only this module, WeasyPrint
and pikepdf. The caller (app.transparency.services) renders the chunks' HTML.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import ctypes
import gc
import html as html_lib
import multiprocessing
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.core.pdf import BASE_URL, static_only_fetcher

VARIANT_UA = "pdf/ua-1"
VARIANT_A = "pdf/a-3b"
VARIANTS = (VARIANT_UA, VARIANT_A)

REPORT_STYLESHEETS = ("css/print-base.css", "css/report-print.css")
OVERLAY_STYLESHEETS = ("css/report-overlay.css",)

# Chunks a worker process lays out before it is replaced by a fresh one (keeps memory flat).
TASKS_PER_WORKER = 50
PX_TO_PT = 0.75

_RENDER_LOCK = threading.RLock()
_FONT_CONFIG = None
_STYLES: dict[tuple, list] = {}


class BuildError(RuntimeError):
    """The PDF could not be assembled (a chunk failed, or the join found an inconsistency)."""


# Rendering (in whatever process runs it) ------------------------------------------------


def _release_fonts() -> None:
    """Free the cached font configuration while the interpreter is still whole (its
    destructor fails noisily when it runs during interpreter shutdown)."""
    global _FONT_CONFIG
    with _RENDER_LOCK:
        _STYLES.clear()
        _FONT_CONFIG = None


def _stylesheets(names: tuple[str, ...], extra_css: str = ""):
    """Parsed stylesheets and their font configuration, parsed once per process."""
    global _FONT_CONFIG
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
        atexit.register(_release_fonts)
    if names not in _STYLES:
        _STYLES[names] = [
            CSS(url=f"{BASE_URL}static/{name}", url_fetcher=static_only_fetcher,
                font_config=_FONT_CONFIG)
            for name in names
        ]
    sheets = list(_STYLES[names])
    if extra_css:
        key = (*names, "extra", extra_css)
        if key not in _STYLES:
            _STYLES[key] = [CSS(string=extra_css, base_url=f"{BASE_URL}static/css/",
                                url_fetcher=static_only_fetcher, font_config=_FONT_CONFIG)]
        sheets += _STYLES[key]
    return _FONT_CONFIG, sheets


def render(html: str, stylesheets: tuple[str, ...] = REPORT_STYLESHEETS, extra_css: str = ""):
    """Lay out one HTML document with the shared (cached) print stylesheets."""
    from app.core.pdf import html_document

    with _RENDER_LOCK:
        fonts, sheets = _stylesheets(stylesheets, extra_css)
        return html_document(html).render(stylesheets=sheets, font_config=fonts)


def write(document, variant: str | None) -> bytes:
    """Write a laid-out document. PDF/A-3b is tagged as well, like PDF/UA."""
    with _RENDER_LOCK:
        if variant is None:
            return document.write_pdf()
        if variant == VARIANT_A:
            # WeasyPrint 70 opens its sRGB profile for PDF/A and never closes the file.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                return document.write_pdf(pdf_variant=variant, pdf_tags=True)
        return document.write_pdf(pdf_variant=variant)


def render_pdf(html: str, variant: str | None = VARIANT_UA,
               stylesheets: tuple[str, ...] = REPORT_STYLESHEETS,
               extra_css: str = "") -> tuple[bytes, int]:
    """One document in one pass (member reports, the single-pass benchmark)."""
    document = render(html, stylesheets, extra_css)
    return write(document, variant), len(document.pages)


# Worker tasks -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkTask:
    index: int
    html: str
    variants: tuple[str, ...]
    out_dir: str


@dataclass
class ChunkResult:
    index: int
    pages: int
    # element id -> (page index in the chunk, x, y in PDF points from the bottom left)
    anchors: dict[str, tuple[int, float, float]]
    paths: dict[str, str]


def _give_back_memory() -> None:
    """Return freed memory to the system (glibc keeps it otherwise), so a worker's resident
    size stays that of one chunk rather than its largest one."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


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
                anchors[name] = (number, round(x1 * PX_TO_PT, 2),
                                 round((page.height - y1) * PX_TO_PT, 2))
    # WeasyPrint drops links to ids it cannot find; the ids of other chunks exist only in
    # the joined file. Declare them on the first page so the links are written as named
    # destinations; the join replaces every destination with its real position.
    targets = {link[1] for page in document.pages for link in page.links if link[0] == "internal"}
    if document.pages:
        for name in targets - anchors.keys():
            document.pages[0].anchors[name] = (0, 0, 0, 0)
    paths = {}
    for variant in task.variants:
        path = Path(task.out_dir) / f"chunk-{task.index:05d}-{_slug(variant)}.pdf"
        path.write_bytes(write(document, variant))
        paths[variant] = str(path)
    return ChunkResult(task.index, len(document.pages), anchors, paths)


@dataclass(frozen=True)
class OverlayTask:
    """Footers for pages `first`..`last` (absolute numbers), or the draft watermark."""

    kind: str  # "footer" or "watermark"
    out_path: str
    lang: str = "en"
    label: str = "Page {n} of {m}"
    first: int = 0
    last: int = -1
    total: int = 0
    watermark: str = ""


def layout_overlay(task: OverlayTask) -> str:
    if task.kind == "watermark":
        body = f'<p class="watermark">{html_lib.escape(task.watermark)}</p>'
    else:
        body = "".join(
            f'<p class="footer">{html_lib.escape(task.label.format(n=n, m=task.total))}</p>'
            for n in range(task.first, task.last + 1)
        )
    html = (f'<!doctype html><html lang="{html_lib.escape(task.lang)}"><head>'
            f'<meta charset="utf-8"><title>overlay</title></head><body>{body}</body></html>')
    document = render(html, OVERLAY_STYLESHEETS)
    Path(task.out_path).write_bytes(write(document, None))
    return task.out_path


@dataclass(frozen=True)
class OutlineEntry:
    level: int  # 1 = top
    title: str
    anchor: str


@dataclass(frozen=True)
class MergeTask:
    variant: str
    parts: tuple[tuple[str, int], ...]  # (chunk pdf path, page count), in order
    footers: tuple[str, ...]  # footer pdfs, covering pages 2..M in order
    watermark: str | None
    anchors: tuple[tuple[str, int, float, float], ...]  # (id, absolute page index, x, y)
    outline: tuple[OutlineEntry, ...]
    out_path: str


def merge(task: MergeTask) -> str:
    """Join chunk PDFs into one tagged PDF (see the module docstring)."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, OutlineItem, PageLocation, String

    sources = []
    base = pikepdf.open(task.parts[0][0])
    sources.append(base)
    if len(base.pages) != task.parts[0][1]:
        raise BuildError("the first chunk does not have the expected number of pages")
    tree = base.Root.StructTreeRoot
    document_elem = tree.K[0] if isinstance(tree.K, Array) else tree.K
    nums = Array(list(tree.ParentTree.Nums))
    next_key = _next_key(nums)
    shared_resources = {base.pages[0].obj.Resources.objgen: base.pages[0].obj.Resources}

    for path, expected in task.parts[1:]:
        source = pikepdf.open(path)
        sources.append(source)
        if len(source.pages) != expected:
            raise BuildError(f"{Path(path).name}: {len(source.pages)} pages, expected {expected}")
        first_new = len(base.pages)
        with warnings.catch_warnings():
            # pikepdf warns that named destinations are not carried over: the join writes
            # its own /Dests tree below.
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            base.pages.extend(source.pages)
        source_tree = source.Root.StructTreeRoot
        copied_root = base.copy_foreign(source_tree)
        source_document = copied_root.K[0] if isinstance(copied_root.K, Array) else copied_root.K
        offset = next_key
        copied_nums = copied_root.ParentTree.Nums
        for i in range(0, len(copied_nums), 2):
            value = copied_nums[i + 1]
            nums.append(int(copied_nums[i]) + offset)
            nums.append(value)
            # Marked content of margin boxes hangs off the chunk's /Document without being
            # one of its kids: point it at the joined document's element instead.
            elements = value if isinstance(value, Array) else [value]
            for element in elements:
                if isinstance(element, Dictionary) and element.get("/P") is not None \
                        and element.P.objgen == source_document.objgen:
                    element.P = document_elem
        next_key = max(next_key, _next_key(copied_nums) + offset)
        for kid in source_document.K:
            kid.P = document_elem
            document_elem.K.append(kid)
        for page in base.pages[first_new:]:
            obj = page.obj
            if "/StructParents" in obj:
                obj.StructParents = int(obj.StructParents) + offset
            for annotation in obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
            shared_resources.setdefault(obj.Resources.objgen, obj.Resources)

    tree.ParentTree = base.make_indirect(Dictionary(Nums=nums))
    tree.ParentTreeNextKey = next_key

    pages = base.pages
    total = len(pages)
    open_q = base.make_stream(b"q\n")
    close_q = base.make_stream(b"Q\n")
    watermark_stream = None
    if task.watermark:
        wm_source = pikepdf.open(task.watermark)
        sources.append(wm_source)
        wm_form = base.copy_foreign(wm_source.pages[0].as_form_xobject())
        watermark_stream = base.make_stream(
            b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC q /PactumWatermark Do Q EMC\n"
        )
        for resources in shared_resources.values():
            _xobjects(resources)[Name.PactumWatermark] = wm_form
    footer_pages = []
    for path in task.footers:
        footer_source = pikepdf.open(path)
        sources.append(footer_source)
        footer_pages.extend(footer_source.pages)
    if len(footer_pages) != total - 1:
        raise BuildError(f"{len(footer_pages)} footers for {total} pages")
    for number, page in enumerate(pages):
        obj = page.obj
        contents = [open_q]
        existing = obj.Contents
        contents.extend(existing if isinstance(existing, Array) else [existing])
        contents.append(close_q)
        if watermark_stream is not None:
            contents.append(watermark_stream)
        if number > 0:  # the cover has no footer
            name = Name(f"/PactumFooter{number + 1}")
            form = base.copy_foreign(footer_pages[number - 1].as_form_xobject())
            _xobjects(obj.Resources)[name] = form
            contents.append(base.make_stream(
                b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC q "
                + str(name).encode() + b" Do Q EMC\n"))
        obj.Contents = Array(contents)

    # One name tree with the real position of every id, sorted as name trees must be.
    names = Array()
    for anchor, page_index, x, y in sorted(task.anchors, key=lambda a: a[0].encode()):
        names.append(String(anchor))
        names.append(Array([pages[page_index].obj, Name.XYZ, x, y, 0]))
    if "/Names" not in base.Root:
        base.Root.Names = Dictionary()
    base.Root.Names.Dests = base.make_indirect(Dictionary(Names=names))

    positions = {a[0]: (a[1], a[2], a[3]) for a in task.anchors}
    if "/Outlines" in base.Root:
        del base.Root["/Outlines"]
    with base.open_outline() as outline:
        stack: list[tuple[int, list]] = [(0, outline.root)]
        for entry in task.outline:
            if entry.anchor not in positions:
                continue
            page_index, x, y = positions[entry.anchor]
            item = OutlineItem(entry.title, page_index, PageLocation.XYZ, left=x, top=y)
            while stack[-1][0] >= entry.level:
                stack.pop()
            stack[-1][1].append(item)
            stack.append((entry.level, item.children))

    base.save(task.out_path, object_stream_mode=pikepdf.ObjectStreamMode.generate,
              compress_streams=True)
    for source in sources:
        source.close()
    return task.out_path


def _next_key(nums) -> int:
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    return (max(keys) + 1) if keys else 0


def _xobjects(resources):
    from pikepdf import Dictionary, Name

    if Name.XObject not in resources:
        resources[Name.XObject] = Dictionary()
    return resources[Name.XObject]


def _slug(variant: str) -> str:
    return variant.replace("/", "-")


# Orchestration (in the process that runs the build) -----------------------------------


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


def _init_worker() -> None:
    """Warm a worker: import WeasyPrint and parse the stylesheets once."""
    _stylesheets(REPORT_STYLESHEETS)
    _stylesheets(OVERLAY_STYLESHEETS)


def make_executor(workers: int, warm: bool = True):
    """Worker processes (`spawn`ed: nothing of the app's state is inherited). `warm`
    workers load WeasyPrint and the stylesheets first; the join needs neither."""
    if workers <= 0:
        return _Inline()
    return cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker if warm else None,
        max_tasks_per_child=TASKS_PER_WORKER,
    )


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
    report = progress or (lambda percent, message: None)
    texts = {**MESSAGES, **(messages or {})}
    inline = workers <= 0 or chunk_count <= 1
    executor = make_executor(0 if inline else workers)
    in_flight = 1 if inline else 2 * workers
    with tempfile.TemporaryDirectory(prefix="pactum-report-") as tmp:
        try:
            return _build(front, chunks, chunk_count, outline, variants, lang, footer_label,
                          watermark, executor, in_flight, tmp, report, texts)
        except cf.process.BrokenProcessPool as error:
            raise BuildError("a PDF worker process stopped unexpectedly") from error
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


def _build(front, chunks, chunk_count, outline, variants, lang, footer_label, watermark,
           executor, in_flight, tmp, report, texts) -> Built:
    # 1. The body chunks, and the front once with placeholder numbers to learn its length.
    report(2, texts["layout"])
    probe = executor.submit(layout_chunk, ChunkTask(0, front(None), (), tmp))
    results: dict[int, ChunkResult] = {}
    pending: dict[cf.Future, int] = {}
    done_count = 0

    def collect():
        nonlocal done_count
        finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
        for future in finished:
            pending.pop(future)
            result = future.result()
            results[result.index] = result
            done_count += 1
            report(5 + int(80 * done_count / max(chunk_count, 1)),
                   texts["laid_out"] % {"done": done_count, "total": chunk_count})

    index = 0
    for index, html in enumerate(_iterate(chunks), start=1):
        while len(pending) >= in_flight:
            collect()
        pending[executor.submit(layout_chunk, ChunkTask(index, html, variants, tmp))] = index
    while pending:
        collect()
    if index != chunk_count:
        raise BuildError(f"expected {chunk_count} parts, got {index}")
    front_pages = probe.result().pages

    # 2. Absolute page numbers, then the front with real numbers, footers and watermark.
    starts, page = {}, front_pages
    for i in range(1, chunk_count + 1):
        starts[i] = page
        page += results[i].pages
    total = page
    page_of: dict[str, int] = {}
    positions: list[tuple[str, int, float, float]] = []
    for i in range(1, chunk_count + 1):
        for anchor, (number, x, y) in results[i].anchors.items():
            if anchor not in page_of:
                page_of[anchor] = starts[i] + number + 1
                positions.append((anchor, starts[i] + number, x, y))
    report(86, texts["numbering"])
    final_front = None
    for _attempt in range(3):
        final_front = executor.submit(
            layout_chunk, ChunkTask(0, front(page_of), variants, tmp)).result()
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

    overlay_futures = []
    span = max(1, -(-(total - 1) // 2))
    for first in range(2, total + 1, span):
        last = min(total, first + span - 1)
        overlay_futures.append(executor.submit(layout_overlay, OverlayTask(
            "footer", str(Path(tmp) / f"footer-{first:06d}.pdf"), lang, footer_label,
            first, last, total)))
    watermark_path = None
    if watermark:
        watermark_path = executor.submit(layout_overlay, OverlayTask(
            "watermark", str(Path(tmp) / "watermark.pdf"), lang, watermark=watermark)).result()
    footers = tuple(f.result() for f in overlay_futures)

    # 3. Join, one file per variant. The join holds the whole document in memory (qpdf),
    # so the layout workers are stopped first and the joins run one after the other in a
    # single fresh process: peak memory is this process plus one join.
    report(92, texts["joining"])
    parallel = not isinstance(executor, _Inline)
    executor.shutdown(wait=True)
    joiner = make_executor(1, warm=False) if parallel else executor
    pdfs = {}
    try:
        for variant in variants:
            parts = ((final_front.paths[variant], final_front.pages),) + tuple(
                (results[i].paths[variant], results[i].pages) for i in range(1, chunk_count + 1))
            path = joiner.submit(merge, MergeTask(
                variant, parts, footers, watermark_path, tuple(positions), tuple(outline),
                str(Path(tmp) / f"report-{_slug(variant)}.pdf"))).result()
            pdfs[variant] = Path(path).read_bytes()
    finally:
        joiner.shutdown(wait=True)
    report(99, texts["storing"])
    return Built(pdfs=pdfs, pages=total, page_of=page_of, chunks=chunk_count + 1)


def _iterate(chunks: Iterable[str]) -> Iterator[str]:
    yield from chunks
