"""Evidence files: recognised by content, stored once, removable, downloadable only by those
who may see them (issue 5, part A)."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from sqlalchemy import func, select

from app.core.models import StoredFile
from app.errors import NotFound, ValidationFailed
from app.reporting import filling
from app.reporting.filling import evidence
from tests.reporting.builders_filling import (  # noqa: F401  (fixtures)
    CSV,
    JPEG,
    PDF,
    PNG,
    TEXT,
    cycle,
    fill_and_submit,
    office_zip,
    world,
)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (TEXT, "text/plain"),
        (b"\xef\xbb\xbfA BOM, then text.\n", "text/plain"),
        (CSV, "text/csv"),
        (b"a;b;c\n1;2;3\n4;5;6\n", "text/csv"),
        (office_zip("xl"), evidence.XLSX.content_type),
        (office_zip("word"), evidence.DOCX.content_type),
    ],
)
def test_sniffer_recognises_accepted_kinds(data, content_type):
    assert evidence.sniff(data).content_type == content_type


def _zip(names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable
        b"\x7fELF\x02\x01\x01",  # a Linux executable
        b"GIF89a\x01\x00\x01\x00",  # an image we do not take
        b"<!DOCTYPE html><html><script>alert(1)</script>",  # HTML called .pdf
        b"  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"<?xml version='1.0'?><x/>",
        b"latin-1 text \xe9\xe8 is not UTF-8",
        b"text with a NUL\x00byte",
        b"bell\x07 and escape\x1b characters",
        _zip(["hello.txt"]),  # a ZIP that is no office file
        _zip(["[Content_Types].xml", "ppt/slide1.xml"]),  # PowerPoint is not accepted
        b"PK\x03\x04 broken zip",
        b"",
    ],
)
def test_sniffer_refuses_everything_else(data):
    assert evidence.sniff(data) is None


def test_filenames_follow_the_content():
    assert evidence.clean_filename("report.PDF", evidence.PDF) == "report.pdf"
    assert (
        evidence.clean_filename("report.docx", evidence.PDF) == "report.pdf"
    )  # the misleading extension goes
    assert evidence.clean_filename("../../etc/passwd", evidence.TEXT) == "passwd.txt"
    assert evidence.clean_filename('C:\\fake\\"evil"<name>.csv', evidence.CSV) == "_evil__name_.csv"
    assert evidence.clean_filename("", evidence.PNG) == "evidence.png"


def test_attach_stores_once_and_removal(world, db):
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    first = filling.attach_evidence(world.rep_a, report, c.q["policy"], "policy.pdf", PDF)
    assert first.content_type == "application/pdf" and first.size == len(PDF)
    assert first.sha256 == hashlib.sha256(PDF).hexdigest()
    revision = report.revision
    again = filling.attach_evidence(world.rep_a, report, c.q["policy"], "copy.pdf", PDF)
    assert again.id == first.id and report.revision == revision  # the same file is kept once
    # Another organisation uploading the same bytes shares the stored file.
    other = filling.get_or_start_report(world.rep_b, c, world.org_b)
    filling.attach_evidence(world.rep_b, other, c.q["policy"], "theirs.pdf", PDF)
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1
    filling.remove_evidence(world.rep_a, report, first.id)
    assert first.removed and filling.load(report).evidence == {}
    with pytest.raises(NotFound):
        filling.remove_evidence(world.rep_a, report, first.id)
    with pytest.raises(NotFound):  # not yours
        filling.remove_evidence(world.rep_b, other, first.id)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.pdf", PDF + b"x" * (10 * 1024 * 1024), "larger than 10 MB"),
        ("empty.pdf", b"", "empty"),
        ("policy.pdf", b"MZ\x90\x00 an executable", "we check the content"),
        ("photo.png", b"<html><body>hello</body></html>", "we check the content"),
    ],
)
def test_bad_files_are_refused(world, db, name, data, message):
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    with pytest.raises(ValidationFailed, match=message) as error:
        filling.attach_evidence(world.rep_a, report, c.q["policy"], name, data)
    assert error.value.field == "file"


def test_files_only_on_evidence_questions_of_the_same_questionnaire(world, secretariat, db):
    from tests.reporting.builders_filling import build_cycle

    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    with pytest.raises(ValidationFailed, match="does not take files"):
        filling.attach_evidence(world.rep_a, report, c.q["contact"], "x.pdf", PDF)
    other = build_cycle(secretariat, year=2027, open_it=False)
    with pytest.raises(ValidationFailed, match="another questionnaire"):
        filling.attach_evidence(world.rep_a, report, other.q["policy"], "x.pdf", PDF)


def test_download_rules(world, secretariat, db, make_user):
    c = world.cycle
    version = fill_and_submit(world.rep_a, c)
    item_id = version.snapshot["sections"][1]["questions"][3]["evidence"][0]["id"]
    assert evidence.downloadable(secretariat, item_id).id == item_id
    assert evidence.downloadable(world.rep_a, item_id).id == item_id
    for outsider in (world.rep_b, None):
        with pytest.raises(NotFound):
            evidence.downloadable(outsider, item_id)
    with pytest.raises(NotFound):
        evidence.downloadable(secretariat, 999999)
    # A public question's file becomes public once the secretariat accepts a version citing it.
    c.q["policy"].is_public = True
    version.review_state = "accepted"
    db.session.flush()
    assert evidence.downloadable(None, item_id).id == item_id
    # Removed from the draft: still readable through the version that cites it.
    report = version.report
    filling.remove_evidence(world.rep_a, report, item_id)
    assert evidence.downloadable(world.rep_a, item_id).id == item_id
