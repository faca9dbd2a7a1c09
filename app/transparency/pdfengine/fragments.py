"""Parts of the joined PDF written as *fragments*, in the worker that laid them out.

Every part's objects are renumbered into a range of object numbers taken from a counter
that all worker processes of one build share, the small ones packed into compressed object
streams, in a file of its own. Joining (`join.assemble`) is then copying the fragments one
after the other and writing the few objects that span the whole document (page tree,
structure tree root, parent tree root, destinations, outline) and a cross-reference stream:
the join holds neither pages nor structure elements, so its memory does not grow with the
report (a few bytes per object for the xref).

pikepdf is imported where it is used: the web processes import this package for its
constants and would otherwise pay about 0.1 s at start-up.
"""

from __future__ import annotations

import collections
import io
import re
import struct
import threading
import zlib
from dataclasses import dataclass, field

from app.transparency.pdfengine.layout import BuildError

# Object numbers of the joined file that every part may refer to before they exist.
CATALOG, PAGES, STRUCT_ROOT, DOCUMENT, PARENT_TREE, OUTLINES, DESTS = range(1, 8)
Q_OPEN, Q_CLOSE, WATERMARK_CALL, FOOTER_CALL, WATERMARK_FORM = range(8, 13)
FIRST_FREE = 13
OBJSTM_SIZE = 200  # objects per object stream
# A literal string (qpdf escapes its parentheses) or an indirect reference.
REF = re.compile(rb"\((?:[^\\()]|\\.)*\)|(\d+) (\d+) R", re.S)
XREF = struct.Struct("<IBQH")  # object number, type (1 offset, 2 in object stream), field 2, 3


class LocalValue:
    """The in-process stand-in for a `multiprocessing.Value` (inline builds)."""

    def __init__(self, value: int):
        self.value = value
        self._lock = threading.Lock()

    def get_lock(self):
        return self._lock


def take(counter, count: int) -> int:
    """Reserve `count` consecutive numbers; returns the first."""
    with counter.get_lock():
        start = counter.value
        counter.value = start + count
        return start


# build id -> variant -> (object number counter, parent tree key counter)
COUNTERS: dict[str, dict[str, tuple]] = {}


def counters_of(build_id: str, variant: str) -> tuple:
    try:
        return COUNTERS[build_id][variant]
    except KeyError as error:
        raise BuildError(f"no object numbers for build {build_id} {variant}") from error


@dataclass
class Fragment:
    """A part of the joined PDF: objects with their final numbers, in `path`."""

    path: str
    xref: bytes  # XREF records; type 1 offsets are relative to the fragment's start
    pages: list[int] = field(default_factory=list)  # page objects, in order
    kids: list[bytes] = field(default_factory=list)  # top-level structure elements
    tree: tuple[int, int, int] | None = None  # parent tree node: first key, last key, object
    slots: list[int | None] = field(default_factory=list)  # footer form of each page
    info: int | None = None


# Writing objects ------------------------------------------------------------------------


def _reachable(pdf, roots: list, seen: set) -> tuple[list, dict]:
    """Every object reachable from `roots` and not in `seen`, in the order found, with its
    body (and, for a stream, its raw data)."""
    from pikepdf import Stream

    order: list = []
    bodies: dict = {}
    queue = collections.deque()

    def scan(body: bytes) -> None:
        for match in REF.finditer(body):
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
    return order, bodies


def renumbering(numbers: dict, missing: bytes | None = b"null"):
    """A `REF.sub` replacement: every reference with its number in `numbers`; a reference
    not in it becomes `missing` (None: a KeyError)."""

    def renumber(match):
        if match.group(1) is None:
            return match.group(0)
        key = (int(match.group(1)), int(match.group(2)))
        number = numbers[key] if missing is None else numbers.get(key)
        return missing if number is None else b"%d 0 R" % number

    return renumber


