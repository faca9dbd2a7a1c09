"""The join, in the process that runs the build: the fragments copied one after the other
into the output file, then the document-wide objects (page tree, structure tree root and
/Document, parent tree, destinations, outline) and a cross-reference stream.

It never parses a page, so its memory does not grow with the report (a few bytes per
object for the cross-reference table). Links keep working because every internal link is a
named destination (`/Dest (id)`) and the joined file gets one /Dests name tree with the
real position of every id; the outline (bookmarks) and the page labels are built from the
same positions.
"""

from __future__ import annotations

import bisect
import hashlib
import shutil
import zlib
from dataclasses import dataclass

from app.transparency.pdfengine.fragments import (
    CATALOG,
    DESTS,
    DOCUMENT,
    FOOTER_CALL,
    OBJSTM_SIZE,
    OUTLINES,
    PAGES,
    PARENT_TREE,
    Q_CLOSE,
    Q_OPEN,
    STRUCT_ROOT,
    WATERMARK_CALL,
    XREF,
    Fragment,
    take,
    write_object_stream,
)

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
# (anchor, page index, x, y): where an element id is printed
Position = tuple[str, int, float, float]


@dataclass(frozen=True)
class OutlineEntry:
    level: int  # 1 = top
    title: str
    anchor: str


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


class _Destinations:
    """`[page /XYZ x y 0]` for a position, and the position of each anchor."""

    def __init__(self, parts: list[Fragment], positions: list[Position]):
        self.page_refs = [b"%d 0 R" % number for part in parts for number in part.pages]
        self.positions = positions
        self.where = {name: (page, x, y) for name, page, x, y in positions}

    def __call__(self, page_index: int, x: float, y: float) -> bytes:
        return b"[%s /XYZ %s %s 0]" % (self.page_refs[page_index], _number(x), _number(y))

    def of(self, anchor: str) -> bytes:
        return self(*self.where[anchor])

    def name_tree(self) -> bytes:
        names = sorted(self.positions, key=lambda p: p[0].encode())
        return b"<< /Names [%s] >>" % b" ".join(
            _pdf_string(name) + b" " + self(page, x, y) for name, page, x, y in names
        )


def _document_objects(parts: list[Fragment], keys_counter, dest: _Destinations) -> dict:
    """The page tree, the structure tree root, the /Document and the parent tree."""
    trees = sorted(part.tree for part in parts if part.tree is not None)
    refs = dest.page_refs
    return {
        PAGES: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(refs), len(refs)),
        STRUCT_ROOT: b"<< /Type /StructTreeRoot /K %d 0 R /ParentTree %d 0 R "
        b"/ParentTreeNextKey %d >>" % (DOCUMENT, PARENT_TREE, keys_counter.value),
        DOCUMENT: b"<< /Type /StructElem /S /Document /P %d 0 R /K [%s] >>"
        % (STRUCT_ROOT, b" ".join(kid for part in parts for kid in part.kids)),
        PARENT_TREE: (b"<< /Kids [%s] >>" % b" ".join(b"%d 0 R" % t[2] for t in trees))
        if trees
        else b"<< /Nums [] >>",
        DESTS: dest.name_tree(),
    }


def _outline_objects(outline: list[OutlineEntry], dest: _Destinations, objects) -> dict:
    """The outline: a tree of closed items, each leading to its section's position."""
    entries = [entry for entry in outline if entry.anchor in dest.where]
    first_item = take(objects, len(entries)) if entries else 0
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
    plain = {}
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
        body.append(b"/Dest " + dest.of(entry.anchor) + b" >>")
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
    return plain


def _content_streams(watermark: bool) -> dict[int, bytes]:
    """The shared bits of content every page draws around its own."""
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
    return streams


class _XrefTable:
    """The cross-reference stream's table (/W [1 5 2]), filled as objects are written."""

    def __init__(self, size: int):
        self.table = bytearray(8 * size)
        self.table[0:8] = b"\x00\x00\x00\x00\x00\x00\xff\xff"

    def record(self, number: int, kind: int, second: int, third: int) -> None:
        self.table[8 * number : 8 * number + 8] = (
            bytes((kind,)) + second.to_bytes(5, "big") + third.to_bytes(2, "big")
        )

    def records(self, packed: bytes, base: int = 0) -> None:
        for number, kind, second, third in XREF.iter_unpack(packed):
            self.record(number, kind, second + base if kind == 1 else second, third)


def assemble(
    out_path: str,
    parts: list[Fragment],
    overlays: list[Fragment],
    counters: tuple,
    positions: list[Position],
    outline: list[OutlineEntry],
    watermark: bool,
) -> None:
    """Join the fragments (the front first, then the body parts in page order) into one
    PDF at `out_path`, streaming: the fragments are copied, not parsed."""
    objects, keys_counter = counters
    dest = _Destinations(parts, positions)
    plain = _document_objects(parts, keys_counter, dest)
    plain.update(_outline_objects(outline, dest, objects))
    numbers = sorted(plain)
    object_streams = -(-len(numbers) // OBJSTM_SIZE)
    first_stream = take(objects, object_streams + 1)
    xref_number = first_stream + object_streams
    size = xref_number + 1
    table = _XrefTable(size)
    digest = hashlib.sha256()
    with open(out_path, "wb") as out:
        out.write(HEADER)
        for fragment in [*parts, *overlays]:
            base = out.tell()
            with open(fragment.path, "rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
            digest.update(fragment.xref)
            table.records(fragment.xref, base)
        for number, data in _content_streams(watermark).items():
            table.record(number, 1, out.tell(), 0)
            out.write(
                b"%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n"
                % (number, len(data), data)
            )
        local = bytearray()
        for i in range(object_streams):
            group = numbers[i * OBJSTM_SIZE : (i + 1) * OBJSTM_SIZE]
            write_object_stream(out, first_stream + i, [(n, plain[n]) for n in group], local, 0)
        table.records(bytes(local))
        start = out.tell()
        table.record(xref_number, 1, start, 0)
        file_id = digest.hexdigest()[:32].encode()
        info = next((part.info for part in parts if part.info is not None), None)
        data = zlib.compress(bytes(table.table), 6)
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
