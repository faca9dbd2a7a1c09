"""The chunked layout engine on its own: worker processes give the same document as the
in-process path, and the joined PDF stays tagged with working links."""

from __future__ import annotations

from app.transparency import build
from tests.transparency.pdftools import link_targets, outline_titles, page_texts, structure_problems

HEAD = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Engine test</title>'
        '<meta name="author" content="Tests"></head><body data-title="Engine">')


def _member(i: int) -> str:
    return (f'<article class="member" id="m{i}"><h3>Member {i}</h3><p>'
            + "Words that fill the page with text. " * 25
            + f'</p><table><thead><tr><th>Key</th><th>Value</th></tr></thead><tbody><tr><td>{i}</td>'
            f'<td><a href="#contents">Back to the contents</a></td></tr></tbody></table></article>')


def _front(page_of):
    items = "".join(
        f'<li class="toc-l1"><a href="#m{i}"><span class="toc-title">Member {i}</span>'
        f'<span class="toc-page">{page_of[f"m{i}"] if page_of else 9999}</span></a></li>'
        for i in range(0, 24, 6))
    return (HEAD + '<section class="cover-page"><h1>Engine</h1></section>'
            f'<nav class="toc" id="contents"><h2>Contents</h2><ol>{items}</ol></nav></body></html>')


def _chunks():
    for start in range(0, 24, 6):
        yield (HEAD + '<div class="chunk" data-running="Members">'
               + "".join(_member(i) for i in range(start, start + 6)) + "</div></body></html>")


def _build(workers: int) -> build.Built:
    outline = [build.OutlineEntry(1, "Contents", "contents")] + [
        build.OutlineEntry(2, f"Member {i}", f"m{i}") for i in range(24)]
    return build.build_report(_front, _chunks(), 4, outline=outline, workers=workers,
                              variants=(build.VARIANT_UA,), watermark="DRAFT")


def test_worker_processes_and_in_process_layout_agree():
    inline = _build(0)
    parallel = _build(2)
    assert inline.pages == parallel.pages > 6
    assert inline.page_of == parallel.page_of
    a, b = inline.pdfs[build.VARIANT_UA], parallel.pdfs[build.VARIANT_UA]
    assert [t.replace("DRAFT", "") for t in page_texts(a)] == [t.replace("DRAFT", "") for t in page_texts(b)]
    for data in (a, b):
        assert structure_problems(data) == []
        targets = {target: page for source, target, page in link_targets(data) if source == 2}
        assert targets == {f"m{i}": inline.page_of[f"m{i}"] for i in range(0, 24, 6)}
        # Links back to the contents from every chunk reach page 2.
        assert {page for _s, target, page in link_targets(data) if target == "contents"} == {2}
        assert [t for d, t, _p in outline_titles(data) if d == 2] == [f"Member {i}" for i in range(24)]
