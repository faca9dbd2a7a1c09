"""Markdown rendering: sanitised, and the reused parser carries nothing from one text to the
next (footnotes, abbreviations and reference links are per text)."""

from __future__ import annotations

from app.markdown import _convert, render, to_plain


def test_markdown_is_rendered_and_sanitised():
    html = str(
        render("**Bold** [x](javascript:alert(1)) <script>alert(1)</script>\n\n| a |\n|---|\n| b |")
    )
    assert "<strong>Bold</strong>" in html
    assert "javascript:" not in html and "<script" not in html
    assert "<table>" in html
    assert (
        str(render("[site](https://example.org)")).count('rel="nofollow noopener noreferrer"') == 1
    )
    assert render(None) == "" and render("") == ""


def test_nothing_leaks_from_one_text_to_the_next():
    first = str(
        render(
            "Uses MFA.[^1]\n\n[^1]: Since 2024.\n\n*[MFA]: multi-factor authentication\n\n"
            "See [the policy][p].\n\n[p]: https://example.org/policy"
        )
    )
    assert "Since 2024." in first and "multi-factor authentication" in first
    assert "https://example.org/policy" in first
    second = str(render("MFA again, [the policy][p] and a note.[^1]"))
    assert "multi-factor authentication" not in second
    assert "example.org/policy" not in second and "Since 2024." not in second
    assert second == _convert("MFA again, [the policy][p] and a note.[^1]")


def test_long_texts_are_rendered_too_and_plain_text_is_trimmed():
    long_text = "word " * 5000
    assert str(render(long_text)).startswith("<p>word word")
    assert to_plain("**Hello** _world_ and more", limit=14) == "Hello world…"
