"""Evidence files: recognise what a file is from its bytes, attach it to a draft, remove it,
and decide who may download it.

Accepted: PDF, PNG, JPEG, plain text, CSV, XLSX and DOCX, up to `EVIDENCE_MAX_BYTES`.
The type comes from the content, never from the name: a renamed executable or an HTML page
called `policy.pdf` is refused. Bytes are stored once per SHA-256 (`store_file`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.services import record, store_file
from app.db import db
from app.errors import NotFound, ValidationFailed
from app.reporting.filling.access import ensure_can_edit
from app.reporting.filling.revisions import claim_revision, log_edit
from app.reporting.models import Evidence, QuestionType, Report, ReportVersion
from app.security import is_secretariat, represents

MAX_FILES_PER_QUESTION = 10


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    label: str


PDF = Kind("application/pdf", "pdf", "PDF")
PNG = Kind("image/png", "png", "PNG")
JPEG = Kind("image/jpeg", "jpg", "JPEG")
TEXT = Kind("text/plain", "txt", "Text")
CSV = Kind("text/csv", "csv", "CSV")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "XLSX")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "DOCX"
)
KINDS = (PDF, PNG, JPEG, TEXT, CSV, XLSX, DOCX)
EXTENSIONS = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "txt": TEXT,
    "text": TEXT,
    "md": TEXT,
    "csv": CSV,
    "xlsx": XLSX,
    "docx": DOCX,
}
ACCEPT_ATTRIBUTE = ",".join(
    [".pdf", ".png", ".jpg", ".jpeg", ".txt", ".csv", ".xlsx", ".docx"]
    + sorted({k.content_type for k in KINDS})
)

# Text that is really markup a browser would run, whatever the file is called.
_MARKUP_RE = re.compile(
    rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<script|<svg|<\?xml|<iframe|<object|<embed|<a\s|<img\s|<meta\s|<link\s|<style)",
    re.IGNORECASE,
)


def sniff(data: bytes) -> Kind | None:
    """The kind of file these bytes are, or None when it is not one we accept."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return _sniff_text(data)


def _sniff_zip(data: bytes) -> Kind | None:
    """XLSX and DOCX are ZIP files with `[Content_Types].xml` and an `xl/` or `word/` part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("xl/") for name in names):
        return XLSX
    if any(name.startswith("word/") for name in names):
        return DOCX
    return None


def _sniff_text(data: bytes) -> Kind | None:
    """UTF-8 text without binary control characters; CSV when rows split consistently."""
    if not data or b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if _MARKUP_RE.match(data.lstrip(b"\xef\xbb\xbf")):
        return None
    sample = text[:65536]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if controls:
        return None
    return CSV if _looks_like_csv(sample) else TEXT


def _looks_like_csv(sample: str) -> bool:
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    if len(lines) < 2:
        return False
    if len(lines) == 50 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut
    for delimiter in (",", ";", "\t"):
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        widths = {len(row) for row in rows}
        if len(widths) == 1 and widths.pop() >= 2:
            return True
    return False


def clean_filename(filename: str, kind: Kind) -> str:
    """A safe display name with the extension that matches the content."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[\"<>:|?*]", "_", name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = stem.strip(" .")[:180] or _("evidence")
    if EXTENSIONS.get(extension.lower()) is kind:
        return f"{stem}.{extension.lower()}"
    return f"{stem}.{kind.extension}"


def check_file(filename: str, data: bytes) -> Kind:
    """The file's kind; ValidationFailed (field `file`) when it is empty, too big or not
    a kind we accept."""
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    if not data:
        raise ValidationFailed(_("The file %(name)s is empty.", name=filename or ""), field="file")
    if len(data) > limit:
        raise ValidationFailed(
            _(
                "%(name)s is larger than %(mb)s MB. Please send a smaller file.",
                name=filename or _("The file"),
                mb=limit // (1024 * 1024),
            ),
            field="file",
        )
    kind = sniff(data)
    if kind is None:
        raise ValidationFailed(
            _(
                "%(name)s is not a PDF, PNG, JPEG, text, CSV, XLSX or DOCX file (we check the "
                "content, not the name).",
                name=filename or _("The file"),
            ),
            field="file",
        )
    return kind


