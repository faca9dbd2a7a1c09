"""Confirming a workbook's preview: one save of the draft with its revision check
(`filling.store_answers`), the edit logged with "workbook" as its source.

The comparison is made again against the draft as it is now: when someone saved the report
after the preview was shown, `PreviewOutdated` (409) carries the new preview, with what
changed meanwhile as conflicts, and nothing is saved. A conflict needs the representative's
choice ("workbook" or "online"); without one, `ChoicesMissing` (422) says which.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import update

from app.db import db
from app.errors import Conflict, ValidationFailed
from app.reporting import cycles
from app.reporting.filling.access import ensure_can_edit, my_report, started
from app.reporting.filling.drafts import store_answers
from app.reporting.filling.errors import StaleDraft
from app.reporting.models import ReportEdit
from app.reporting.workbook.compare import Preview, compare, make_token, read_token

SOURCE = "workbook"
KEEP_WORKBOOK = "workbook"
KEEP_ONLINE = "online"


class PreviewOutdated(Conflict):
    def __init__(self, message: str, preview: Preview):
        super().__init__(message)
        self.preview = preview


class ChoicesMissing(ValidationFailed):
    def __init__(self, message: str, preview: Preview, errors: dict):
        super().__init__(message, errors=errors)
        self.preview = preview


@dataclass
class Applied:
    changed: int  # answers stored
    revision: int


def confirm_upload(actor, year: int, token: str, revision, choices: dict[int, str]) -> Applied:
    """Store the previewed answers (`token`, made against the draft at `revision`), keeping
    for each conflict the answer `choices` names."""
    base, uploaded = read_token(actor, year, token)
    cycle, report, exists = my_report(actor, year)
    ensure_can_edit(actor, report)
    sections = cycles.load_questionnaire(cycle)
    preview = compare(report if exists else None, sections, uploaded, base, year)
    preview.token = make_token(actor, year, base, uploaded)
    if str(revision) != str(preview.revision):
        preview.notice = _(
            "Someone saved this report after the preview was shown: check the answers again."
        )
        raise PreviewOutdated(preview.notice, preview)
    missing = {
        row.question.id: [_("Choose which answer to keep.")]
        for row in preview.rows
        if row.status == "conflict"
        and choices.get(row.question.id)
        not in (
            KEEP_WORKBOOK,
            KEEP_ONLINE,
        )
    }
    if missing:
        raise ChoicesMissing(
            _("Choose, for each answer changed on both sides, which one to keep."),
            preview,
            missing,
        )
    raw = {
        row.question.id: row.uploaded
        for row in preview.rows
        if row.status == "change"
        or (row.status == "conflict" and choices.get(row.question.id) == KEEP_WORKBOOK)
    }
    if not raw:
        return Applied(0, preview.revision)
    report = started(actor, report)
    try:
        state = store_answers(actor, report, raw, preview.revision)
    except StaleDraft as error:  # saved between the comparison and the write
        raise PreviewOutdated(error.message, preview) from error
    if state.changed:
        db.session.execute(
            update(ReportEdit)
            .where(ReportEdit.report_id == report.id, ReportEdit.revision == state.revision)
            .values(parts=[SOURCE])
        )
    return Applied(len(raw) if state.changed else 0, state.revision)
