"""The annual report PDF: laid out in chunks, in parallel worker processes, then joined.

Why chunks: WeasyPrint slows down per page as a document grows and keeps every laid-out
page in memory, so one pass over a 1,000-member report takes ~40 s and >1 GB. Here the
report is cut at forced page breaks (every chunk starts on a new page, in the single-pass
HTML too, so both lay out the same pages). Each chunk is laid out on its own, in one of a
few worker processes (`spawn`ed, replaced after TASKS_PER_WORKER chunks so their memory
cannot pile up). Then:

1. page numbers: the chunks' page counts give every page its absolute number and every
   element id its page (WeasyPrint's `page.anchors`), so the table of contents (the first
   chunk, laid out again once the numbers are known) prints real numbers;
2. footers ("Page 3 of 48") and the draft watermark are laid out by WeasyPrint as small
   separate documents and drawn on each page as form XObjects marked as pagination
   artifacts, since a chunk cannot know the total page count when it is laid out;
3. the join streams: the worker that lays out a chunk also turns its tagged PDF into a
   *fragment* (`_fragment`): every object it needs renumbered into a range of object
   numbers from a counter all workers of the build share, small objects packed into
   compressed object streams, written to a temporary file. The chunk's structure elements
   hang off the joined /Document element (a number reserved up front, like the page tree,
   the catalog and the other document-wide objects), its /ParentTree keys move to a range
   of their own and become one node of the joined parent tree, its pages get the footer
   slot and watermark. `assemble` then only copies the fragments into the output file one
   after the other and writes the document-wide objects and a cross-reference stream: it
   never parses a page, so its memory does not grow with the report (a few bytes per
   object for the cross-reference table), nor does any worker's (one chunk at a time).
   Links keep working because every internal link is a named destination (`/Dest (id)`)
   and the joined file gets one /Dests name tree with the real position of every id; the
   outline (bookmarks) and the page labels are built from the same positions.

Everything here runs without Flask: the worker processes import only this module, WeasyPrint
and pikepdf. The caller (app.transparency.services) renders the chunks' HTML.
"""

from __future__ import annotations

import atexit
import bisect
import collections
import concurrent.futures as cf
import contextlib
import ctypes
import gc
import hashlib
import html as html_lib
import io
import multiprocessing
import re
import shutil
import struct
import tempfile
import threading
import uuid
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.core.pdf import BASE_URL, static_only_fetcher

VARIANT_UA = "pdf/ua-1"
VARIANT_A = "pdf/a-3b"
VARIANTS = (VARIANT_UA, VARIANT_A)

REPORT_STYLESHEETS = ("css/print-base.css", "css/report-print.css")
OVERLAY_STYLESHEETS = ("css/report-overlay.css",)

# Tasks a worker process runs before it is replaced by a fresh one (keeps memory flat).
TASKS_PER_WORKER = 25
# Footers laid out by one task at most (one small WeasyPrint document of that many pages).
FOOTERS_PER_TASK = 100
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
            CSS(
                url=f"{BASE_URL}static/{name}",
                url_fetcher=static_only_fetcher,
                font_config=_FONT_CONFIG,
            )
            for name in names
        ]
    sheets = list(_STYLES[names])
    if extra_css:
        key = (*names, "extra", extra_css)
        if key not in _STYLES:
            _STYLES[key] = [
                CSS(
                    string=extra_css,
                    base_url=f"{BASE_URL}static/css/",
                    url_fetcher=static_only_fetcher,
                    font_config=_FONT_CONFIG,
                )
            ]
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


def render_pdf(
    html: str,
    variant: str | None = VARIANT_UA,
    stylesheets: tuple[str, ...] = REPORT_STYLESHEETS,
    extra_css: str = "",
) -> tuple[bytes, int]:
    """One document in one pass (member reports, the single-pass benchmark)."""
    document = render(html, stylesheets, extra_css)
    return write(document, variant), len(document.pages)


