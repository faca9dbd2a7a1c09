"""A small alliance with two closed cycles, for the transparency tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.transparency import pdfengine as build
from app.transparency.present.document import AnnualDocument
from tests.transparency.builders import (
    at,
    make_charter,
    make_cycle,
    make_member,
    make_pledge,
    make_question,
    make_report,
    make_section,
)


@pytest.fixture(autouse=True)
def _inline_pdf_builds(app):
    """Lay out PDFs in the test process (worker processes are tested on their own)."""
    saved = app.config.get("TRANSPARENCY_PDF_WORKERS")
    app.config["TRANSPARENCY_PDF_WORKERS"] = 0
    yield
    if saved is None:
        app.config.pop("TRANSPARENCY_PDF_WORKERS", None)
    else:
        app.config["TRANSPARENCY_PDF_WORKERS"] = saved


def build_world(db):
    """Members with histories through 2025, the 2024 and 2025 cycles, answers, pledges."""
    charter, (p1, p2, p3) = make_charter(3)
    w = SimpleNamespace(charter=charter, p1=p1, p2=p2, p3=p3)
    w.alpha = make_member("Alpha Security", country="DE", endorsed=charter)
    w.beta = make_member(
        "Beta Telecom", country="FR", sector="Telecommunications", endorsed=charter
    )
    w.gamma = make_member(
        "Gamma Rights",
        category="civil_society",
        country="BE",
        sector="Human rights",
        changes=[(at(2025, 5, 1), "non_communicating")],
    )
    w.delta = make_member(
        "Delta University",
        category="academia",
        country="DE",
        sector="Research",
        joined=at(2024, 6, 1),
    )
    w.epsilon = make_member(
        "Epsilon Cloud", country="IE", sector="Cloud services", joined=at(2025, 6, 1)
    )
    w.zeta = make_member(
        "Zeta Payments",
        country="FR",
        sector="Financial services",
        changes=[(at(2025, 8, 1), "withdrawn")],
    )
    w.eta = make_member(
        "Eta Grid",
        country="ES",
        sector="Energy",
        changes=[(at(2025, 5, 1), "non_communicating"), (at(2025, 12, 1), "delisted")],
    )
    w.theta = make_member(
        "Theta Agency",
        category="government",
        country="PT",
        sector=None,
        changes=[(at(2025, 9, 1), "suspended")],
    )
    w.iota = make_member("Iota Labs", country="NL", joined=at(2026, 2, 1))

    w.c2024 = make_cycle(2024, charter=charter)
    w.c2025 = make_cycle(2025, charter=charter)
    for cycle in (w.c2024, w.c2025):
        s1 = make_section(cycle, "Protecting users", p1, 1)
        s2 = make_section(cycle, "Disclosure", p2, 2)
        s3 = make_section(cycle, "General", None, 3)
        q = {
            "mfa": make_question(
                s1,
                "Is multi-factor authentication on by default?",
                "yes_no",
                lineage="mfa",
                public=True,
            ),
            "days": make_question(
                s2,
                "Median days to fix a critical vulnerability",
                "number",
                unit="days",
                lineage="days",
                public=True,
            ),
            "channels": make_question(
                s2,
                "How can vulnerabilities be reported?",
                "multiple_choice",
                choices=["Web form", "Email", "Bug bounty"],
                lineage="channels",
            ),
            "policy": make_question(
                s3,
                "Which disclosure policy applies?",
                "single_choice",
                choices=["Own", "Sector", "None"],
                lineage="policy",
            ),
            "story": make_question(
                s3,
                "What did you do this year?",
                "long_text",
                indicator=False,
                public=True,
                lineage="story",
            ),
            "secret": make_question(
                s3,
                "Internal contact",
                "short_text",
                indicator=False,
                public=False,
                lineage="secret",
            ),
        }
        setattr(w, f"q{cycle.year}", SimpleNamespace(**q))

    q24, q25 = w.q2024, w.q2025
    make_report(w.c2024, w.alpha, {q24.mfa: True, q24.days: 20, q24.policy: "Own"})
    make_report(w.c2024, w.beta, {q24.mfa: False, q24.days: 40, q24.policy: "Sector"})
    make_report(w.c2024, w.gamma, {q24.mfa: False, q24.days: 90, q24.policy: "None"}, late=True)

    make_report(
        w.c2025,
        w.alpha,
        {
            q25.mfa: True,
            q25.days: 10,
            q25.channels: ["Web form", "Email"],
            q25.policy: "Own",
            q25.story: "We **shipped** MFA.",
            q25.secret: "ciso@alpha.example",
        },
    )
    make_report(
        w.c2025,
        w.beta,
        {
            q25.mfa: True,
            q25.days: 30,
            q25.channels: ["Email"],
            q25.policy: "Sector",
            q25.story: "Beta's year.",
        },
        late=True,
        versions=2,
    )
    make_report(
        w.c2025,
        w.zeta,
        {q25.mfa: False, q25.days: 45.5, q25.channels: ["Bug bounty", "Email"], q25.policy: "None"},
        state="submitted",
    )
    make_report(w.c2025, w.delta, {q25.mfa: True, q25.days: 7, q25.policy: "Own"})

    make_pledge(
        w.alpha,
        "MFA for everyone",
        [p1],
        created=at(2024, 2, 1),
        history=[(at(2024, 6, 1), "in_progress"), (at(2025, 6, 1), "achieved")],
    )
    make_pledge(
        w.alpha,
        "Fix within 30 days",
        [p2, p3],
        created=at(2025, 3, 1),
        history=[(at(2026, 1, 10), "achieved")],
        status="achieved",
    )
    make_pledge(
        w.beta,
        "Bug bounty",
        [p2],
        created=at(2025, 2, 1),
        history=[(at(2025, 9, 1), "missed")],
        status="missed",
    )
    make_pledge(w.beta, "Private pledge", [p1], public=False)
    make_pledge(
        w.gamma,
        "Train NGOs",
        [p3],
        created=at(2024, 5, 1),
        history=[(at(2025, 1, 5), "in_progress")],
        status="in_progress",
    )
    make_pledge(w.zeta, "Gone with the member", [p1], created=at(2024, 5, 1))
    make_pledge(w.alpha, "Made in 2026", [p1], created=at(2026, 2, 1))
    db.session.flush()
    return w


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
def fast_build(monkeypatch):
    """Replace the PDF layout by a tiny stand-in: for tests about publishing, jobs and
    serving (the real layout is tested in test_annual_pdf and test_build_engine)."""
    calls = []

    def fake(self, *, variants=(build.VARIANT_UA,), workers=None, progress=None):
        calls.append(self)
        if progress:
            progress(50, "Laying out the pages")
        pdfs = {
            v: f"%PDF-1.7\n% {v} edition {self.edition_number} draft {self.draft}\n".encode()
            for v in variants
        }
        return build.Built(pdfs=pdfs, pages=3)

    monkeypatch.setattr(AnnualDocument, "build_pdf", fake)
    return calls
