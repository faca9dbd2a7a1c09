"""What changed between two versions of a report: the comparison and its page."""

from __future__ import annotations

import datetime as dt

import pytest

from app.reporting import review
from app.reporting.versions import Segment, compare_snapshots, word_diff
from tests.reporting.builders_review import (  # noqa: F401  (fixtures)
    fast_receipts,
    make_cycle,
    submit,
)

pytestmark = pytest.mark.usefixtures("fast_receipts")  # services need no request

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_word_diff_marks_whole_words():
    assert word_diff("We protect users.", "We protect all our users.") == [
        Segment("equal", "We protect "),
        Segment("insert", "all our "),
        Segment("equal", "users."),
    ]
    assert word_diff("Yearly audits", "Quarterly audits") == [
        Segment("delete", "Yearly"),
        Segment("insert", "Quarterly"),
        Segment("equal", " audits"),
    ]
    assert word_diff("", "New text") == [Segment("insert", "New text")]
    assert word_diff("Same", "Same") == [Segment("equal", "Same")]


def _snapshot(questions, attestation=None, pledges=None):
    return {
        "sections": [{"title": "S", "questions": questions}],
        "attestation": attestation or {},
        "pledges": pledges or [],
    }


def _q(qid, type_, value, display=None, shown=True, evidence=()):
    return {
        "id": qid,
        "lineage": f"l{qid}",
        "text": f"Question {qid}",
        "type": type_,
        "value": value,
        "display": display,
        "shown": shown,
        "evidence": list(evidence),
    }


def test_compare_snapshots_question_by_question():
    file_a = {"sha256": "a" * 64, "filename": "old.pdf", "size": 10}
    file_b = {"sha256": "b" * 64, "filename": "new.pdf", "size": 20}
    old = _snapshot(
        [
            _q(1, "yes_no", False, "No"),
            _q(2, "long_text", "We audit yearly."),
            _q(3, "number", 5, "5 people"),
            _q(4, "multiple_choice", ["A"], "A"),
            _q(5, "evidence", None, "1 file", evidence=[file_a]),
            _q(6, "short_text", "kept"),
            _q(7, "short_text", "hidden later"),
        ],
        attestation={"officer_name": "Ada", "officer_title": "CEO", "support_statement": "Yes."},
        pledges=[{"id": 1, "title": "MFA", "status": "planned", "note": ""}],
    )
    new = _snapshot(
        [
            _q(1, "yes_no", True, "Yes"),
            _q(2, "long_text", "We audit every quarter."),
            _q(3, "number", 5, "5 people"),
            _q(4, "multiple_choice", ["A", "B"], "A, B"),
            _q(5, "evidence", None, "1 file", evidence=[file_b]),
            _q(6, "short_text", "kept"),
            _q(7, "short_text", None, "", shown=False),
            _q(8, "yes_no", True, "Yes"),
        ],
        attestation={"officer_name": "Ada", "officer_title": "CEO", "support_statement": "Yes!"},
        pledges=[{"id": 1, "title": "MFA", "status": "achieved", "note": "Done."}],
    )
    result = compare_snapshots(old, new)
    by_id = {a.question_id: a for a in result.answers}
    assert (by_id[1].status, by_id[1].old, by_id[1].new) == ("changed", "No", "Yes")
    assert by_id[2].status == "changed"
    assert Segment("insert", "every quarter") in by_id[2].segments
    assert by_id[3].status == "unchanged" and by_id[6].status == "unchanged"
    assert (by_id[4].old, by_id[4].new) == ("A", "A, B")
    assert by_id[5].evidence_added == [file_b] and by_id[5].evidence_removed == [file_a]
    assert by_id[7].status == "changed" and by_id[7].new_shown is False
    assert by_id[8].status == "added"
    assert [a.question_id for a in result.changed] == [1, 2, 4, 5, 7, 8]
    assert [c.label for c in result.attestation] == ["Statement of support"]
    assert {c.label for c in result.pledges} == {"MFA: status", "MFA: progress"}
    assert compare_snapshots(old, old).has_changes is False


@pytest.fixture
def two_versions(db, secretariat, rep_a):
    cycle = make_cycle(secretariat)
    first = submit(rep_a, cycle, when=dt.date(2026, 3, 1), evidence=[("policy.pdf", PDF)])
    review.return_for_changes(secretariat, first, {}, note="Please say more.")
    second = submit(
        rep_a,
        cycle,
        when=dt.date(2026, 3, 9),
        overrides={
            "approach": "We protect every account with strong defaults, quarterly audits and "
            "a bug bounty.",
            "mfa": "no",
            "team": "More than 5 people",
        },
        evidence=[("policy-2026.txt", b"Our new disclosure policy.\n")],
    )
    db.session.commit()
    return first, second


def test_changes_page(client, db, secretariat, login, two_versions):
    first, second = two_versions
    login(client, secretariat)
    url = f"/secretariat/review/reports/{second.report_id}/changes"
    response = client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "What changed in the 2026 report of Alpha Org" in body
    assert (
        'strong defaults<ins><span class="visually-hidden">[added: </span>, quarterly '
        'audits<span class="visually-hidden">]</span></ins>'
    ) in body
    assert '<del><span class="visually-hidden">[removed: </span>regular<span' in body
    assert "1 to 5 people" in body and "More than 5 people" in body
    assert "policy-2026.txt" in body  # evidence added (policy.pdf stays attached: unchanged)
    assert "Ada Lovelace" not in body  # unchanged answers are not listed by default
    assert "Ada Lovelace" in client.get(url + "?all=1").get_data(as_text=True)
    # Versions in either order, or the same twice.
    assert client.get(url + "?from=2&to=1").status_code == 200
    same = client.get(url + "?from=2&to=2")
    assert same.status_code == 400 and "Choose two different versions" in same.get_data(
        as_text=True
    )
    assert client.get(url + "?from=1&to=7").status_code == 404
    assert client.get(url + "?from=x").status_code == 400
    # The review page of version 2 links here.
    page = client.get(f"/secretariat/review/versions/{second.id}").get_data(as_text=True)
    assert (
        f"/secretariat/review/reports/{second.report_id}/changes?to=2&amp;from=1" in page
        or f"/secretariat/review/reports/{second.report_id}/changes?from=1&amp;to=2" in page
    )


def test_changes_page_with_one_version(client, db, secretariat, login, rep_a):
    cycle = make_cycle(secretariat)
    version = submit(rep_a, cycle, when=dt.date(2026, 3, 1))
    db.session.commit()
    login(client, secretariat)
    response = client.get(f"/secretariat/review/reports/{version.report_id}/changes")
    assert response.status_code == 200
    assert "Only one version of this report has been submitted" in response.get_data(as_text=True)
    assert client.get("/secretariat/review/reports/999999/changes").status_code == 404