# Worker tasks -------------------------------------------------------------------------
#
# Every part is written as a *fragment* (see `_emit`): its objects renumbered into a range
# of object numbers taken from a counter that all worker processes of one build share,
# the small ones packed into compressed object streams, in a file of its own. Joining is
# then copying the fragments one after the other and writing the few objects that span the
# whole document (page tree, structure tree root, parent tree root, destinations, outline)
# and a cross-reference stream: the join holds neither pages nor structure elements, so
# its memory does not grow with the report (a few bytes per object for the xref).

# Object numbers of the joined file that every part may refer to before they exist.
CATALOG, PAGES, STRUCT_ROOT, DOCUMENT, PARENT_TREE, OUTLINES, DESTS = range(1, 8)
Q_OPEN, Q_CLOSE, WATERMARK_CALL, FOOTER_CALL, WATERMARK_FORM = range(8, 13)
FIRST_FREE = 13
OBJSTM_SIZE = 200  # objects per object stream
# A literal string (qpdf escapes its parentheses) or an indirect reference.
_REF = re.compile(rb"\((?:[^\\()]|\\.)*\)|(\d+) (\d+) R", re.S)
_XREF = struct.Struct("<IBQH")  # object number, type (1 offset, 2 in object stream), field 2, 3
_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


class _LocalValue:
    """The in-process stand-in for a `multiprocessing.Value` (inline builds)."""

    def __init__(self, value: int):
        self.value = value
        self._lock = threading.Lock()

    def get_lock(self):
        return self._lock


def _take(counter, count: int) -> int:
    """Reserve `count` consecutive numbers; returns the first."""
    with counter.get_lock():
        start = counter.value
        counter.value = start + count
        return start


# build id -> variant -> (object number counter, parent tree key counter)
_COUNTERS: dict[str, dict[str, tuple]] = {}


def _counters(build_id: str, variant: str) -> tuple:
    try:
        return _COUNTERS[build_id][variant]
    except KeyError as error:
        raise BuildError(f"no object numbers for build {build_id} {variant}") from error


@dataclass
class Fragment:
    """A part of the joined PDF: objects with their final numbers, in `path`."""

    path: str
    xref: bytes  # _XREF records; type 1 offsets are relative to the fragment's start
    pages: list[int] = field(default_factory=list)  # page objects, in order
    kids: list[bytes] = field(default_factory=list)  # top-level structure elements
    tree: tuple[int, int, int] | None = None  # parent tree node: first key, last key, object
    slots: list[int | None] = field(default_factory=list)  # footer form of each page
    info: int | None = None


