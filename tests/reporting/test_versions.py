"""The one comparison of two snapshots, in its short form for the version page
(`versions.change_summary`): the rows it lists and the ones it leaves out."""

from __future__ import annotations

from app.reporting import versions

FILE_A = {"sha256": "a" * 64, "filename": "a.pdf"}


def _q(qid, type_, value, display, shown=True, evidence=()):
    return {
        "id": qid,
        "lineage": f"l{qid}",
        "number": f"1.{qid}",
        "text": f"Question {qid}",
        "type": type_,
        "value": value,
        "display": display,
        "shown": shown,
        "evidence": list(evidence),
    }


def _snapshot(questions, pledges=(), officer="Ada"):
    return {
        "sections": [{"title": "S", "questions": questions}],
        "pledges": list(pledges),
        "attestation": {"officer_name": officer, "officer_title": "CEO", "support_statement": "Y"},
    }


OLD = _snapshot(
    [
        _q(1, "yes_no", False, "No"),
        _q(2, "number", 5, "5"),
        _q(3, "evidence", None, "1 file", evidence=[FILE_A]),
        _q(4, "short_text", None, "", shown=False),
        _q(9, "short_text", "gone", "gone"),
    ],
    pledges=[
        {"id": 1, "title": "MFA", "status": "planned", "note": ""},
        {"id": 2, "title": "Dropped", "status": "planned", "note": ""},
    ],
)
NEW = _snapshot(
    [
        _q(1, "yes_no", True, "Yes"),
        _q(2, "number", 5, "5"),
        # the same file renamed: the full comparison shows it, the summary does not
        _q(3, "evidence", None, "1 file", evidence=[{**FILE_A, "filename": "renamed.pdf"}]),
        # shown now, still unanswered: no stored value changed
        _q(4, "short_text", None, "", shown=True),
        _q(8, "yes_no", True, "Yes"),
    ],
    pledges=[
        {"id": 1, "title": "MFA", "status": "achieved", "note": "Done."},
        {"id": 3, "title": "New one", "status": "planned", "note": ""},
    ],
    officer="Grace",
)


def test_the_summary_lists_changed_stored_answers_pledges_and_the_attestation():
    comparison = versions.compare_snapshots(OLD, NEW)
    assert {a.question_id for a in comparison.changed} == {1, 3, 4, 8, 9}
    rows = versions.change_summary(comparison)
    # A question's row carries its snapshot entry (a reader in another language reads it).
    assert [row.pop("question")["id"] for row in rows if row["kind"] == "question"] == [1, 8]
    assert rows == [
        {"kind": "question", "number": "1.1", "text": "Question 1", "before": "No", "after": "Yes"},
        {"kind": "question", "number": "1.8", "text": "Question 8", "before": "", "after": "Yes"},
        {
            "kind": "pledge",
            "number": "",
            "text": "MFA",
            "before": "",
            "after": "Done.",
            "status_before": "planned",
            "status_after": "achieved",
        },
        {
            "kind": "pledge",
            "number": "",
            "text": "New one",
            "before": "",
            "after": "",
            "status_before": None,
            "status_after": "planned",
        },
        {
            "kind": "attestation",
            "number": "",
            "text": "Attestation",
            "before": "Ada",
            "after": "Grace",
        },
    ]


def test_identical_snapshots_have_an_empty_summary():
    comparison = versions.compare_snapshots(NEW, NEW)
    assert not comparison.has_changes
    assert versions.change_summary(comparison) == []


def test_snapshot_questions_are_answered_by_a_value_or_a_file():
    assert versions.is_answered(_q(1, "yes_no", False, "No"))
    assert not versions.is_answered(_q(2, "short_text", "", ""))
    assert not versions.is_answered(_q(3, "multiple_choice", [], ""))
    assert versions.is_answered(_q(4, "evidence", None, "1 file", evidence=[FILE_A]))
