"""Page breaks in the PDFs (issue 16): a question is never the last thing on a page with
its answer on the next, and a short table is not split. Laid out with the real print
stylesheets and the markup of the templates (the appendix and member reports' public
answers, the submitted report's copy), read back page by page with pdftotext."""

from __future__ import annotations

import io
import random
import re

import pytest
from pypdf import PdfReader

from app.core.pdf import render_pdf
from tests.pdftools import page_text


def _answers(dl_class: str, seed: int) -> str:
    rng = random.Random(seed)
    items = "".join(
        f"<dt>Qmark{i} What did you do this year about item {i}?</dt>"
        f"<dd><p>Amark{i} {' '.join(['answer'] * rng.randint(3, 120))}</p></dd>"
        for i in range(1, 70)
    )
    return f'<dl class="{dl_class}">{items}</dl>'


def _document(stylesheet: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><title>Breaks</title>'
        '<link rel="stylesheet" href="/static/css/print-base.css">'
        f'<link rel="stylesheet" href="/static/css/{stylesheet}"></head>'
        f"<body><h1>Report</h1>{body}</body></html>"
    )


def _pages(pdf: bytes, tmp_path) -> list[str]:
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    return [page_text(pdf, tmp_path, n) for n in range(1, count + 1)]


@pytest.mark.parametrize(
    ("stylesheet", "dl_class"),
    [("report-print.css", "answers"), ("reporting-pdf.css", "snapshot-answers")],
)
@pytest.mark.parametrize("seed", [1, 3])
def test_each_question_is_on_the_page_of_its_answer(tmp_path, stylesheet, dl_class, seed):
    pages = _pages(render_pdf(_document(stylesheet, _answers(dl_class, seed))), tmp_path)
    assert len(pages) > 5
    seen = set()
    for number, text in enumerate(pages, start=1):
        for q in re.findall(r"Qmark(\d+)", text):
            assert f"Amark{q} " in text, f"question {q} is last on page {number}"
            seen.add(q)
    assert len(seen) == 69


def test_a_short_table_is_not_split(tmp_path):
    rows = "".join(f"<tr><th>Rowmark{i}</th><td class='num'>{i}</td></tr>" for i in range(1, 9))
    table = (
        f'<table class="data-table table"><caption>Counts</caption><tbody>{rows}</tbody></table>'
    )
    for lines in range(28, 40, 2):  # push the table towards the foot of the first page
        filler = "".join(f"<p>Filler line {i}</p>" for i in range(lines))
        pages = _pages(render_pdf(_document("report-print.css", filler + table)), tmp_path)
        holding = [n for n, text in enumerate(pages) if "Rowmark" in text]
        assert len(holding) == 1, f"{lines} lines before: rows on pages {holding}"
        assert all(f"Rowmark{i}\n" in pages[holding[0]] for i in range(1, 9))


def test_a_long_table_still_breaks_between_rows(tmp_path):
    rows = "".join(f"<tr><th>Rowmark{i}</th><td class='num'>{i}</td></tr>" for i in range(1, 60))
    table = f'<table class="data-table table data-table-long"><tbody>{rows}</tbody></table>'
    filler = "".join(f"<p>Filler line {i}</p>" for i in range(20))
    pages = _pages(render_pdf(_document("report-print.css", filler + table)), tmp_path)
    assert "Rowmark1\n" in pages[0]  # starts where it is, not on a fresh page
