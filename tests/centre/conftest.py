"""A small alliance for the transparency centre: a charter of three principles, the 2024
and 2025 cycles with public and non-public questions, accepted reports, and a SENTINEL
string planted in every place the public must never see."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy.orm.attributes import flag_modified

from app.core.services import store_file
from app.reporting.models import Answer, Evidence, Report, ReviewComment, SubmittedAnswer
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

SENTINEL = "ZEBRA-SENTINEL-4711"


def _questionnaire(cycle, w, mfa_text: str):
    first = make_section(cycle, "Protect users", w.p1)
    second = make_section(cycle, "Disclosure", w.p2)
    q = SimpleNamespace()
    q.mfa = make_question(first, mfa_text, public=True, lineage="mfa")
    q.share = make_question(
        first, "Share of accounts with MFA", "number", unit="%", public=True, lineage="share"
    )
    q.approach = make_question(
        first,
        "How do you protect users?",
        "long_text",
        public=True,
        indicator=False,
        lineage="approach",
    )
    q.secret = make_question(
        first, f"Internal question {SENTINEL}?", "short_text", indicator=False, lineage="secret"
    )
    q.hidden_yes = make_question(first, "Do you pay ransoms?", lineage="ransom")  # not public
    q.programme = make_question(
        second,
        "How do you receive reports?",
        "single_choice",
        public=True,
        choices=("Bug bounty", "Email address", "None"),
        lineage="programme",
    )
    q.policy = make_question(
        second, "Your policy", "evidence", public=True, indicator=False, lineage="policy"
    )
    return q


def build_centre_world(db):
    charter, (p1, p2, p3) = make_charter(3)
    w = SimpleNamespace(charter=charter, p1=p1, p2=p2, p3=p3)
    w.alpha = make_member("Alpha Security", country="DE", endorsed=charter)
    w.beta = make_member("Beta Rights", country="FR", category="civil_society", sector=None)
    w.gamma = make_member("Gamma Cloud", country="DE", sector="Cloud")
    w.delta = make_member("Delta Telecom", country="KE", sector="Telecoms")
    make_pledge(w.alpha, "Alpha turns on MFA for everyone", [p1], status="in_progress")
    make_pledge(w.beta, "Beta trains journalists", [p1, p3])
    make_pledge(w.gamma, f"Private pledge {SENTINEL}", [p1], public=False)

    w.c2024 = make_cycle(2024, charter=charter)
    w.q2024 = _questionnaire(w.c2024, w, "Do you offer MFA?")
    w.c2025 = make_cycle(2025, charter=charter)
    w.q2025 = _questionnaire(w.c2025, w, "Do you offer multi-factor authentication?")
    db.session.refresh(w.c2024)
    db.session.refresh(w.c2025)
    q4, q5 = w.q2024, w.q2025

    def answers(q, yes, share, approach, programme):
        return {
            q.mfa: yes,
            q.share: share,
            q.approach: approach,
            q.secret: f"secret answer {SENTINEL}",
            q.hidden_yes: True,
            q.programme: programme,
            q.policy: None,
        }

    make_report(w.c2024, w.alpha, answers(q4, True, 40, "We use keys.", "Bug bounty"))
    make_report(w.c2024, w.beta, answers(q4, False, 10, "We train people.", "Email address"))
    w.alpha_2025 = make_report(
        w.c2025, w.alpha, answers(q5, True, 80, "Hardware keys for all.", "Bug bounty")
    )
    make_report(w.c2025, w.beta, answers(q5, True, 20, "Workshops.", "Email address"))
    make_report(
        w.c2025,
        w.delta,
        answers(q5, False, 5, "Passwords only, and an SBOM for every release.", "None"),
    )
    # Gamma's 2025 report: an earlier returned version (with a SENTINEL answer), the
    # accepted one, and a reviewer's comment.
    w.gamma_2025 = make_report(
        w.c2025, w.gamma, answers(q5, False, 30, "Gamma's accepted words.", "None"), versions=2
    )
    first = w.gamma_2025.versions[0]
    first.snapshot = {**first.snapshot, "sections": []}
    for row in first.answers:
        if row.question_id == q5.approach.id:
            row.value = f"returned words {SENTINEL}"
    db.session.add(
        ReviewComment(version_id=first.id, question_id=q5.approach.id, comment=f"Fix {SENTINEL}")
    )
    # Gamma's 2024 report: submitted, never accepted.
    make_report(
        w.c2024,
        w.gamma,
        answers(q4, True, 99, f"pending words {SENTINEL}", "None"),
        state="submitted",
    )
    # A draft answer and an evidence file name.
    draft = db.session.get(Report, w.alpha_2025.id)
    db.session.add(
        Answer(report_id=draft.id, question_id=q5.approach.id, value=f"draft {SENTINEL}")
    )
    stored = store_file(b"%PDF-1.4 evidence", "application/pdf")
    db.session.add(
        Evidence(
            report_id=draft.id,
            question_id=q5.policy.id,
            sha256=stored.sha256,
            filename=f"{SENTINEL}.pdf",
            content_type="application/pdf",
            size=17,
        )
    )
    for version in w.alpha_2025.versions:
        for section in version.snapshot["sections"]:
            for question in section["questions"]:
                if question["id"] == q5.policy.id:
                    question["evidence"] = [
                        {"sha256": stored.sha256, "filename": f"{SENTINEL}.pdf"}
                    ]
        version.snapshot["attestation"] = {
            **version.snapshot["attestation"],
            "submitted_by": {"id": 1, "name": f"Rep {SENTINEL}", "email": "rep@sentinel.example"},
        }
        flag_modified(version, "snapshot")
    db.session.flush()
    assert db.session.query(SubmittedAnswer).count() > 0
    return w


@pytest.fixture
def world(db):
    w = build_centre_world(db)
    db.session.commit()
    return w


__all__ = ["SENTINEL", "at", "build_centre_world"]
