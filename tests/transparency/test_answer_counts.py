"""The answers lists' counts kept as data (`answer_filter_counts`, answer_counts.py) equal
the rows they count, whatever wrote them, and their rebuild."""

from __future__ import annotations

import itertools
from collections import Counter

from sqlalchemy import select

from app.members.directory.pages import load_sectors
from app.transparency import answer_rows
from app.transparency.centre import queries
from app.transparency.centre.filters import AnswerFilters
from app.transparency.models import AnswerFilterCount
from app.transparency.opendata import lists
from app.transparency.opendata.api_query import ListQuery
from tests.transparency.builders import make_member, make_report
from tests.transparency.test_answer_rows import _answers, small  # noqa: F401 (fixture)

CENTRE = {
    "year": [2025],
    "country": ["DE", "FR", "IT"],
    "sector": ["software"],
    "category": ["company", "ngo"],
    "status": ["active", "suspended"],
}
API = {
    "year": [2025, 2024],
    "principle": [1, 2],
    "lineage": ["mfa", "how"],
    "country": ["DE", "FR"],
    "category": ["company"],
    "member": ["alpha-security"],
}


def _cells(db) -> Counter:
    db.session.expire_all()
    return Counter(
        {(c.scope, c.filter_key): c.n for c in db.session.scalars(select(AnswerFilterCount))}
    )


def _combinations(choices: dict, most: int = 3):
    names = list(choices)
    for r in range(most + 1):
        for applied in itertools.combinations(names, r):
            for values in itertools.product(*(choices[n] for n in applied)):
                yield dict(zip(applied, values, strict=True))


def _check_counts(db, principle_id: int) -> None:
    """Every list's count, from the cells or the rows, equals its rows counted."""
    sectors = load_sectors()
    for values in _combinations(CENTRE):
        filters = AnswerFilters(**values)
        for lineage in (None, "mfa", "how"):
            rows = db.session.scalar(*queries.counted_rows(filters, sectors, principle_id, lineage))
            assert queries.count_answers(filters, sectors, principle_id, lineage) == rows, (
                values,
                lineage,
            )
    for values in _combinations(API):
        page = lists.list_answers(ListQuery(filters=dict(values), per_page=100))
        assert page.total == len(page.rows), values  # fewer than a page each


def test_the_counts_follow_reports_and_members_and_equal_their_rebuild(db, small):  # noqa: F811
    w = small
    principle_id = w["p1"].id
    assert _cells(db) == Counter()
    make_report(w["cycle"], w["alpha"], _answers(w, yes=True))
    make_report(w["cycle"], w["beta"], _answers(w, yes=False, text=None))
    gamma = make_member("Gamma Aid", country="IT", category="ngo", sector=None)
    make_report(w["cycle"], gamma, _answers(w, yes=True))
    db.session.flush()
    _check_counts(db, principle_id)
    assert _cells(db)[(f"p{principle_id}", "")] == 5  # 2 + 1 + 2 answers with a value
    assert _cells(db)[("api", "")] == 9  # every public answer of a listed member

    alpha = w["alpha"]
    alpha.country = "FR"
    alpha.status = "suspended"
    db.session.flush()
    _check_counts(db, principle_id)
    gamma.joined_on = None  # no longer listed: counted nowhere
    db.session.flush()
    _check_counts(db, principle_id)
    assert _cells(db)[(f"p{principle_id}", "")] == 3

    kept = _cells(db)
    answer_rows.rebuild(db.session.connection())
    assert _cells(db) == kept
