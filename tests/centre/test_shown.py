"""The centre's text helpers in Python (app/transparency/centre/shown.py) write exactly what
the Jinja macros of templates/centre/_texts.html wrote (issue 15: they were macros)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.charter.translations.reading import Text
from app.reporting.translations.public import PublicTexts
from app.transparency.centre import shown

# The macros as they were, for comparison.
MACROS = """
{% macro m_shown(t, fallback='') -%}
  {%- if t is not none and t.lang %}<span lang="{{ t.lang }}" dir="auto">{{ t.text }}</span>{% elif t is not none %}{{ t.text }}{% else %}{{ fallback }}{% endif -%}
{%- endmacro %}
{% macro m_choice_text(t, id, choices, value) -%}
  {%- if t %}{{ m_shown(t.choice(id, choices, value)) }}{% else %}{{ value }}{% endif -%}
{%- endmacro %}
{% macro m_question_text(t, id, text) -%}
  {%- if t %}{{ m_shown(t.question(id, text)) }}{% else %}{{ text }}{% endif -%}
{%- endmacro %}
{% macro m_row_value(t, a) -%}
  {%- if t and a.type in ('single_choice', 'multiple_choice') and a.value not in (none, '', []) -%}
    {%- set chosen = a.value if a.value is sequence and a.value is not string else [a.value] -%}
    {%- for v in chosen %}{{ m_choice_text(t, a.question_id, a.choices, v|string) }}{% if not loop.last %}, {% endif %}{% endfor -%}
  {%- else -%}
    {{ a|answer_value(t) }}
  {%- endif -%}
{%- endmacro %}
"""


@pytest.fixture
def macros(app):
    with app.test_request_context("/"):
        yield app.jinja_env.from_string(MACROS).module


def _row(type_, value, unit="", choices=("Staff", "Customers <b>")):
    return SimpleNamespace(
        type=type_, value=value, unit=unit, question_id=7, choices=choices, question="Q & A?"
    )


TEXTS = [
    None,
    PublicTexts("en", "en"),
    PublicTexts("fr", "en"),  # nothing translated: the source, marked as English
]
VALUES = [
    ("single_choice", "Staff"),
    ("single_choice", "Not a choice & <i>"),
    ("multiple_choice", ["Staff", "Customers <b>"]),
    ("multiple_choice", []),
    ("multiple_choice", ""),
    ("single_choice", None),
    ("yes_no", True),
    ("yes_no", False),
    ("number", 3.5),
    ("number", 12),
    ("short_text", "<script>x</script> & more"),
    ("long_text", None),
]


@pytest.mark.parametrize("texts", TEXTS)
def test_the_helpers_write_what_the_macros_wrote(macros, texts):
    for value in (Text("Tom & <Jerry>", "fr"), Text("Plain & <b>", ""), None):
        assert str(shown.shown(value, "fall & back")) == str(macros.m_shown(value, "fall & back"))
    assert str(shown.question_text(texts, 7, "Q & A?")) == str(
        macros.m_question_text(texts, 7, "Q & A?")
    )
    assert str(shown.choice_text(texts, 7, ("a&b",), "a&b")) == str(
        macros.m_choice_text(texts, 7, ("a&b",), "a&b")
    )
    for type_, value in VALUES:
        row = _row(type_, value, unit="kg" if type_ == "number" else "")
        assert str(shown.row_value(texts, row)) == str(macros.m_row_value(texts, row)), value


def test_answer_items_write_each_distinct_value_once(app):
    rows = [
        SimpleNamespace(
            year=2025,
            category="company",
            country="DE",
            sector="",
            question_id=1,
            question="Q?",
            type="yes_no",
            unit="",
            choices=(),
            value=True,
        )
        for _ in range(3)
    ]
    with app.test_request_context("/"):
        items = shown.answer_items(rows, PublicTexts("en", "en"), True)
    assert [a for a, _s in items] == rows
    first = items[0][1]
    assert all(s.head is first.head and s.value is first.value for _a, s in items)
    assert str(first.head) == "2025 · Company · Germany"
    assert str(first.value) == "Yes" and str(first.question) == "Q?"
