"""Logo uploads: recognised by content, re-encoded, metadata stripped, bounded."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from app.errors import ValidationFailed
from app.members.uploads import MAX_SIDE, clean_logo, sniff
from tests.members.builders import image_bytes

LIMIT = 2 * 1024 * 1024


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_accepted_formats_come_out_as_png(fmt):
    out = clean_logo(image_bytes(fmt, size=(80, 40)), LIMIT)
    image = Image.open(io.BytesIO(out))
    assert image.format == "PNG" and image.size == (80, 40)


def test_transparency_is_kept():
    out = clean_logo(image_bytes("PNG", mode="RGBA"), LIMIT)
    assert Image.open(io.BytesIO(out)).mode == "RGBA"


def test_large_images_are_scaled_down():
    out = clean_logo(image_bytes("PNG", size=(2000, 1000)), LIMIT)
    assert Image.open(io.BytesIO(out)).size == (MAX_SIDE, MAX_SIDE // 2)


def test_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x8825] = {1: "N"}  # GPS info
    jpeg = image_bytes("JPEG", exif=exif.tobytes(), icc_profile=b"fake-icc-profile")
    assert b"SpyCam" in jpeg
    info = PngInfo()
    info.add_text("Comment", "secret author note")
    png = image_bytes("PNG", pnginfo=info)
    for data in (jpeg, png):
        out = clean_logo(data, LIMIT)
        assert b"SpyCam" not in out and b"secret author note" not in out
        assert b"fake-icc" not in out
        image = Image.open(io.BytesIO(out))
        assert not image.getexif() and "icc_profile" not in image.info
        assert not {k for k in image.info if k not in ("dpi",)}


def test_trailing_payload_is_dropped():
    polyglot = image_bytes("PNG") + b"<?php system($_GET['c']); ?>"
    assert b"<?php" not in clean_logo(polyglot, LIMIT)


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    out = clean_logo(image_bytes("JPEG", size=(60, 20), exif=exif.tobytes()), LIMIT)
    assert Image.open(io.BytesIO(out)).size == (20, 60)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        (b'<?xml version="1.0"?><svg/>', "SVG"),
        (b"GIF89a" + b"\x00" * 40, "not a PNG, JPEG or WebP"),
        (b"%PDF-1.7\n" + b"x" * 100, "not a PNG, JPEG or WebP"),
        (b"MZ\x90\x00" + b"\x00" * 100, "not a PNG, JPEG or WebP"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "could not be read"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "could not be read"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 30, "could not be read"),
    ],
)
def test_refused_files(data, message):
    with pytest.raises(ValidationFailed) as error:
        clean_logo(data, LIMIT)
    assert message in error.value.message
    assert error.value.field == "logo"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
@pytest.mark.parametrize("load_truncated", [False, True])
def test_truncated_images_are_refused(fmt, load_truncated, monkeypatch):
    from PIL import ImageFile

    # WeasyPrint turns this on for the whole process when it is imported.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", load_truncated)
    data = image_bytes(fmt, size=(300, 300))
    with pytest.raises(ValidationFailed) as error:
        clean_logo(data[: len(data) // 2], LIMIT)
    assert error.value.field == "logo"


def test_oversized_file_is_refused():
    with pytest.raises(ValidationFailed) as error:
        clean_logo(image_bytes("PNG") + b"\x00" * LIMIT, LIMIT)
    assert "larger than 2 MB" in error.value.message


def test_decompression_bomb_is_refused_before_decoding():
    # A tiny, well-formed PNG that claims a 10,000 × 10,000 canvas.
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 10_000, 10_000, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )
    assert len(bomb) < 200
    with pytest.raises(ValidationFailed) as error:
        clean_logo(bomb, LIMIT)
    assert "dimensions are too large" in error.value.message
    # Below Pillow's own bomb limit, but above ours.
    big = (
        bomb[:8] + chunk(b"IHDR", struct.pack(">IIBBBBB", 7_000, 7_000, 8, 2, 0, 0, 0)) + bomb[33:]
    )
    with pytest.raises(ValidationFailed) as error:
        clean_logo(big, LIMIT)
    assert "dimensions are too large" in error.value.message


def test_sniff():
    assert sniff(image_bytes("PNG")) == "PNG"
    assert sniff(image_bytes("JPEG")) == "JPEG"
    assert sniff(image_bytes("WEBP")) == "WEBP"
    assert sniff(b"GIF89a") is None
