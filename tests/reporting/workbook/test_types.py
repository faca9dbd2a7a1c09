"""Each question type's round trip through the workbook: what goes out comes back equal
(the writer and the reader, without HTTP), including the edge values of each type."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import io

import openpyxl
import pytest

from app.reporting import cycles
from app.reporting.workbook import layout
from app.reporting.workbook.build import Draft, write
from app.reporting.workbook.read import read_workbook
from tests.reporting.builders_filling import cycle  # noqa: F401  (fixtures)
from tests.reporting.workbook.helpers import row_of, save

CASES = [
    ("mfa", True),
    ("mfa", False),
    ("mfa_share", 0),
    ("mfa_share", 100),
    ("mfa_share", 33.25),
    ("approach", "Line one\n\nLine two — with “quotes” and =SUM(A1) kept as text"),
    ("programme", "Email address"),
    ("policy_url", "https://example.org/a?b=c#d"),
    ("frameworks", ["ISO 27001"]),
    ("frameworks", ["ISO 27001", "NIST CSF", "Other"]),
    ("contact", "=1+1"),
    ("contact", "0012"),
    ("audit", "1900-01-01"),
    ("audit", "2100-12-31"),
]


def _round_trip(cycle, values: dict, change=None) -> dict:
    sections = cycles.load_questionnaire(cycle)
    data = write(cycle, Draft(organisation="Org", organisation_id=1, revision=3, values=values))
    if change is not None:
        book = openpyxl.load_workbook(io.BytesIO(data))
        change(book)
        data = save(book)
    upload = read_workbook(data, "report.xlsx", sections)
    assert not upload.errors, [str(e) for e in upload.errors]
    return upload.values


@pytest.mark.parametrize(("key", "value"), CASES)
def test_what_goes_out_comes_back_equal(app, db, cycle, key, value):
    qid = cycle.q[key].id
    with app.test_request_context():
        back = _round_trip(cycle, {qid: value})
        assert back[qid] == value and type(back[qid]) is type(value)
        resaved = _round_trip(cycle, {qid: value}, change=lambda book: None)
        assert resaved[qid] == value


def test_empty_answers_come_back_empty(app, db, cycle):
    with app.test_request_context():
        back = _round_trip(cycle, {})
    assert set(back.values()) == {None}
    assert cycle.q["policy"].id not in back  # evidence is never read from the workbook


def test_what_people_type_in_a_spreadsheet(app, db, cycle):
    typed = {
        "mfa": "yes",
        "mfa_share": "12,5",
        "frameworks": "NIST CSF;ISO 27001",
        "audit": "2026-03-31",
        "policy_url": "example.org/policy",
        "contact": 1234,
    }

    def change(book):
        for key, value in typed.items():
            name, row = row_of(book, cycle.q[key].id)
            book[name].cell(row, layout.ANSWER_COL + 1).value = value

    with app.test_request_context():
        back = _round_trip(cycle, {}, change)
    q = cycle.q
    assert back[q["mfa"].id] is True
    assert back[q["mfa_share"].id] == 12.5
    assert back[q["frameworks"].id] == ["ISO 27001", "NIST CSF"]
    assert back[q["audit"].id] == "2026-03-31"
    assert back[q["policy_url"].id] == "https://example.org/policy"
    assert back[q["contact"].id] == "1234"
