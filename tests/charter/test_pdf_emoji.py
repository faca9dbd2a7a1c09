"""The charter PDF with emoji and other scripts in its principles (issue 16): the shipped
fallbacks draw them (pdffonts lists them, embedded), nothing is drawn as .notdef, and the
space after an emoji stays."""

from __future__ import annotations

import datetime as dt

from tests.charter.builders import publish_charter
from tests.pdftools import notdef_characters, page_text, pdffonts, words_with_boxes


def test_emoji_in_a_principle_print_with_the_fallback_font(client, db, secretariat, tmp_path):
    publish_charter(
        secretariat,
        [
            ("Protect 🛡️ users", "We keep 🔒 accounts safe, ✅ always.", "Security"),
            ("Speak every language", "Hello, שלום, مرحبا, नमस्ते and สวัสดี.", "Reach"),
        ],
        title="The Emoji 🌍 Accord",
        effective=dt.date(2024, 3, 1),
    )
    db.session.commit()
    pdf = client.get("/charter.pdf").data
    fonts = pdffonts(pdf, tmp_path)
    assert {"Noto-Emoji", "Noto-Sans-Hebrew", "Noto-Sans-Arabic", "Noto-Sans-Thai"} <= set(fonts)
    assert notdef_characters(pdf) == ""
    text = page_text(pdf, tmp_path)
    assert "We keep 🔒 accounts safe" in text
    words = [w for w, _a, _b in words_with_boxes(pdf, tmp_path)]
    assert "🔒" in words and words[words.index("🔒") + 1] == "accounts"  # not glued on
