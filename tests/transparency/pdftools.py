"""Reading PDFs back in the tests: page texts, the contents page, links, tags."""

from __future__ import annotations

import io
import re

import pikepdf
import pypdf


def page_texts(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def page_lines(data: bytes) -> list[list[str]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [
        [
            " ".join(line.split())
            for line in (page.extract_text() or "").splitlines()
            if line.strip()
        ]
        for page in reader.pages
    ]


TOC_LINE = re.compile(r"^(?P<title>.+?)[\s.…]*?(?P<page>\d+)$")


def toc_entries(lines: list[str], titles: list[str]) -> dict[str, int]:
    """The page number printed after each title on the contents page."""
    found = {}
    for line in lines:
        for title in titles:
            if line.startswith(title) and title not in found:
                match = re.search(r"(\d+)\s*$", line[len(title) :])
                if match:
                    found[title] = int(match.group(1))
    return found


def footer_number(text: str) -> tuple[int, int] | None:
    match = re.search(r"Page (\d+) of (\d+)", text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def structure_problems(data: bytes) -> list[str]:
    """Checks that the structure tree and the marked content agree, page by page, and
    that every internal link names an existing destination."""
    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        if "/StructTreeRoot" not in root:
            return ["no /StructTreeRoot"]
        parent_tree = number_tree(root.StructTreeRoot.ParentTree, problems)
        next_key = root.StructTreeRoot.get("/ParentTreeNextKey")
        if next_key is not None and parent_tree and int(next_key) <= max(parent_tree):
            problems.append(f"/ParentTreeNextKey {next_key} is not beyond the last key")
        dests = {}
        if "/Names" in root and "/Dests" in root.Names:
            dests = name_tree(root.Names.Dests)
        for number, page in enumerate(pdf.pages):
            key = int(page.obj.StructParents)
            elements = parent_tree.get(key)
            if elements is None:
                problems.append(f"page {number + 1}: no parent tree entry {key}")
                continue
            mcids = [
                int(operands[1].MCID)
                for operands, op in pikepdf.parse_content_stream(page)
                if str(op) == "BDC"
                and len(operands) > 1
                and isinstance(operands[1], pikepdf.Dictionary)
                and "/MCID" in operands[1]
            ]
            if mcids and max(mcids) >= len(elements):
                problems.append(f"page {number + 1}: MCID {max(mcids)} beyond its parent tree")
            for element in elements:
                if element.Pg.objgen != page.obj.objgen:
                    problems.append(f"page {number + 1}: a tagged element points at another page")
                    break
            for annotation in page.obj.get("/Annots", []):
                if annotation.get("/Subtype") != "/Link":
                    continue
                if int(annotation.StructParent) not in parent_tree:
                    problems.append(f"page {number + 1}: link without a structure parent")
                destination = annotation.get("/Dest")
                if destination is not None and str(destination) not in dests:
                    problems.append(f"page {number + 1}: link to unknown #{destination}")
    return problems


def number_tree(node, problems: list[str] | None = None) -> dict:
    """The entries of a number tree (flat /Nums or /Kids with /Limits), checking that keys
    ascend and lie within their node's limits."""
    out: dict = {}
    problems = problems if problems is not None else []

    def walk(node, root):
        if "/Nums" in node:
            nums = node.Nums
            keys = [int(nums[i]) for i in range(0, len(nums), 2)]
            if keys != sorted(keys):
                problems.append("number tree keys out of order")
            if not root and keys and [int(x) for x in node.Limits] != [keys[0], keys[-1]]:
                problems.append(
                    f"number tree node limits {list(node.Limits)} != {keys[0]}..{keys[-1]}"
                )
            for i in range(0, len(nums), 2):
                if int(nums[i]) in out:
                    problems.append(f"number tree key {int(nums[i])} twice")
                out[int(nums[i])] = nums[i + 1]
        for kid in node.get("/Kids", []):
            walk(kid, False)

    walk(node, True)
    return out


def name_tree(node) -> dict:
    out = {}
    if "/Names" in node:
        names = node.Names
        out.update({str(names[i]): names[i + 1] for i in range(0, len(names), 2)})
    for kid in node.get("/Kids", []):
        out.update(name_tree(kid))
    return out


def link_targets(data: bytes) -> list[tuple[int, str, int]]:
    """(page number of the link, target id, page number of the target) for internal links."""
    out = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page_numbers = {page.obj.objgen: i + 1 for i, page in enumerate(pdf.pages)}
        dests = name_tree(pdf.Root.Names.Dests)
        for number, page in enumerate(pdf.pages):
            for annotation in page.obj.get("/Annots", []):
                destination = annotation.get("/Dest")
                if destination is not None and str(destination) in dests:
                    target = dests[str(destination)][0]
                    out.append((number + 1, str(destination), page_numbers[target.objgen]))
    return out


def outline_titles(data: bytes) -> list[tuple[int, str, int]]:
    """(depth, title, page number) of every bookmark."""
    out = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page_numbers = {page.obj.objgen: i + 1 for i, page in enumerate(pdf.pages)}

        def walk(items, depth):
            for item in items:
                dest = item.destination
                page = page_numbers.get(dest[0].objgen) if dest is not None else None
                out.append((depth, item.title, page))
                walk(item.children, depth + 1)

        with pdf.open_outline() as outline:
            walk(outline.root, 1)
    return out
