"""Reading PDFs back in tests: fonts (as `pdffonts` lists them), the characters each
embedded font draws, the ones drawn as .notdef (empty boxes), text per page (pdftotext)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils, scripts/system-deps.sh test) is not installed")
    return path


def pdffonts(pdf: bytes, tmp_path: Path) -> list[str]:
    """The font names `pdffonts` lists, without their subset prefix."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        [poppler("pdffonts"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [line.split()[0].split("+")[-1] for line in out.splitlines()[2:] if line.strip()]


def page_text(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    """pdftotext's text of one page (1-based) or of the whole document."""
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        [poppler("pdftotext"), *pages, str(path), "-"], capture_output=True, check=True
    )
    # An emoji sequence with a variation selector (🛡️) comes back as lone surrogates.
    return out.stdout.decode("utf-8", errors="replace")


def words_with_boxes(pdf: bytes, tmp_path: Path) -> list[tuple[str, float, float]]:
    """(word, xMin, xMax) as pdftotext -bbox reads them, in reading order."""
    path = tmp_path / "bbox.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        [poppler("pdftotext"), "-bbox", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8", errors="replace")
    pattern = r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>'
    return [(w, float(a), float(b)) for a, b, w in re.findall(pattern, out)]


def _cmap_pairs(stream: pikepdf.Stream, begin: str, end: str) -> list[tuple[int, str]]:
    text = stream.read_bytes().decode("latin-1")
    pairs = []
    for block in re.findall(rf"{begin}(.*?){end}", text, re.S):
        pairs += [
            (int(a, 16), b)
            for a, b in re.findall(r"<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\d+)", block)
        ]
    return pairs


def drawn_characters(pdf: bytes) -> dict[str, tuple[str, str]]:
    """Per embedded font (name without subset prefix): (the characters it draws, those it
    draws as .notdef). WeasyPrint writes a font with missing glyphs with its own encoding
    CMap that sends those codes to CID 0, the .notdef glyph; its ToUnicode still names the
    character, which is why pdftotext alone cannot tell a box from a glyph."""
    found: dict[str, tuple[str, str]] = {}
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            for font in (page.obj.get("/Resources", {}).get("/Font", {}) or {}).values():
                unicode_of: dict[int, str] = {}
                if (to_unicode := font.get("/ToUnicode")) is not None:
                    for code, uni in _cmap_pairs(to_unicode, "beginbfchar", "endbfchar"):
                        unicode_of[code] = bytes.fromhex(uni.strip("<>")).decode("utf-16-be")
                notdef = set()
                if isinstance(encoding := font.get("/Encoding"), pikepdf.Stream):
                    notdef = {
                        code
                        for code, cid in _cmap_pairs(encoding, "begincidchar", "endcidchar")
                        if cid == "0"
                    }
                name = str(font.get("/BaseFont", "")).split("+")[-1]
                chars, missing = found.get(name, ("", ""))
                chars += "".join(unicode_of.values())
                missing += "".join(unicode_of.get(code, "?") for code in notdef)
                found[name] = (chars, missing)
    return found


def notdef_characters(pdf: bytes) -> str:
    """Every character some font of this PDF draws as an empty box."""
    return "".join(missing for _, missing in drawn_characters(pdf).values())