def _emit(
    pdf, roots: list, fixed: dict, external: set, counter, out_path: str, late: list | None = None
) -> tuple[dict, bytes]:
    """Write every object reachable from `roots` into a fragment file.

    `fixed` maps objects to numbers decided elsewhere (the document-wide ones); objects in
    `external` are written by someone else (only their numbers are used); `late` objects
    get a number after the others (footer slots) and are not written either. Everything
    else gets a number from `counter`. Returns the numbers and the xref records."""
    from pikepdf import Stream

    order: list = []
    bodies: dict = {}
    seen = set(external)
    late = late or []
    seen.update(obj.objgen for obj in late)
    queue = collections.deque()

    def scan(body: bytes) -> None:
        for match in _REF.finditer(body):
            if match.group(1) is not None:
                ref = (int(match.group(1)), int(match.group(2)))
                if ref not in seen:
                    queue.append(pdf.get_object(ref))

    for obj in roots:
        if obj.is_indirect:
            queue.append(obj)
        else:
            scan(obj.unparse())
    while queue:
        obj = queue.popleft()
        key = obj.objgen
        if key in seen:
            continue
        seen.add(key)
        if isinstance(obj, Stream):
            raw = obj.read_raw_bytes()
            obj.stream_dict.Length = len(raw)
            body = obj.stream_dict.unparse()
        else:
            raw, body = None, obj.unparse(resolved=True)
        order.append(key)
        bodies[key] = (body, raw)
        scan(body)

    numbers = dict(fixed)
    fresh = [key for key in order if key not in numbers]
    plain = [key for key in order if bodies[key][1] is None]
    streams = [key for key in order if bodies[key][1] is not None]
    object_streams = -(-len(plain) // OBJSTM_SIZE)
    base = _take(counter, len(fresh) + len(late) + object_streams)
    for i, key in enumerate(fresh):
        numbers[key] = base + i
    base += len(fresh)
    for i, obj in enumerate(late):
        numbers[obj.objgen] = base + i
    base += len(late)

    def renumber(match):
        if match.group(1) is None:
            return match.group(0)
        number = numbers.get((int(match.group(1)), int(match.group(2))))
        return b"null" if number is None else b"%d 0 R" % number

    xref = bytearray()
    with open(out_path, "wb") as out:
        for key in streams:
            body, raw = bodies.pop(key)
            number = numbers[key]
            xref += _XREF.pack(number, 1, out.tell(), 0)
            out.write(b"%d 0 obj\n%s\nstream\n" % (number, _REF.sub(renumber, body)))
            out.write(raw)
            out.write(b"\nendstream\nendobj\n")
        for i in range(object_streams):
            group = plain[i * OBJSTM_SIZE : (i + 1) * OBJSTM_SIZE]
            _write_object_stream(
                out,
                base + i,
                [(numbers[key], _REF.sub(renumber, bodies.pop(key)[0])) for key in group],
                xref,
                0,
            )
    return numbers, bytes(xref)


def _write_object_stream(
    out, number: int, items: list[tuple[int, bytes]], xref: bytearray, offset: int
) -> None:
    """Objects packed into one compressed object stream (`offset`: where `out` starts)."""
    heads, position = [], 0
    for index, (member, body) in enumerate(items):
        heads.append(b"%d %d" % (member, position))
        position += len(body) + 1
        xref += _XREF.pack(member, 2, number, index)
    head = b" ".join(heads) + b"\n"
    data = zlib.compress(head + b"\n".join(body for _n, body in items) + b"\n", 6)
    xref += _XREF.pack(number, 1, offset + out.tell(), 0)
    out.write(
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
        b"stream\n" % (number, len(items), len(head), len(data))
    )
    out.write(data)
    out.write(b"\nendstream\nendobj\n")


def _fragment(
    data: bytes, out_path: str, counters: tuple, *, front: bool, watermark: bool
) -> Fragment:
    """A laid-out part (a tagged PDF from WeasyPrint) as a fragment of the joined PDF:

    its structure elements hang off the joined /Document, its parent tree keys move to a
    range of their own (a node of the joined parent tree), its pages belong to the joined
    page tree and draw the footer (a form XObject in a slot numbered here, written once the
    page count is known) and the watermark. The front (cover and contents) also gives the
    catalog, with its metadata, language and output intents, and the document info."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    objects, keys_counter = counters
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        tree = root.StructTreeRoot
        document = tree.K[0] if isinstance(tree.K, Array) else tree.K
        fixed = {root.Pages.objgen: PAGES, tree.objgen: STRUCT_ROOT, document.objgen: DOCUMENT}
        external = set(fixed)

        def reserved(number: int):
            obj = pdf.make_indirect(Dictionary(PactumReserved=number))
            fixed[obj.objgen] = number
            external.add(obj.objgen)
            return obj

        nums = tree.ParentTree.Nums
        pairs = sorted(
            ((int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)), key=lambda pair: pair[0]
        )
        key_base = _take(keys_counter, pairs[-1][0] + 1) if pairs else 0
        node = None
        if pairs:
            entries = Array()
            for key, value in pairs:
                entries.append(key + key_base)
                entries.append(value)
            node = pdf.make_indirect(
                Dictionary(
                    Limits=Array([pairs[0][0] + key_base, pairs[-1][0] + key_base]), Nums=entries
                )
            )

        q_open, q_close, footer_call = reserved(Q_OPEN), reserved(Q_CLOSE), reserved(FOOTER_CALL)
        watermark_call = reserved(WATERMARK_CALL) if watermark else None
        watermark_form = reserved(WATERMARK_FORM) if watermark else None
        slots = []
        for number, page in enumerate(pdf.pages):
            obj = page.obj
            if "/StructParents" in obj:
                obj.StructParents = int(obj.StructParents) + key_base
            for annotation in obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + key_base
            existing = obj.Contents
            contents = [q_open, *(existing if isinstance(existing, Array) else [existing]), q_close]
            # Each page gets its own resources: the same names draw a different footer.
            old = obj.get("/Resources", Dictionary())
            resources = Dictionary({k: v for k, v in old.items() if k != "/XObject"})
            xobjects = Dictionary(dict(old.get("/XObject", Dictionary()).items()))
            if watermark:
                contents.append(watermark_call)
                xobjects.PactumWatermark = watermark_form
            if front and number == 0:  # the cover has no footer
                slots.append(None)
            else:
                slot = pdf.make_indirect(Dictionary(PactumSlot=number))
                slots.append(slot)
                contents.append(footer_call)
                xobjects.PactumFooter = slot
            resources.XObject = xobjects
            obj.Resources = resources
            obj.Contents = Array(contents)

        kids = list(document.K) if isinstance(document.K, Array) else [document.K]
        roots = [page.obj for page in pdf.pages] + kids + ([node] if node is not None else [])
        info = None
        if front:
            root.Names = Dictionary(Dests=reserved(DESTS))
            root.Outlines = reserved(OUTLINES)
            root.PageMode = Name.UseOutlines
            # Viewers show the printed numbers: the cover is page 1.
            root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))
            fixed[root.objgen] = CATALOG
            roots.insert(0, root)
            if "/Info" in pdf.trailer:
                info = pdf.trailer.Info
                if not info.is_indirect:
                    info = pdf.make_indirect(info)
                roots.append(info)
        late = [slot for slot in slots if slot is not None]
        numbers, xref = _emit(pdf, roots, fixed, external, objects, out_path, late)

        def ref(obj) -> bytes:
            if obj.is_indirect:
                return b"%d 0 R" % numbers[obj.objgen]
            return _REF.sub(
                lambda m: (
                    m.group(0)
                    if m.group(1) is None
                    else b"%d 0 R" % numbers[(int(m.group(1)), int(m.group(2)))]
                ),
                obj.unparse(),
            )

        return Fragment(
            path=out_path,
            xref=xref,
            pages=[numbers[page.obj.objgen] for page in pdf.pages],
            kids=[ref(kid) for kid in kids],
            tree=(pairs[0][0] + key_base, pairs[-1][0] + key_base, numbers[node.objgen])
            if node is not None
            else None,
            slots=[numbers[slot.objgen] if slot is not None else None for slot in slots],
            info=numbers[info.objgen] if info is not None else None,
        )


def _overlay_fragment(
    data: bytes, out_path: str, counters: tuple, numbers: tuple[int, ...]
) -> Fragment:
    """Each page of an overlay PDF as a form XObject numbered `numbers[i]`."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if len(pdf.pages) != len(numbers):
            raise BuildError(f"{len(pdf.pages)} overlay pages for {len(numbers)} slots")
        forms = []
        for page in pdf.pages:
            form = page.as_form_xobject()
            forms.append(form if form.is_indirect else pdf.make_indirect(form))
        fixed = {form.objgen: number for form, number in zip(forms, numbers, strict=True)}
        _numbers, xref = _emit(pdf, forms, fixed, set(), counters[0], out_path)
    return Fragment(path=out_path, xref=xref)


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
        path = Path(task.out_dir) / f"chunk-{task.index:05d}-{_slug(variant)}.frag"
        fragments[variant] = _fragment(
            data,
            str(path),
            _counters(task.build, variant),
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
        path = Path(task.out_dir) / f"{task.kind}-{task.first:06d}-{_slug(variant)}.frag"
        out[variant] = _overlay_fragment(data, str(path), _counters(task.build, variant), numbers)
    return out


@dataclass(frozen=True)
class OutlineEntry:
    level: int  # 1 = top
    title: str
    anchor: str


# The join (in the process that runs the build) ------------------------------------------


def _pdf_string(text: str) -> bytes:
    if text.isascii() and text.isprintable():
        return (
            b"("
            + text.encode().replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            + b")"
        )
    return b"<feff" + text.encode("utf-16-be").hex().encode() + b">"


def _number(value: float) -> bytes:
    return (f"{value:.2f}".rstrip("0").rstrip(".") or "0").encode()


def assemble(
    out_path: str,
    parts: list[Fragment],
    overlays: list[Fragment],
    counters: tuple,
    positions: list[tuple[str, int, float, float]],
    outline: list[OutlineEntry],
    watermark: bool,
) -> None:
    """Join the fragments (the front first, then the body parts in page order) into one
    PDF at `out_path`, streaming: the fragments are copied, not parsed."""
    objects, keys_counter = counters
    pages = [number for part in parts for number in part.pages]
    page_refs = [b"%d 0 R" % number for number in pages]
    trees = sorted(part.tree for part in parts if part.tree is not None)

    def dest(page_index: int, x: float, y: float) -> bytes:
        return b"[%s /XYZ %s %s 0]" % (page_refs[page_index], _number(x), _number(y))

    plain: dict[int, bytes] = {
        PAGES: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(page_refs), len(pages)),
        STRUCT_ROOT: b"<< /Type /StructTreeRoot /K %d 0 R /ParentTree %d 0 R "
        b"/ParentTreeNextKey %d >>" % (DOCUMENT, PARENT_TREE, keys_counter.value),
        DOCUMENT: b"<< /Type /StructElem /S /Document /P %d 0 R /K [%s] >>"
        % (STRUCT_ROOT, b" ".join(kid for part in parts for kid in part.kids)),
        PARENT_TREE: (b"<< /Kids [%s] >>" % b" ".join(b"%d 0 R" % t[2] for t in trees))
        if trees
        else b"<< /Nums [] >>",
    }
    names = sorted(positions, key=lambda p: p[0].encode())
    plain[DESTS] = b"<< /Names [%s] >>" % b" ".join(
        _pdf_string(name) + b" " + dest(page, x, y) for name, page, x, y in names
    )

    # The outline: a tree of closed items, each leading to its section's position.
    where = {name: (page, x, y) for name, page, x, y in positions}
    entries = [entry for entry in outline if entry.anchor in where]
    first_item = _take(objects, len(entries)) if entries else 0
    parent = [0] * len(entries)  # 0: the outline root
    children: dict[int, list[int]] = {0: []}
    stack: list[tuple[int, int]] = [(0, 0)]  # (level, item number)
    for i, entry in enumerate(entries):
        number = first_item + i
        while stack[-1][0] >= entry.level:
            stack.pop()
        parent[i] = stack[-1][1]
        children.setdefault(parent[i], []).append(number)
        children[number] = []
        stack.append((entry.level, number))
    for i, entry in enumerate(entries):
        number = first_item + i
        siblings = children[parent[i]]
        at = bisect.bisect_left(siblings, number)  # numbers grow in outline order
        body = [
            b"<< /Title " + _pdf_string(entry.title),
            b"/Parent %d 0 R" % (parent[i] or OUTLINES),
        ]
        if at > 0:
            body.append(b"/Prev %d 0 R" % siblings[at - 1])
        if at + 1 < len(siblings):
            body.append(b"/Next %d 0 R" % siblings[at + 1])
        if children[number]:
            body.append(
                b"/First %d 0 R /Last %d 0 R /Count -%d"
                % (children[number][0], children[number][-1], len(children[number]))
            )
        body.append(b"/Dest " + dest(*where[entry.anchor]) + b" >>")
        plain[number] = b" ".join(body)
    top = children[0]
    plain[OUTLINES] = (
        (
            b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
            % (top[0], top[-1], len(top))
        )
        if top
        else b"<< /Type /Outlines /Count 0 >>"
    )

    streams = {
        Q_OPEN: b"q\n",
        Q_CLOSE: b"Q\n",
        FOOTER_CALL: b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC q "
        b"/PactumFooter Do Q EMC\n",
    }
    if watermark:
        streams[WATERMARK_CALL] = (
            b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC q /PactumWatermark Do Q EMC\n"
        )
    numbers = sorted(plain)
    object_streams = -(-len(numbers) // OBJSTM_SIZE)
    first_stream = _take(objects, object_streams + 1)
    xref_number = first_stream + object_streams
    size = xref_number + 1
    table = bytearray(8 * size)  # /W [1 5 2]
    table[0:8] = b"\x00\x00\x00\x00\x00\x00\xff\xff"
    digest = hashlib.sha256()

    def record(number: int, kind: int, second: int, third: int) -> None:
        table[8 * number : 8 * number + 8] = (
            bytes((kind,)) + second.to_bytes(5, "big") + third.to_bytes(2, "big")
        )

    with open(out_path, "wb") as out:
        out.write(_HEADER)
        for fragment in [*parts, *overlays]:
            base = out.tell()
            with open(fragment.path, "rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
            digest.update(fragment.xref)
            for number, kind, second, third in _XREF.iter_unpack(fragment.xref):
                record(number, kind, second + base if kind == 1 else second, third)
        for number, data in streams.items():
            record(number, 1, out.tell(), 0)
            out.write(
                b"%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n"
                % (number, len(data), data)
            )
        local = bytearray()
        for i in range(object_streams):
            group = numbers[i * OBJSTM_SIZE : (i + 1) * OBJSTM_SIZE]
            _write_object_stream(out, first_stream + i, [(n, plain[n]) for n in group], local, 0)
        for number, kind, second, third in _XREF.iter_unpack(bytes(local)):
            record(number, kind, second, third)
        start = out.tell()
        record(xref_number, 1, start, 0)
        file_id = digest.hexdigest()[:32].encode()
        info = next((part.info for part in parts if part.info is not None), None)
        data = zlib.compress(bytes(table), 6)
        out.write(
            b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 5 2] /Root %d 0 R %s/ID [<%s> <%s>] "
            b"/Filter /FlateDecode /Length %d >>\nstream\n"
            % (
                xref_number,
                size,
                CATALOG,
                b"/Info %d 0 R " % info if info else b"",
                file_id,
                file_id,
                len(data),
            )
        )
        out.write(data)
        out.write(b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start)


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


def _init_worker(build_id: str | None = None, counters: dict | None = None) -> None:
    """Warm a worker: import WeasyPrint and parse the stylesheets once; learn the build's
    object number counters."""
    if build_id is not None:
        _COUNTERS[build_id] = counters
    _stylesheets(REPORT_STYLESHEETS)
    _stylesheets(OVERLAY_STYLESHEETS)


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
            initializer=_init_worker,
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
    report = progress or (lambda percent, message: None)
    texts = {**MESSAGES, **(messages or {})}
    inline = workers <= 0 or chunk_count <= 1
    build_id = uuid.uuid4().hex
    if inline:
        counters = {v: (_LocalValue(FIRST_FREE), _LocalValue(0)) for v in variants}
    else:
        context = multiprocessing.get_context("spawn")
        counters = {v: (context.Value("q", FIRST_FREE), context.Value("q", 0)) for v in variants}
    _COUNTERS[build_id] = counters
    executor = make_executor(0 if inline else workers, build_id, counters)
    in_flight = 1 if inline else 2 * workers
    with tempfile.TemporaryDirectory(prefix="pactum-report-") as tmp:
        try:
            return _build(
                front,
                chunks,
                chunk_count,
                outline,
                variants,
                lang,
                footer_label,
                watermark,
                executor,
                in_flight,
                tmp,
                report,
                texts,
                build_id,
            )
        except cf.process.BrokenProcessPool as error:
            raise BuildError("a PDF worker process stopped unexpectedly") from error
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
            _COUNTERS.pop(build_id, None)


def _build(
    front,
    chunks,
    chunk_count,
    outline,
    variants,
    lang,
    footer_label,
    watermark,
    executor,
    in_flight,
    tmp,
    report,
    texts,
    build_id,
) -> Built:
    # 1. The body chunks, and the front once with placeholder numbers to learn its length.
    report(2, texts["layout"])
    probe = executor.submit(layout_chunk, ChunkTask(0, front(None), (), tmp, build_id))
    results: dict[int, ChunkResult] = {}
    pending: dict[cf.Future, int] = {}
    done_count = 0
    marked = bool(watermark)

    def collect():
        nonlocal done_count
        finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
        for future in finished:
            pending.pop(future)
            result = future.result()
            results[result.index] = result
            done_count += 1
            report(
                5 + int(80 * done_count / max(chunk_count, 1)),
                texts["laid_out"] % {"done": done_count, "total": chunk_count},
            )

    index = 0
    for index, html in enumerate(_iterate(chunks), start=1):
        while len(pending) >= in_flight:
            collect()
        pending[
            executor.submit(layout_chunk, ChunkTask(index, html, variants, tmp, build_id, marked))
        ] = index
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
            layout_chunk, ChunkTask(0, front(page_of), variants, tmp, build_id, marked)
        ).result()
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
    ordered = [final_front] + [results[i] for i in range(1, chunk_count + 1)]
    if sum(r.pages for r in ordered) != total:
        raise BuildError("the parts do not add up to the page count")

    # Footers of pages 2..M (the cover has none), in pieces laid out side by side; a piece
    # is at most FOOTERS_PER_TASK pages, so its memory does not grow with the report.
    slots = {v: [s for r in ordered for s in r.fragments[v].slots] for v in variants}
    overlay_futures = []
    span = max(1, min(FOOTERS_PER_TASK, -(-(total - 1) // 2)))
    for first in range(2, total + 1, span):
        last = min(total, first + span - 1)
        overlay_futures.append(
            executor.submit(
                layout_overlay,
                OverlayTask(
                    "footer",
                    tmp,
                    build_id,
                    tuple((v, tuple(slots[v][first - 1 : last])) for v in variants),
                    lang,
                    footer_label,
                    first,
                    last,
                    total,
                ),
            )
        )
    if watermark:
        overlay_futures.append(
            executor.submit(
                layout_overlay,
                OverlayTask(
                    "watermark",
                    tmp,
                    build_id,
                    tuple((v, (WATERMARK_FORM,)) for v in variants),
                    lang,
                    watermark=watermark,
                ),
            )
        )
    overlays = [future.result() for future in overlay_futures]

    # 3. Join, one file per variant, streaming the fragments into the file (in this
    # process: the workers are no longer needed).
    report(92, texts["joining"])
    executor.shutdown(wait=True)
    pdfs = {}
    for variant in variants:
        path = Path(tmp) / f"report-{_slug(variant)}.pdf"
        assemble(
            str(path),
            [r.fragments[variant] for r in ordered],
            [o[variant] for o in overlays],
            _COUNTERS[build_id][variant],
            positions,
            outline,
            bool(watermark),
        )
        pdfs[variant] = path.read_bytes()
    report(99, texts["storing"])
    return Built(pdfs=pdfs, pages=total, page_of=page_of, chunks=chunk_count + 1)


def _iterate(chunks: Iterable[str]) -> Iterator[str]:
    yield from chunks
