"""Submitting: what stops a draft from being submitted, and freezing it into the next
immutable `ReportVersion` (with `SubmittedAnswer` rows and the pledges' history).

A submission sends `signals.report_submitted`; the receipt mail with its PDF copy is the
notification layer's (`app.reporting.filling.notifications`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from app import clock
from app.core import signals
from app.core.services import record
from app.db import db
from app.errors import Conflict, PermissionDenied
from app.members.models import Pledge
from app.members.services import add_pledge_update
from app.reporting import answers, cycles
from app.reporting.filling.access import ensure_can_edit, started
from app.reporting.filling.data import ReportData, load
from app.reporting.filling.drafts import set_attestation
from app.reporting.filling.errors import Issue, StaleDraft, SubmissionIncomplete
from app.reporting.filling.revisions import check_base, claim_revision, log_edit
from app.reporting.filling.snapshot import build_snapshot
from app.reporting.models import (
    QuestionType,
    Report,
    ReportState,
    ReportVersion,
    SubmittedAnswer,
)


def submission_issues(data: ReportData, authorised: bool | None = None) -> list[Issue]:
    """Everything that stops this draft from being submitted, in questionnaire order."""
    issues: list[Issue] = []
    for question in data.questions:
        if not data.shown.get(question.id):
            continue
        value = data.values.get(question.id)
        message = None
        if question.required and not data.answered(question):
            message = (
                _("Attach at least one file.")
                if question.type == QuestionType.EVIDENCE
                else _("This question needs an answer.")
            )
        elif question.type != QuestionType.EVIDENCE:
            message = answers.recheck(question, value)
        if message:
            issues.append(
                Issue(
                    message=message,
                    page="section",
                    section_index=data.section_of[question.id],
                    question_id=question.id,
                    number=data.numbers[question.id],
                    text=question.text,
                    anchor=f"q-{question.id}",
                )
            )
    report = data.report
    for name, label in (
        ("officer_name", _("Name of the senior officer")),
        ("officer_title", _("Title of the senior officer")),
        ("support_statement", _("Statement of continued support")),
    ):
        if not getattr(report, name):
            issues.append(
                Issue(
                    message=_("Please fill in this part of the attestation."),
                    page="attestation",
                    text=label,
                    anchor=name,
                )
            )
    if authorised is False:
        issues.append(
            Issue(
                message=_("Confirm that you are authorised to submit this report."),
                page="submit",
                text=_("Authorisation"),
                anchor="authorised",
            )
        )
    return issues


def _pledge_updates(
    actor,
    version: ReportVersion,
    previous: ReportVersion | None,
    pledges: dict[int, Pledge],
    now: dt.datetime,
) -> None:
    before = {p["id"]: p for p in (previous.snapshot.get("pledges", []) if previous else [])}
    for item in version.snapshot.get("pledges", []):
        pledge = pledges.get(item["id"])
        if pledge is None:
            continue
        was = before.get(item["id"])
        if was is not None and (was["status"], was["note"]) == (item["status"], item["note"]):
            continue
        add_pledge_update(
            actor, pledge, item["status"], item["note"], report_version_id=version.id, at=now
        )


def submit_report(
    actor, report: Report, authorised: bool, base_revision: int | None = None
) -> ReportVersion:
    """Validate everything and freeze the draft into the next immutable version."""
    ensure_can_edit(actor, report)
    if not cycles.may_report(report.cycle, report.organisation):
        raise PermissionDenied(
            _("%(org)s cannot submit a report in this cycle.", org=report.organisation.name)
        )
    if base_revision is not None:
        check_base(report, base_revision)
    data = load(report, with_comments=False)
    issues = submission_issues(data, authorised=bool(authorised))
    if issues:
        raise SubmissionIncomplete(
            ngettext(
                "The report cannot be submitted yet: %(num)d answer or detail is missing "
                "or invalid.",
                "The report cannot be submitted yet: %(num)d answers or details are missing "
                "or invalid.",
                len(issues),
            ),
            issues,
        )
    now = clock.now()
    revision = claim_revision(actor, report, report.revision)
    snapshot = build_snapshot(report, data=data, submitted_by=actor, submitted_at=now)
    previous = db.session.scalar(
        select(ReportVersion)
        .where(ReportVersion.report_id == report.id)
        .order_by(ReportVersion.number.desc())
        .limit(1)
    )
    version = _freeze(actor, report, snapshot, (previous.number if previous else 0) + 1, now)
    log_edit(actor, report, revision, parts=["submitted"])
    db.session.flush()
    _pledge_updates(actor, version, previous, {p.id: p for p in data.pledges}, now)
    record(
        actor,
        "report.submitted",
        report,
        summary=f"{report.organisation.name} {report.cycle.year} v{version.number}",
        version=version.number,
        late=version.is_late,
    )
    signals.report_submitted.send(version, actor=actor)
    return version


def _freeze(actor, report: Report, snapshot: dict, number: int, now: dt.datetime) -> ReportVersion:
    """The version `number` of the report, with its submitted answers; the report's state
    follows (submitted, late or not, no longer accepted)."""
    due = cycles.effective_due_date(report.cycle, report.organisation_id)
    late = now.date() > due
    version = ReportVersion(
        report_id=report.id,
        number=number,
        submitted_at=now,
        submitted_by_id=getattr(actor, "id", None),
        is_late=late,
        officer_name=report.officer_name,
        officer_title=report.officer_title,
        support_statement=report.support_statement,
        snapshot=snapshot,
        questionnaire_hash=snapshot["questionnaire_hash"],
        review_state=ReportState.SUBMITTED,
    )
    db.session.add(version)
    db.session.flush()
    for section in snapshot["sections"]:
        for q in section["questions"]:
            db.session.add(
                SubmittedAnswer(
                    version_id=version.id,
                    question_id=q["id"],
                    value=q["value"],
                    language=q.get("lang"),
                )
            )
    report.state = ReportState.SUBMITTED
    report.current_version = version
    report.last_submitted_at = now
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        report.is_late = late
    report.accepted_at = None
    return version


@dataclass
class Attestation:
    """The attestation as typed on the submit page."""

    officer_name: str | None
    officer_title: str | None
    support_statement: str | None


@dataclass
class SubmitOutcome:
    """What the submit page's action did: the report (started if it was new), the version
    submitted, or the refusal of a submission (the attestation is kept even then)."""

    report: Report
    version: ReportVersion | None = None
    refused: SubmissionIncomplete | None = None


def attest_and_submit(
    actor,
    report: Report,
    attestation: Attestation,
    base_revision,
    submit: bool = False,
    authorised: bool = False,
) -> SubmitOutcome:
    """The submit page's action: store the attestation, then (with `submit`) submit.

    A refused attestation raises (StaleDraft, ValidationFailed): nothing is kept. A refused
    submission (SubmissionIncomplete) is returned in the outcome, with the submission's
    changes undone and the attestation kept, for the caller to commit; any other refusal of
    the submission raises and nothing is kept."""
    report = started(actor, report)
    set_attestation(
        actor,
        report,
        attestation.officer_name,
        attestation.officer_title,
        attestation.support_statement,
        base_revision,
    )
    if not submit:
        return SubmitOutcome(report)
    try:
        with db.session.begin_nested():
            version = submit_report(actor, report, authorised)
    except SubmissionIncomplete as error:
        return SubmitOutcome(report, refused=error)
    except StaleDraft as error:
        # Changed since the attestation was stored: the error page, as for any other
        # refusal of the submission (the page's conflict view is the attestation's).
        raise Conflict(error.message) from error
    return SubmitOutcome(report, version=version)
