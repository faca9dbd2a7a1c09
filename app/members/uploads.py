"""Logo uploads: recognised by their content, decoded and re-encoded with Pillow.

Only PNG, JPEG and WebP are accepted, whatever the file is called. The image is decoded,
turned upright (EXIF orientation), reduced to at most MAX_SIDE pixels a side and written
again as a fresh PNG, so nothing of the original file survives: no metadata (EXIF, GPS,
ICC profiles, text chunks), no trailing bytes, no polyglot payload. SVG is never accepted.
"""

from __future__ import annotations

import io
import warnings

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import ValidationFailed

MAX_SIDE = 512
# Refuse absurd canvases before decoding them (decompression bombs).
MAX_PIXELS = 40_000_000

_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def sniff(data: bytes) -> str | None:
    """The image format named by the file's first bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _complete(kind: str, data: bytes) -> bool:
    """Does the file end where its format says it ends? Checked here, not left to Pillow:
    WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which makes Pillow decode
    cut-off files silently."""
    if kind == "PNG":
        return b"IEND\xaeB`\x82" in data
    if kind == "JPEG":
        return b"\xff\xd9" in data[2:]
    declared = int.from_bytes(data[4:8], "little") + 8
    return 12 < declared <= len(data)


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="logo")


def _too_large() -> ValidationFailed:
    return _refuse(
        _(
            "The logo's dimensions are too large. Please send an image of at most "
            "%(mp)d million pixels.",
            mp=MAX_PIXELS // 1_000_000,
        )
    )


def read_limited(stream, max_bytes: int) -> bytes:
    """Read at most max_bytes + 1 bytes: enough to know a file is too large."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refuse(
            _(
                "The logo is larger than %(mb)d MB. Please send a smaller file.",
                mb=max_bytes // (1024 * 1024),
            )
        )
    return data


def clean_logo(data: bytes, max_bytes: int) -> bytes:
    """Check an uploaded logo and return it re-encoded as a metadata-free PNG."""
    if not data:
        raise _refuse(_("The logo file is empty."))
    if len(data) > max_bytes:
        raise _refuse(
            _(
                "The logo is larger than %(mb)d MB. Please send a smaller file.",
                mb=max_bytes // (1024 * 1024),
            )
        )
    head = data[:512].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head:
        raise _refuse(_("SVG logos are not accepted. Please send a PNG, JPEG or WebP image."))
    kind = sniff(data)
    if kind is None:
        raise _refuse(
            _(
                "This file is not a PNG, JPEG or WebP image. Please send the logo in one of "
                "these formats."
            )
        )
    if not _complete(kind, data):
        raise _refuse(
            _(
                "The logo file is incomplete or damaged, so it could not be read. "
                "Please send it again."
            )
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise _too_large()
            image.load()
    except ValidationFailed:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_large() from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise _refuse(
            _(
                "The logo could not be read as a %(kind)s image. The file may be damaged or "
                "not what its name says.",
                kind=kind,
            )
        ) from exc
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A fresh image holding only the pixels: no metadata can ride along.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()