def emit(
    pdf, roots: list, fixed: dict, external: set, counter, out_path: str, late: list | None = None
) -> tuple[dict, bytes]:
    """Write every object reachable from `roots` into a fragment file.

    `fixed` maps objects to numbers decided elsewhere (the document-wide ones); objects in
    `external` are written by someone else (only their numbers are used); `late` objects
    get a number after the others (footer slots) and are not written either. Everything
    else gets a number from `counter`. Returns the numbers and the xref records."""
    late = late or []
    order, bodies = _reachable(pdf, roots, set(external) | {obj.objgen for obj in late})
    numbers = dict(fixed)
    fresh = [key for key in order if key not in numbers]
    plain = [key for key in order if bodies[key][1] is None]
    streams = [key for key in order if bodies[key][1] is not None]
    object_streams = -(-len(plain) // OBJSTM_SIZE)
    base = take(counter, len(fresh) + len(late) + object_streams)
    numbers.update((key, base + i) for i, key in enumerate([*fresh, *(o.objgen for o in late)]))
    base += len(fresh) + len(late)
    renumber = renumbering(numbers)
    xref = bytearray()
    with open(out_path, "wb") as out:
        for key in streams:
            body, raw = bodies.pop(key)
            number = numbers[key]
            xref += XREF.pack(number, 1, out.tell(), 0)
            out.write(b"%d 0 obj\n%s\nstream\n" % (number, REF.sub(renumber, body)))
            out.write(raw)
            out.write(b"\nendstream\nendobj\n")
        for i in range(object_streams):
            group = plain[i * OBJSTM_SIZE : (i + 1) * OBJSTM_SIZE]
            write_object_stream(
                out,
                base + i,
                [(numbers[key], REF.sub(renumber, bodies.pop(key)[0])) for key in group],
                xref,
                0,
            )
    return numbers, bytes(xref)


def write_object_stream(
    out, number: int, items: list[tuple[int, bytes]], xref: bytearray, offset: int
) -> None:
    """Objects packed into one compressed object stream (`offset`: where `out` starts)."""
    heads, position = [], 0
    for index, (member, body) in enumerate(items):
        heads.append(b"%d %d" % (member, position))
        position += len(body) + 1
        xref += XREF.pack(member, 2, number, index)
    head = b" ".join(heads) + b"\n"
    data = zlib.compress(head + b"\n".join(body for _n, body in items) + b"\n", 6)
    xref += XREF.pack(number, 1, offset + out.tell(), 0)
    out.write(
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
        b"stream\n" % (number, len(items), len(head), len(data))
    )
    out.write(data)
    out.write(b"\nendstream\nendobj\n")


# A laid-out part as a fragment ------------------------------------------------------------


class _Part:
    """One laid-out part being turned into a fragment: the objects whose numbers are decided
    elsewhere (`fixed`, `external`) and the objects to write (`roots`)."""

    def __init__(self, pdf, keys_counter):
        self.pdf = pdf
        self.keys_counter = keys_counter
        self.root = pdf.Root
        self.tree = self.root.StructTreeRoot
        kids = self.tree.K
        self.document = kids[0] if _is_array(kids) else kids
        self.fixed = {
            self.root.Pages.objgen: PAGES,
            self.tree.objgen: STRUCT_ROOT,
            self.document.objgen: DOCUMENT,
        }
        self.external = set(self.fixed)
        self.key_base = 0
        self.pairs: list = []
        self.node = None
        self.slots: list = []
        self.info = None

    def reserved(self, number: int):
        """A placeholder for a document-wide object written by the join."""
        from pikepdf import Dictionary

        obj = self.pdf.make_indirect(Dictionary(PactumReserved=number))
        self.fixed[obj.objgen] = number
        self.external.add(obj.objgen)
        return obj

    def move_parent_tree(self) -> None:
        """The part's parent tree keys moved to a range of their own: one node of the joined
        parent tree."""
        from pikepdf import Array, Dictionary

        nums = self.tree.ParentTree.Nums
        self.pairs = sorted(
            ((int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)), key=lambda p: p[0]
        )
        if not self.pairs:
            return
        self.key_base = take(self.keys_counter, self.pairs[-1][0] + 1)
        entries = Array()
        for key, value in self.pairs:
            entries.append(key + self.key_base)
            entries.append(value)
        first, last = self.pairs[0][0] + self.key_base, self.pairs[-1][0] + self.key_base
        self.node = self.pdf.make_indirect(Dictionary(Limits=Array([first, last]), Nums=entries))

    def hook_pages(self, *, front: bool, watermark: bool) -> None:
        """Every page draws its footer (a form XObject in a slot numbered later, written
        once the page count is known) and the watermark; the cover of the front has no
        footer."""
        from pikepdf import Array, Dictionary

        calls = [self.reserved(Q_OPEN), self.reserved(Q_CLOSE), self.reserved(FOOTER_CALL)]
        marks = (self.reserved(WATERMARK_CALL), self.reserved(WATERMARK_FORM)) if watermark else ()
        for number, page in enumerate(self.pdf.pages):
            obj = page.obj
            self._shift_struct_parents(obj)
            existing = obj.Contents
            contents = [calls[0], *(existing if _is_array(existing) else [existing]), calls[1]]
            # Each page gets its own resources: the same names draw a different footer.
            old = obj.get("/Resources", Dictionary())
            resources = Dictionary({k: v for k, v in old.items() if k != "/XObject"})
            xobjects = Dictionary(dict(old.get("/XObject", Dictionary()).items()))
            if marks:
                contents.append(marks[0])
                xobjects.PactumWatermark = marks[1]
            if front and number == 0:  # the cover has no footer
                self.slots.append(None)
            else:
                slot = self.pdf.make_indirect(Dictionary(PactumSlot=number))
                self.slots.append(slot)
                contents.append(calls[2])
                xobjects.PactumFooter = slot
            resources.XObject = xobjects
            obj.Resources = resources
            obj.Contents = Array(contents)

    def _shift_struct_parents(self, obj) -> None:
        if "/StructParents" in obj:
            obj.StructParents = int(obj.StructParents) + self.key_base
        for annotation in obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + self.key_base

    def kids(self) -> list:
        kids = self.document.K
        return list(kids) if _is_array(kids) else [kids]

    def take_catalog(self, roots: list) -> None:
        """The front gives the catalog (metadata, language, output intents) and the
        document info; the catalog names the joined destinations and outline."""
        from pikepdf import Array, Dictionary, Name

        root = self.root
        root.Names = Dictionary(Dests=self.reserved(DESTS))
        root.Outlines = self.reserved(OUTLINES)
        root.PageMode = Name.UseOutlines
        # Viewers show the printed numbers: the cover is page 1.
        root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))
        self.fixed[root.objgen] = CATALOG
        roots.insert(0, root)
        if "/Info" in self.pdf.trailer:
            info = self.pdf.trailer.Info
            self.info = info if info.is_indirect else self.pdf.make_indirect(info)
            roots.append(self.info)


