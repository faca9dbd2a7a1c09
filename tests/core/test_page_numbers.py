"""One page-number style in every PDF (issue 16): "Page 2 of 4", translated, in the charter,
the copy of a submitted report and the annual report (whose joined parts print the same
label, tests/transparency/test_annual_pdf.py), never "2 / 4"."""

from __future__ import annotations

import datetime as dt
import io
import re

from flask_babel import force_locale
from pypdf import PdfReader

from app.charter import present
from app.charter.queries import load_version
from app.charter.translations import services as translations
from app.reporting.filling.present import report_pdf
from tests.charter.builders import publish_charter
from tests.reporting.builders_review import make_cycle, make_member, submit


def _pages(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def _no_slash_numbers(pages: list[str]) -> bool:
    return not any(re.search(rf"\b{n} / {len(pages)}\b", t) for n, t in enumerate(pages, 1))


def _charter_pdf(app, secretariat, locale: str) -> list[str]:
    version = publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    with app.test_request_context("/"), force_locale(locale):
        loaded = load_version(version.id)
        text, _complete = translations.reader_view(loaded, locale)  # as the PDF route does
        return _pages(present.version_pdf(loaded, text=text))


def test_the_charter_says_page_n_of_m_except_on_its_cover(app, db, secretariat):
    pages = _charter_pdf(app, secretariat, "en")
    total = len(pages)
    assert total >= 3
    assert "Page 1 of" not in pages[0]
    assert all(f"Page {n} of {total}" in pages[n - 1] for n in range(2, total + 1))
    assert _no_slash_numbers(pages)


def test_the_page_numbers_are_translated(app, db, secretariat):
    pages = _charter_pdf(app, secretariat, "fr")
    assert f"Page 2 sur {len(pages)}" in pages[1]


def test_the_copy_of_a_submitted_report_numbers_every_page(app, db, secretariat):
    cycle = make_cycle(secretariat, year=2026)
    _org, rep = make_member("Numbered Org")
    version = submit(rep, cycle, when=dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC))
    with app.test_request_context("/"):
        pages = _pages(report_pdf(version))
    total = len(pages)
    assert all(f"Page {n} of {total}" in pages[n - 1] for n in range(1, total + 1))
    assert _no_slash_numbers(pages)
