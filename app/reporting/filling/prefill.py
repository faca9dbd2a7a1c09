"""Prefilling a draft from the organisation's report of an earlier year."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.core.services import record
from app.db import db
from app.errors import ValidationFailed
from app.reporting import answers
from app.reporting.filling.access import ensure_can_edit, started
from app.reporting.filling.data import ReportData, load
from app.reporting.filling.revisions import check_base, claim_revision, log_edit
from app.reporting.models import (
    Answer,
    Evidence,
    QuestionType,
    Report,
    ReportingCycle,
    ReportVersion,
)


def last_submitted_version(report: Report) -> ReportVersion | None:
    """The organisation's most recent submitted version from an earlier cycle."""
    return db.session.scalar(
        select(ReportVersion)
        .join(Report, Report.current_version_id == ReportVersion.id)
        .join(ReportingCycle, ReportingCycle.id == Report.cycle_id)
        .where(
            Report.organisation_id == report.organisation_id,
            ReportingCycle.year < report.cycle.year,
        )
        .order_by(ReportingCycle.year.desc())
        .limit(1)
    )


def prefill_from_last_year(actor, report: Report, base_revision: int) -> int:
    """Copy last year's submitted answers where the question is unchanged (same lineage,
    type and text) and still valid; never overwrite an answer already given. Evidence
    files are re-attached the same way. Returns how many answers were filled in. Starts the
    report when it is the first change."""
    report = started(actor, report)
    ensure_can_edit(actor, report)
    base_revision = check_base(report, base_revision)
    previous = last_submitted_version(report)
    if previous is None:
        raise ValidationFailed(_("There is no submitted report from an earlier year to copy."))
    data = load(report, with_pledges=False, with_comments=False)
    changes, files, languages = _copyable(data, previous)
    if not changes and not files:
        return 0
    revision = claim_revision(actor, report, base_revision)
    now = clock.now()
    for key, change in changes.items():
        db.session.add(
            Answer(
                report_id=report.id,
                question_id=int(key),
                value=change["new"],
                language=languages.get(key),  # written in last year's language
                updated_at=now,
            )
        )
    parts = ["prefill"] + _copy_files(actor, report, files)
    if not report.officer_name and not report.officer_title:
        report.officer_name = previous.officer_name
        report.officer_title = previous.officer_title
        parts.append("attestation")
    log_edit(actor, report, revision, changes=changes, parts=parts)
    db.session.flush()
    record(actor, "report.prefilled", report, summary=str(len(changes)), from_version=previous.id)
    return len(changes) + sum(1 for _q, items in files if items)


def _copyable(
    data: ReportData, previous: ReportVersion
) -> tuple[dict[str, dict], list[tuple], dict[str, str | None]]:
    """What can be copied from `previous` into the draft: the answers, as edit-log changes,
    the files, as (question, [snapshot evidence items]) for questions without files, and the
    language each answer was written in."""
    by_lineage = {}
    for section in previous.snapshot.get("sections", []):
        for old in section.get("questions", []):
            by_lineage[old.get("lineage")] = old
    changes: dict[str, dict] = {}
    files: list[tuple] = []
    languages: dict[str, str | None] = {}
    for question in data.questions:
        old = by_lineage.get(question.lineage)
        if not _same_question(old, question):
            continue
        if question.type == QuestionType.EVIDENCE:
            if not data.evidence.get(question.id) and old.get("evidence"):
                files.append((question, old["evidence"]))
            continue
        value = old.get("value")
        if value is None or not answers.is_empty(data.values.get(question.id)):
            continue
        if answers.recheck(question, value) is not None:
            continue
        changes[str(question.id)] = {"old": None, "new": value}
        languages[str(question.id)] = old.get("lang")
    return changes, files, languages


def _same_question(old: dict | None, question) -> bool:
    """Whether a snapshot's question asks what `question` asks: same type, same text."""
    if old is None or old.get("type") != question.type:
        return False
    return " ".join((old.get("text") or "").split()) == " ".join(question.text.split())


def _copy_files(actor, report: Report, files: list[tuple]) -> list[str]:
    """Attach the stored files again (the bytes are kept once per SHA-256); the edit-log
    parts, one per question."""
    parts = []
    for question, items in files:
        for item in items:
            if not isinstance(item, dict) or not item.get("sha256"):
                continue
            db.session.add(
                Evidence(
                    report_id=report.id,
                    question_id=question.id,
                    sha256=item["sha256"],
                    filename=item.get("filename") or "evidence",
                    content_type=item["content_type"],
                    size=item.get("size") or 0,
                    uploaded_by_id=getattr(actor, "id", None),
                )
            )
        parts.append(f"evidence:{question.id}")
    return parts
