"""The chunked layout engine on its own: worker processes give the same document as the
in-process path, and the joined PDF stays tagged with working links."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pikepdf

from app.transparency import pdfengine as build
from app.transparency.pdfengine import pool
from tests.transparency.pdftools import (
    footer_number,
    link_targets,
    number_tree,
    outline_titles,
    page_texts,
    structure_problems,
)

HEAD = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Engine test</title>'
    '<meta name="author" content="Tests"></head><body data-title="Engine">'
)


def _member(i: int) -> str:
    return (
        f'<article class="member" id="m{i}"><h3>Member {i}</h3><p>'
        + "Words that fill the page with text. " * 25
        + f"</p><table><thead><tr><th>Key</th><th>Value</th></tr></thead><tbody><tr><td>{i}</td>"
        f'<td><a href="#contents">Back to the contents</a></td></tr></tbody></table></article>'
    )


def _front(page_of):
    items = "".join(
        f'<li class="toc-l1"><a href="#m{i}"><span class="toc-title">Member {i}</span>'
        f'<span class="toc-page">{page_of[f"m{i}"] if page_of else 9999}</span></a></li>'
        for i in range(0, 24, 6)
    )
    return (
        HEAD + '<section class="cover-page"><h1>Engine</h1></section>'
        f'<nav class="toc" id="contents"><h2>Contents</h2><ol>{items}</ol></nav></body></html>'
    )


def _chunks():
    for start in range(0, 24, 6):
        yield (
            HEAD
            + '<div class="chunk" data-running="Members">'
            + "".join(_member(i) for i in range(start, start + 6))
            + "</div></body></html>"
        )


def _build(workers: int) -> build.Built:
    outline = [build.OutlineEntry(1, "Contents", "contents")] + [
        build.OutlineEntry(2, f"Member {i}", f"m{i}") for i in range(24)
    ]
    return build.build_report(
        _front,
        _chunks(),
        4,
        outline=outline,
        workers=workers,
        variants=(build.VARIANT_UA,),
        watermark="DRAFT",
    )


def test_worker_processes_and_in_process_layout_agree():
    inline = _build(0)
    parallel = _build(2)
    assert inline.pages == parallel.pages > 6
    assert inline.page_of == parallel.page_of
    a, b = inline.pdfs[build.VARIANT_UA], parallel.pdfs[build.VARIANT_UA]
    assert [t.replace("DRAFT", "") for t in page_texts(a)] == [
        t.replace("DRAFT", "") for t in page_texts(b)
    ]
    for data in (a, b):
        assert structure_problems(data) == []
        targets = {target: page for source, target, page in link_targets(data) if source == 2}
        assert targets == {f"m{i}": inline.page_of[f"m{i}"] for i in range(0, 24, 6)}
        # Links back to the contents from every chunk reach page 2.
        assert {page for _s, target, page in link_targets(data) if target == "contents"} == {2}
        assert [t for d, t, _p in outline_titles(data) if d == 2] == [
            f"Member {i}" for i in range(24)
        ]


# The streaming join: what it writes itself (catalog, page tree, structure tree root,
# parent tree, destinations, outline, page labels, cross-reference stream) ----------------


def _joined(variants=(build.VARIANT_UA, build.VARIANT_A), workers=2, watermark="DRAFT"):
    outline = [build.OutlineEntry(1, "Contents", "contents")] + [
        build.OutlineEntry(2, f"Member {i}", f"m{i}") for i in range(24)
    ]
    return build.build_report(
        _front,
        _chunks(),
        4,
        outline=outline,
        workers=workers,
        variants=variants,
        watermark=watermark,
    )


def _ancestors(element, limit=64):
    chain = []
    while "/P" in element and len(chain) < limit:
        element = element.P
        chain.append(element)
    return chain


def test_the_joined_file_is_one_valid_tagged_document_in_both_variants():
    built = _joined()
    for variant in (build.VARIANT_UA, build.VARIANT_A):
        data = built.pdfs[variant]
        assert structure_problems(data) == []
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert pdf.check_pdf_syntax() == []  # qpdf's own checks, as `qpdf --check`
            root = pdf.Root
            assert bool(root.MarkInfo.Marked) and str(root.Lang) == "en"
            assert str(pdf.docinfo.Title) == "Engine test" and str(pdf.docinfo.Author) == "Tests"
            with pdf.open_metadata() as xmp:
                assert xmp.get("dc:title") == "Engine test"
            # One of each document-wide object, whatever the number of parts.
            kinds = [str(o.get("/Type")) for o in pdf.objects if isinstance(o, pikepdf.Dictionary)]
            assert kinds.count("/Catalog") == 1 and kinds.count("/StructTreeRoot") == 1
            documents = [
                o
                for o in pdf.objects
                if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/Document"
            ]
            assert len(documents) == 1
            document = root.StructTreeRoot.K
            assert document.objgen == documents[0].objgen
            assert (variant == build.VARIANT_A) == ("/OutputIntents" in root)
            tree = number_tree(root.StructTreeRoot.ParentTree)
            assert int(root.StructTreeRoot.ParentTreeNextKey) > max(tree)
            # Every page, whichever part it came from, has tagged content whose elements
            # hang off the one /Document, under the one structure tree root.
            for number, page in enumerate(pdf.pages, start=1):
                elements = [e for e in tree[int(page.obj.StructParents)] if e is not None]
                assert elements, f"page {number} has no tagged content"
                chain = _ancestors(elements[0])
                assert document.objgen in {e.objgen for e in chain}, number
                assert chain[-1].objgen == root.StructTreeRoot.objgen, number
            assert len(pdf.pages) == built.pages


def test_page_labels_match_the_printed_page_numbers(monkeypatch):
    monkeypatch.setattr(pool, "FOOTERS_PER_TASK", 3)  # footers laid out in several pieces
    built = _joined(variants=(build.VARIANT_UA,), watermark=None)
    data = built.pdfs[build.VARIANT_UA]
    texts = page_texts(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        labels = [page.label for page in pdf.pages]
    assert labels == [str(n) for n in range(1, built.pages + 1)]
    assert footer_number(texts[0]) is None  # the cover
    for number, text in enumerate(texts[1:], start=2):
        assert footer_number(text) == (number, built.pages)
    assert not any("DRAFT" in text for text in texts)


def test_every_link_and_bookmark_lands_where_its_target_is_printed():
    built = _joined(variants=(build.VARIANT_UA,), watermark=None)
    data = built.pdfs[build.VARIANT_UA]
    texts = page_texts(data)
    printed = {
        f"m{i}": next(n for n, t in enumerate(texts, start=1) if f"Member {i} Words" in t)
        for i in range(24)
    }
    assert {k: built.page_of[k] for k in printed} == printed
    for _source, target, page in link_targets(data):
        if target in printed:
            assert page == printed[target]
    bookmarks = outline_titles(data)
    assert [(d, t) for d, t, _p in bookmarks] == [(1, "Contents")] + [
        (2, f"Member {i}") for i in range(24)
    ]
    assert {t: p for _d, t, p in bookmarks if t != "Contents"} == {
        f"Member {i}": printed[f"m{i}"] for i in range(24)
    }
    # The contents page prints the same numbers.
    for i in range(0, 24, 6):
        assert re.search(rf"Member {i} [.\s]*{printed[f'm{i}']}\b", texts[1]), texts[1]


def test_a_worker_recycled_between_chunks_gives_the_same_pdf(monkeypatch):
    """Workers are replaced after TASKS_PER_WORKER chunks (their memory cannot pile up);
    the object numbers they hand out come from one shared counter, so nothing collides."""
    monkeypatch.setattr(pool, "TASKS_PER_WORKER", 1)
    recycled = _joined(variants=(build.VARIANT_UA,), watermark=None)
    inline = _joined(variants=(build.VARIANT_UA,), workers=0, watermark=None)
    assert recycled.page_of == inline.page_of
    assert page_texts(recycled.pdfs[build.VARIANT_UA]) == page_texts(inline.pdfs[build.VARIANT_UA])
    assert structure_problems(recycled.pdfs[build.VARIANT_UA]) == []


# The worker processes load the engine, not the app ------------------------------------------

APP_MODULES = {"flask", "flask_babel", "flask_sqlalchemy", "sqlalchemy", "jinja2", "app.factory"}


def test_the_worker_module_imports_no_flask_in_a_fresh_interpreter():
    code = (
        "import sys, app.transparency.pdfengine.worker\n"
        f"print(sorted(set({sorted(APP_MODULES)!r}) & set(sys.modules)))\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_a_worker_process_has_not_loaded_flask():
    """A real worker of the pool (spawned, warmed by its initializer) asked what it holds.
    (`spawn` also runs the parent's main script again in the worker, here pytest's: a parent
    started as `python -m flask` or `python -m gunicorn` is skipped there, while the `flask`
    and `gunicorn` console scripts import Flask into the worker.)"""
    executor = pool.make_executor(1)
    try:
        loaded = executor.submit(eval, "sorted(__import__('sys').modules)").result(timeout=120)
    finally:
        executor.shutdown(wait=True)
    assert "app.transparency.pdfengine.worker" in loaded and "weasyprint" in loaded
    assert APP_MODULES.isdisjoint(loaded), sorted(APP_MODULES & set(loaded))
