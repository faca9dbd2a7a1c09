"""Answer values per question type: parsing, checking, conditions and display."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.reporting import answers
from app.reporting.answers import AnswerInvalid


def q(type, **kw):
    base = {
        "id": 1,
        "type": type,
        "choices": [],
        "min_value": None,
        "max_value": None,
        "unit": "",
        "condition_question_id": None,
        "condition_value": "",
        "condition_question": None,
    }
    base.update(kw)
    return SimpleNamespace(**base)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("yes", True),
        ("no", False),
        ("", None),
        (["yes"], True),
        (None, None),
        (True, True),
    ],
)
def test_yes_no(raw, value, db):
    assert answers.parse(q("yes_no"), raw) is value


@pytest.mark.parametrize(
    ("question", "raw", "value"),
    [
        (q("number"), "42", 42),
        (q("number"), " 3.50 ", 3.5),
        (q("number"), "3,5", 3.5),
        (q("number"), "1 000", 1000),
        (q("number"), "-2", -2),
        (q("number"), "", None),
        (q("number", min_value=0, max_value=100), "100", 100),
        (q("number", min_value=0, max_value=100), "0", 0),
        (q("number"), "7.0", 7),
    ],
)
def test_numbers(question, raw, value, db):
    result = answers.parse(question, raw)
    assert result == value and type(result) is type(value)


@pytest.mark.parametrize(
    ("question", "raw", "message"),
    [
        (q("number"), "abc", "Enter a number"),
        (q("number"), "1e5", "Enter a number"),
        (q("number"), "nan", "Enter a number"),
        (q("number"), "١٢", "Enter a number"),  # non-ASCII digits
        (q("number"), "1" * 20, "too large"),
        (q("number", min_value=0, max_value=100), "101", "between 0 and 100"),
        (q("number", min_value=0, max_value=100), "-1", "between 0 and 100"),
        (q("number", min_value=10), "9", "at least 10"),
        (q("number", max_value=5), "6", "at most 5"),
        (q("yes_no"), "perhaps", "yes or no"),
        (q("single_choice", choices=["A", "B"]), "C", "options offered"),
        (q("single_choice", choices=["A", "B"]), ["A", "B"], "only one"),
        (q("multiple_choice", choices=["A", "B"]), ["A", "Z"], "options offered"),
        (q("url"), "javascript:alert(1)", "full web address"),
        (q("url"), "ftp://example.org/x", "full web address"),
        (q("url"), "https://", "full web address"),
        (q("url"), "https://exa mple.org", "spaces"),
        (q("url"), "not a url", "spaces"),
        (q("url"), "https://user:pw@example.org/", "full web address"),
        (q("url"), "https://example.org:99999/", "full web address"),
        (q("date"), "31/03/2026", "as month/day/year, for example 03/31/2026"),
        (q("date"), "3/31/26", "as month/day/year"),
        (q("date"), "2026", "as month/day/year"),
        (q("date"), "04/31/2026", "does not exist"),
        (q("date"), "2026-02-30", "does not exist"),
        (q("date"), "1850-01-01", "between 1900 and 2100"),
        (q("short_text"), "x" * 501, "at most"),
        (q("long_text"), "x" * 20_001, "at most"),
    ],
)
def test_bad_values_are_refused_with_a_message(question, raw, message, db):
    with pytest.raises(AnswerInvalid) as error:
        answers.parse(question, raw)
    assert message in error.value.message


def test_choices_text_and_urls(db):
    multiple = q("multiple_choice", choices=["A", "B", "C"])
    assert answers.parse(multiple, ["C", "A", "A", ""]) == ["A", "C"]  # choice order, once
    assert answers.parse(multiple, []) is None
    assert answers.parse(q("single_choice", choices=["A"]), " A ") == "A"
    assert answers.parse(q("short_text"), "  Ada \n Lovelace\x07 ") == "Ada Lovelace"
    assert answers.parse(q("long_text"), "  a\r\n\r\nb  ") == "a\n\nb"
    assert answers.parse(q("long_text"), "   ") is None
    assert answers.parse(q("url"), "example.org/policy") == "https://example.org/policy"
    assert answers.parse(q("url"), "http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"
    assert answers.parse(q("date"), "2026-03-01") == "2026-03-01"
    assert answers.parse(q("evidence"), "anything") is None


def test_recheck_finds_values_that_no_longer_fit(db):
    assert answers.recheck(q("number", max_value=10), 11) is not None
    assert answers.recheck(q("number", max_value=10), 10) is None
    assert answers.recheck(q("single_choice", choices=["A"]), "B") is not None
    assert answers.recheck(q("multiple_choice", choices=["A"]), ["A"]) is None
    assert answers.recheck(q("yes_no"), "yes") is not None


def test_conditions_chain_in_questionnaire_order(db):
    first = q("yes_no", id=1)
    second = q(
        "single_choice", id=2, choices=["A", "B"], condition_question_id=1, condition_value="yes"
    )
    third = q("short_text", id=3, condition_question_id=2, condition_value="B")
    fourth = q("multiple_choice", id=4, choices=["X", "Y"])
    fifth = q("short_text", id=5, condition_question_id=4, condition_value="Y")
    questions = [first, second, third, fourth, fifth]
    shown = answers.shown_map(questions, {1: True, 2: "B", 4: ["X", "Y"]})
    assert shown == {1: True, 2: True, 3: True, 4: True, 5: True}
    # "No" hides the follow-up and, through it, the follow-up's follow-up.
    shown = answers.shown_map(questions, {1: False, 2: "B", 4: ["X"]})
    assert shown == {1: True, 2: False, 3: False, 4: True, 5: False}
    assert answers.shown_map(questions, {})[2] is False


def test_display(app, db):
    with app.test_request_context():
        assert answers.display(q("yes_no"), True) == "Yes"
        assert answers.display(q("number", unit="%"), 87.5) == "87.5 %"
        assert answers.display(q("number"), 1234567) == "1,234,567"
        assert answers.display(q("multiple_choice"), ["A", "B"]) == "A; B"
        assert answers.display(q("date"), "2026-03-01") == "March 1, 2026"
        assert answers.display(q("evidence"), None, 2) == "2 files"
        assert answers.display(q("short_text"), None) == ""
        assert answers.form_value(q("yes_no"), False) == "no"
        assert answers.form_value(q("number"), 3.0) == "3"


TYPES = [
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


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.one_of(st.text(), st.lists(st.text(), max_size=4), st.none()),
    kind=st.sampled_from(TYPES),
)
def test_any_input_is_stored_or_refused_with_a_message(app, raw, kind):
    """Whatever a form posts: a clean value that checks again, or AnswerInvalid, never a crash."""
    question = q(kind, choices=["A", "B"], min_value=-5, max_value=10)
    with app.test_request_context():
        try:
            value = answers.parse(question, raw)
        except AnswerInvalid as error:
            assert error.message
            return
        assert answers.recheck(question, value) is None
        answers.display(question, value)
