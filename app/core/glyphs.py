"""Which characters the fonts Pactum ships can draw (issue 16).

Every PDF sets its text in the fonts of `static/fonts/`: Source Sans 3 and Source Serif 4,
and behind them the Noto fallbacks (Noto Sans, the scripts Latin faces lack, Noto Sans
Symbols, monochrome Noto Emoji; all SIL Open Font License 1.1), which `app.core.pdf` gives
every WeasyPrint font configuration (`FALLBACKS`, in the order they are tried). A
character none of them covers would be drawn as an empty box (.notdef) in a PDF that,
once published, never changes: `undrawable(text)` names those characters so the
secretariat sees them before publishing.

Coverage is read from the fonts' cmap tables with fontTools (a dependency of WeasyPrint),
once per process.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.config import BASE_DIR

FONTS_DIR = BASE_DIR / "static" / "fonts"
PRIMARY = ("SourceSans3-Regular.ttf", "SourceSerif4-Regular.ttf")
PRIMARY_FAMILIES = ("Source Sans 3", "Source Serif 4")
# Fallback faces, in the order they claim characters: general text first, then the
# scripts, then symbols, and emoji last (a character both Symbols and Emoji draw is set as
# text, the way it is in running prose).
FALLBACKS = (
    ("NotoSans-Regular.ttf", "Noto Sans"),
    ("NotoSansArabic-Regular.ttf", "Noto Sans Arabic"),
    ("NotoSansHebrew-Regular.ttf", "Noto Sans Hebrew"),
    ("NotoSansDevanagari-Regular.ttf", "Noto Sans Devanagari"),
    ("NotoSansBengali-Regular.ttf", "Noto Sans Bengali"),
    ("NotoSansGurmukhi-Regular.ttf", "Noto Sans Gurmukhi"),
    ("NotoSansGujarati-Regular.ttf", "Noto Sans Gujarati"),
    ("NotoSansOriya-Regular.ttf", "Noto Sans Oriya"),
    ("NotoSansTamil-Regular.ttf", "Noto Sans Tamil"),
    ("NotoSansTelugu-Regular.ttf", "Noto Sans Telugu"),
    ("NotoSansKannada-Regular.ttf", "Noto Sans Kannada"),
    ("NotoSansMalayalam-Regular.ttf", "Noto Sans Malayalam"),
    ("NotoSansSinhala-Regular.ttf", "Noto Sans Sinhala"),
    ("NotoSansThai-Regular.ttf", "Noto Sans Thai"),
    ("NotoSansLao-Regular.ttf", "Noto Sans Lao"),
    ("NotoSansKhmer-Regular.ttf", "Noto Sans Khmer"),
    ("NotoSansMyanmar-Regular.ttf", "Noto Sans Myanmar"),
    ("NotoSansArmenian-Regular.ttf", "Noto Sans Armenian"),
    ("NotoSansGeorgian-Regular.ttf", "Noto Sans Georgian"),
    ("NotoSansEthiopic-Regular.ttf", "Noto Sans Ethiopic"),
    ("NotoSansSymbols-Regular.ttf", "Noto Sans Symbols"),
    ("NotoSansSymbols2-Regular.ttf", "Noto Sans Symbols2"),
    ("NotoEmoji-Regular.ttf", "Noto Emoji"),
)
# Characters that draw nothing and need no glyph: controls, joiners, variation selectors.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
_lock = threading.Lock()
_coverage: frozenset[int] | None = None


def font_codepoints(path: Path) -> set[int]:
    """The code points a font's cmap maps to a glyph."""
    from fontTools.ttLib import TTFont  # loaded with WeasyPrint; only needed here

    with TTFont(path, lazy=True) as font:
        return set(font.getBestCmap() or {})


def shipped_coverage() -> frozenset[int]:
    """Every code point some shipped font draws (cached per process)."""
    global _coverage
    with _lock:
        if _coverage is None:
            points: set[int] = set()
            for name in PRIMARY + tuple(file for file, _ in FALLBACKS):
                points |= font_codepoints(FONTS_DIR / name)
            _coverage = frozenset(points)
        return _coverage


def _needs_glyph(char: str) -> bool:
    if char.isspace():
        return False
    if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
        return False
    # Variation selectors and emoji tag characters shape into their neighbour.
    code = ord(char)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0000 <= code <= 0xE007F)


@dataclass(frozen=True)
class Undrawable:
    char: str
    codepoint: str  # "U+4F60"
    name: str  # the Unicode name ("CJK UNIFIED IDEOGRAPH-4F60"), or "" when it has none
    where: str  # where it was found (a principle's title, an organisation's answer)

    @property
    def label(self) -> str:
        return f"{self.char} ({self.codepoint}{', ' + self.name if self.name else ''})"


def undrawable(texts: Iterable[tuple[str, str | None]], limit: int = 50) -> list[Undrawable]:
    """The characters of these texts that no shipped font can draw, once each, in order of
    first appearance, with where each was first found. `texts` yields (where, text)."""
    covered = shipped_coverage()
    seen: set[str] = set()
    found: list[Undrawable] = []
    for where, text in texts:
        for char in text or "":
            if char in seen or ord(char) in covered or not _needs_glyph(char):
                continue
            seen.add(char)
            found.append(Undrawable(char, f"U+{ord(char):04X}", unicodedata.name(char, ""), where))
            if len(found) >= limit:
                return found
    return found
