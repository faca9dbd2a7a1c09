"""The dashboard and the report pages run a constant number of queries, however large the
questionnaire (no query per section, question, answer or file)."""

from __future__ import annotations

import datetime as dt

import pytest

from app import clock
from app.reporting import cycles, filling
from app.reporting.models import Report
from tests.conftest import login_as
from tests.querycount import count_queries
from tests.reporting.builders_filling import PDF

KINDS = [
    "yes_no",
    "single_choice",
    "multiple_choice",
    "number",
    "short_text",
    "long_text",
    "url",
    "date",
    "evidence",
]
VALUES = {
    "yes_no": "yes",
    "single_choice": "A",
    "multiple_choice": ["A", "B"],
    "number": "3",
    "short_text": "x",
    "long_text": "Some *text*",
    "url": "https://example.org",
    "date": "2026-01-02",
}


def _questionnaire(secretariat, sections: int, per_section: int):
    clock.freeze(dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC))
    cycle = cycles.create_cycle(secretariat, 2026, "", dt.date(2026, 1, 10), dt.date(2026, 3, 31))
    first = None
    for s in range(sections):
        section = cycles.add_section(secretariat, cycle, f"Section {s + 1}")
        for i in range(per_section):
            kind = KINDS[(s * per_section + i) % len(KINDS)]
            extra = {"choices": ["A", "B", "C"]} if "choice" in kind else {}
            if first is not None and i % 3 == 2:
                extra.update(condition_question=first, condition_value="yes")
            question = cycles.add_question(
                secretariat, section, f"Q {s}.{i} {kind}", kind, required=True, **extra
            )
            if first is None and kind == "yes_no":
                first = question
    cycles.open_cycle(secretariat, cycle)
    return cycle


def _fill(rep, cycle):
    report = filling.get_or_start_report(rep, cycle, rep.organisation)
    questions = cycles.ordered_questions(cycles.load_questionnaire(cycle))
    filling.save_answers(
        rep, report, {q.id: VALUES[q.type] for q in questions if q.type != "evidence"}, 0
    )
    for q in questions:
        if q.type == "evidence":
            filling.attach_evidence(rep, report, q, "policy.pdf", PDF)
    return report


def _counts(app, db, secretariat, rep, sections, per_section, urls, submit=False):
    cycle = _questionnaire(secretariat, sections, per_section)
    report = _fill(rep, cycle)
    if submit:
        filling.set_attestation(rep, report, "G", "C", "S", report.revision)
        filling.submit_report(rep, report, authorised=True)
        filling.save_answers(rep, report, {}, report.revision)
    db.session.commit()
    counts = {}
    for who, url in urls:
        client = app.test_client()
        login_as(client, secretariat if who == "sec" else rep)
        client.get(url)  # warm up (translations, templates)
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = counter.count
    return counts


URLS = [
    ("rep", "/dashboard"),
    ("sec", "/dashboard"),
    ("rep", "/my/reports/2026"),
    ("rep", "/my/reports/2026/sections/1"),
    ("rep", "/my/reports/2026/preview"),
    ("rep", "/my/reports/2026/submit"),
    ("rep", "/my/reports/2026/pledges"),
    ("sec", "/secretariat/cycles/2026"),
    ("sec", "/secretariat/cycles/2026/preview"),
]


@pytest.mark.parametrize(("who", "url"), URLS)
def test_constant_queries(app, db, secretariat, rep_a, who, url):
    small = _counts(app, db, secretariat, rep_a, 1, 1, [(who, url)])
    db.session.rollback()
    from tests.conftest import _empty_all_tables

    _empty_all_tables()
    from tests import factories

    secretariat = factories.make_user(role="secretariat", email="sec2@example.org")
    org = factories.make_org(name="Alpha Two")
    rep = factories.make_user(role="representative", organisation=org)
    big = _counts(app, db, secretariat, rep, 20, 20, [(who, url)])
    assert big[url] == small[url], (
        f"{url}: {small[url]} queries with 1 question, {big[url]} with 400"
    )


def test_version_page_is_constant(app, db, secretariat, rep_a, org_a):
    small = _counts(
        app,
        db,
        secretariat,
        rep_a,
        1,
        2,
        [("rep", f"/reports/2026/{org_a.slug}/versions/1")],
        submit=True,
    )
    db.session.rollback()
    from tests.conftest import _empty_all_tables

    _empty_all_tables()
    from tests import factories

    secretariat = factories.make_user(role="secretariat", email="sec2@example.org")
    org = factories.make_org(name="Alpha Org")
    rep = factories.make_user(role="representative", organisation=org)
    big = _counts(
        app,
        db,
        secretariat,
        rep,
        20,
        20,
        [("rep", f"/reports/2026/{org.slug}/versions/1")],
        submit=True,
    )
    assert list(big.values()) == list(small.values())
    assert db.session.query(Report).count() == 1


def test_dashboard_progress_counts_like_the_report_pages(app, db, secretariat, rep_a):
    """The dashboard counts from the per-process questionnaire and plain answers
    (`filling.draft_progress`); it must agree with the report pages, conditions and files
    included, as answers come and go."""
    cycle = _questionnaire(secretariat, 3, 6)
    report = filling.get_or_start_report(rep_a, cycle, rep_a.organisation)
    questions = cycles.ordered_questions(cycles.load_questionnaire(cycle))
    db.session.commit()
    client = app.test_client()
    login_as(client, rep_a)
    seen = set()
    for step in [*range(0, len(questions), 4), len(questions)]:
        chosen = {q.id: VALUES[q.type] for q in questions[:step] if q.type != "evidence"}
        if chosen:
            filling.save_answers(rep_a, report, chosen, report.revision)
        for q in questions[:step]:
            if q.type == "evidence" and q.id not in seen:
                filling.attach_evidence(rep_a, report, q, "policy.pdf", PDF)
                seen.add(q.id)
        db.session.commit()
        expected = filling.load(report).progress()
        assert filling.draft_progress(report) == expected
        body = client.get("/dashboard").get_data(as_text=True)
        assert f"{expected[0]} of {expected[1]} required answers given" in body
    assert expected[0] == expected[1] > 0
