"""Builders for the review, extension, deadline and export tests (issue 5, part B).

They go through engineer A's services (`cycles.create_cycle`, `add_section`, `add_question`,
`open_cycle`, `filling.get_or_start_report`, `save_answers`, `set_attestation`,
`submit_report`), so the tests exercise the real submission path and snapshot format.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app import clock
from app.reporting import cycles, filling
from app.reporting.models import ReportingCycle, ReportVersion
from tests import factories

# (section title, [(key, text, type, options)])
QUESTIONNAIRE = [
    (
        "Protect all users and customers",
        [
            (
                "mfa",
                "Do you offer multi-factor authentication to every customer?",
                "yes_no",
                {"required": True, "is_public": True, "is_indicator": True},
            ),
            ("approach", "Describe how you protect your users.", "long_text", {"required": True}),
            (
                "trained",
                "How many staff were trained in secure development?",
                "number",
                {"unit": "people", "min_value": 0, "max_value": 100000, "is_indicator": True},
            ),
        ],
    ),
    (
        "General",
        [
            (
                "team",
                "How large is your security team?",
                "single_choice",
                {"choices": ["None", "1 to 5 people", "More than 5 people"], "is_public": True},
            ),
            (
                "frameworks",
                "Which frameworks do you follow?",
                "multiple_choice",
                {"choices": ["ISO 27001", "NIST CSF", "Other"]},
            ),
            ("contact", "Who can we contact about this report?", "short_text", {}),
            ("policy", "Your disclosure policy", "evidence", {}),
            ("policy_url", "Where is your disclosure policy published?", "url", {}),
            ("audit", "When was your last external audit?", "date", {}),
        ],
    ),
]

ANSWERS = {
    "mfa": "yes",
    "approach": "We protect every account with strong defaults and regular audits.",
    "trained": "120",
    "team": "1 to 5 people",
    "frameworks": ["ISO 27001", "NIST CSF"],
    "contact": "Ada Lovelace",
    "policy_url": "https://www.example.org/security",
    "audit": "2026-02-01",
}


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def make_cycle(
    secretariat,
    year: int = 2026,
    opens_on: dt.date = dt.date(2026, 1, 10),
    due_on: dt.date = dt.date(2026, 3, 31),
    grace_days: int = 14,
    categories=("company",),
    reminder_offsets=(30, 7, 1),
    open_it: bool = True,
) -> ReportingCycle:
    """A cycle with the standard questionnaire, opened on its opening day.

    `cycle.q` maps the question keys of QUESTIONNAIRE to Question rows.
    """
    previous = clock._frozen
    clock.freeze(at(opens_on, 9))
    try:
        cycle = cycles.create_cycle(
            secretariat,
            year,
            f"{year} reporting cycle",
            opens_on,
            due_on,
            grace_days=grace_days,
            categories=list(categories),
            reminder_offsets=list(reminder_offsets),
        )
        keyed = {}
        for title, questions in QUESTIONNAIRE:
            section = cycles.add_section(secretariat, cycle, title)
            for key, text, kind, options in questions:
                keyed[key] = cycles.add_question(secretariat, section, text, kind, **options)
        if open_it:
            cycles.open_cycle(secretariat, cycle)
    finally:
        clock.freeze(previous)
    cycle.q = keyed
    return cycle


def questions_of(cycle: ReportingCycle) -> dict:
    """Question rows by key, for a cycle loaded from the database."""
    sections = cycles.load_questionnaire(cycle)
    by_text = {q.text: q for q in cycles.ordered_questions(sections)}
    return {key: by_text[text] for _t, qs in QUESTIONNAIRE for key, text, _k, _o in qs}


def raw_answers(cycle: ReportingCycle, overrides: dict | None = None) -> dict:
    keyed = getattr(cycle, "q", None) or questions_of(cycle)
    values = {**ANSWERS, **(overrides or {})}
    return {keyed[key].id: value for key, value in values.items() if value is not None}


def submit(
    rep,
    cycle: ReportingCycle,
    organisation=None,
    overrides: dict | None = None,
    when: dt.datetime | dt.date | None = None,
    evidence: list[tuple[str, bytes]] = (),
    officer: str = "Grace Hopper",
) -> ReportVersion:
    """Fill in and submit (or resubmit) the report of the representative's organisation."""
    organisation = organisation or rep.organisation
    previous = clock._frozen
    if when is not None:
        clock.freeze(when)
    try:
        report = filling.get_or_start_report(rep, cycle, organisation)
        filling.save_answers(rep, report, raw_answers(cycle, overrides), report.revision)
        keyed = getattr(cycle, "q", None) or questions_of(cycle)
        for filename, data in evidence:
            filling.attach_evidence(rep, report, keyed["policy"], filename, data)
        filling.set_attestation(
            rep,
            report,
            officer,
            "Chief Executive Officer",
            "We remain committed to the charter.",
            report.revision,
        )
        return filling.submit_report(rep, report, authorised=True)
    finally:
        clock.freeze(previous)


def make_member(
    name: str,
    category: str = "company",
    joined_on=dt.date(2024, 1, 15),
    status: str = "active",
    with_rep: bool = True,
):
    org = factories.make_org(name=name, category=category, joined_on=joined_on, status=status)
    rep = None
    if with_rep:
        slug = org.slug
        rep = factories.make_user(
            role="representative", organisation=org, email=f"rep@{slug}.example"
        )
    return org, rep


@pytest.fixture
def fast_receipts(monkeypatch):
    """Receipts still go out, with a tiny stand-in PDF: these tests are not about the PDF,
    and WeasyPrint would make every submission cost a few hundred milliseconds."""
    stand_in = lambda version: b"%PDF-1.7\n% test receipt\n"  # noqa: E731
    monkeypatch.setattr(filling, "report_pdf", stand_in)
    monkeypatch.setattr(filling.notifications, "report_pdf", stand_in)  # the receipt's


@pytest.fixture
def in_request(app):
    """A request for tests that want one (its locale). The review, deadline, extension and
    export services need none: their tests run without it, as cron and the CLI do."""
    with app.test_request_context("/"):
        yield