def attach(actor, report: Report, question, filename: str, data: bytes) -> tuple[Evidence, bool]:
    """Store the bytes (once per SHA-256) and attach them to the report's answer.
    Returns the evidence and whether it is new (the same file twice is kept once)."""
    if question.type != QuestionType.EVIDENCE:
        raise ValidationFailed(_("This question does not take files."), field="file")
    kind = check_file(filename, data)
    stored = store_file(data, kind.content_type)
    current = db.session.scalars(
        select(Evidence).where(
            Evidence.report_id == report.id,
            Evidence.question_id == question.id,
            Evidence.removed.is_(False),
        )
    ).all()
    for evidence in current:
        if evidence.sha256 == stored.sha256:
            return evidence, False
    if len(current) >= MAX_FILES_PER_QUESTION:
        raise ValidationFailed(
            _(
                "A question can have at most %(n)d files. Remove one first.",
                n=MAX_FILES_PER_QUESTION,
            ),
            field="file",
        )
    evidence = Evidence(
        report_id=report.id,
        question_id=question.id,
        sha256=stored.sha256,
        filename=clean_filename(filename, kind),
        content_type=kind.content_type,
        size=len(data),
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(evidence)
    db.session.flush()
    record(
        actor,
        "report.evidence_added",
        report,
        summary=evidence.filename,
        question_id=question.id,
        sha256=stored.sha256,
    )
    return evidence, True


def cited_by(versions, evidence_id: int) -> bool:
    for version in versions:
        for section in (version.snapshot or {}).get("sections", []):
            for question in section.get("questions", []):
                if any(item.get("id") == evidence_id for item in question.get("evidence", [])):
                    return True
    return False


def downloadable(user, evidence_id: int) -> Evidence:
    """The evidence if `user` may download it, else NotFound (its existence stays private).

    The secretariat and the organisation's representatives may; anyone may when the
    question is public and a version the secretariat accepted cites the file.
    """
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None:
        raise NotFound(_("This file does not exist or is not available to you."))
    report = evidence.report
    if is_secretariat(user) or represents(user, report.organisation_id):
        if not evidence.removed:
            return evidence
        versions = db.session.scalars(
            select(ReportVersion).where(ReportVersion.report_id == report.id)
        ).all()
        if cited_by(versions, evidence.id):
            return evidence
        raise NotFound(_("This file does not exist or is not available to you."))
    if evidence.question.is_public:
        accepted = db.session.scalars(
            select(ReportVersion).where(
                ReportVersion.report_id == report.id, ReportVersion.review_state == "accepted"
            )
        ).all()
        if cited_by(accepted, evidence.id):
            return evidence
    raise NotFound(_("This file does not exist or is not available to you."))


# Attaching to and removing from a draft ------------------------------------------------------


def attach_evidence(actor, report: Report, question, filename: str, data: bytes) -> Evidence:
    ensure_can_edit(actor, report)
    if question.section.cycle_id != report.cycle_id:
        raise ValidationFailed(_("This question belongs to another questionnaire."), field="file")
    item, created = attach(actor, report, question, filename, data)
    if created:
        revision = claim_revision(actor, report, None)
        log_edit(actor, report, revision, parts=[f"evidence:{question.id}"])
        db.session.flush()
    return item


def remove_evidence(actor, report: Report, evidence_id: int) -> Evidence:
    ensure_can_edit(actor, report)
    item = db.session.get(Evidence, evidence_id)
    if item is None or item.report_id != report.id or item.removed:
        raise NotFound(_("This file is not attached to your report."))
    item.removed = True
    revision = claim_revision(actor, report, None)
    log_edit(actor, report, revision, parts=[f"evidence:{item.question_id}"])
    db.session.flush()
    record(actor, "report.evidence_removed", report, summary=item.filename)
    return item
