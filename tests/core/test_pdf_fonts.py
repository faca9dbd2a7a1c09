"""Emoji and other scripts in PDFs (issue 16): the shipped Noto fallbacks draw what Source
Sans 3 / Source Serif 4 lack, embedded like them, so nothing prints as an empty box (.notdef)
and the space after an emoji stays; what no shipped font draws is named beforehand."""

from __future__ import annotations

from app.core import glyphs
from app.core.pdf import render_pdf
from tests.pdftools import (
    drawn_characters,
    notdef_characters,
    page_text,
    pdffonts,
    words_with_boxes,
)

HTML = """<!doctype html><html lang="en"><head><title>Fonts</title>
<link rel="stylesheet" href="/static/css/print-base.css"></head><body>
<h1>Launch 🎉 party</h1>
<p>We planted 🌳 trees, ✅ done ★. Hebrew שלום, Arabic مرحبا, Hindi नमस्ते, Thai สวัสดี.</p>
<p><strong>Bold 🎉 text</strong> and a thumbs up 👍🏽 with a family 👨‍👩‍👧 too.</p>
</body></html>"""


def test_emoji_and_other_scripts_use_the_shipped_fallbacks(tmp_path):
    pdf = render_pdf(HTML)
    fonts = pdffonts(pdf, tmp_path)
    assert "Noto-Emoji" in fonts
    for script in (
        "Noto-Sans-Hebrew",
        "Noto-Sans-Arabic",
        "Noto-Sans-Devanagari",
        "Noto-Sans-Thai",
    ):
        assert script in fonts
    drawn = drawn_characters(pdf)
    assert "🎉" in drawn["Noto-Emoji-Bold"][0]  # the h1 is bold
    assert all(c in drawn["Noto-Emoji"][0] for c in "🌳✅👍")
    # No system font stands in (they differ between machines): only shipped families.
    assert all(f.startswith(("Source-Sans-3", "Source-Serif-4", "Noto-")) for f in fonts), fonts
    assert notdef_characters(pdf) == ""


def test_the_space_after_an_emoji_is_kept(tmp_path):
    pdf = render_pdf(HTML)
    assert "Launch 🎉 party" in page_text(pdf, tmp_path)
    words = words_with_boxes(pdf, tmp_path)
    at = [w for w, _, _ in words].index("🎉")
    emoji, following = words[at], words[at + 1]
    assert following[0] == "party"
    assert following[1] - emoji[2] > 4  # a space of the 24 pt heading, not glued on


def test_a_character_no_font_draws_is_a_box_and_is_named_beforehand():
    pdf = render_pdf(HTML.replace("Thai", "Chinese 你好 and Thai"))
    assert set(notdef_characters(pdf)) == {"你", "好"}
    found = glyphs.undrawable([("Principle 2", "Launch 🎉 שלום 你好, 你!")])
    assert [(u.char, u.codepoint, u.where) for u in found] == [
        ("你", "U+4F60", "Principle 2"),
        ("好", "U+597D", "Principle 2"),
    ]
    assert found[0].label == "你 (U+4F60, CJK UNIFIED IDEOGRAPH-4F60)"


def test_invisible_characters_and_covered_scripts_are_not_reported():
    text = "a\u200db\ufe0f\n\tc 👨‍👩‍👧 ★ ⬛ Ωmega ğ ə नमस्ते 漢"
    assert [u.char for u in glyphs.undrawable([("x", text)])] == ["漢"]