def _is_array(obj) -> bool:
    from pikepdf import Array

    return isinstance(obj, Array)


def fragment_of(
    data: bytes, out_path: str, counters: tuple, *, front: bool, watermark: bool
) -> Fragment:
    """A laid-out part (a tagged PDF from WeasyPrint) as a fragment of the joined PDF:

    its structure elements hang off the joined /Document, its parent tree keys move to a
    range of their own (a node of the joined parent tree), its pages belong to the joined
    page tree and draw the footer (a form XObject in a slot numbered here, written once the
    page count is known) and the watermark. The front (cover and contents) also gives the
    catalog, with its metadata, language and output intents, and the document info."""
    import pikepdf

    objects, keys_counter = counters
    with pikepdf.open(io.BytesIO(data)) as pdf:
        part = _Part(pdf, keys_counter)
        part.move_parent_tree()
        part.hook_pages(front=front, watermark=watermark)
        kids = part.kids()
        roots = [page.obj for page in pdf.pages] + kids
        if part.node is not None:
            roots.append(part.node)
        if front:
            part.take_catalog(roots)
        late = [slot for slot in part.slots if slot is not None]
        numbers, xref = emit(pdf, roots, part.fixed, part.external, objects, out_path, late)
        renumber = renumbering(numbers, missing=None)

        def ref(obj) -> bytes:
            if obj.is_indirect:
                return b"%d 0 R" % numbers[obj.objgen]
            return REF.sub(renumber, obj.unparse())

        return Fragment(
            path=out_path,
            xref=xref,
            pages=[numbers[page.obj.objgen] for page in pdf.pages],
            kids=[ref(kid) for kid in kids],
            tree=(
                part.pairs[0][0] + part.key_base,
                part.pairs[-1][0] + part.key_base,
                numbers[part.node.objgen],
            )
            if part.node is not None
            else None,
            slots=[numbers[slot.objgen] if slot is not None else None for slot in part.slots],
            info=numbers[part.info.objgen] if part.info is not None else None,
        )


def overlay_fragment(
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
        _numbers, xref = emit(pdf, forms, fixed, set(), counters[0], out_path)
    return Fragment(path=out_path, xref=xref)
