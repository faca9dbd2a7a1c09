"""An uploaded workbook against the draft: per question, the current answer beside the
uploaded one, and what confirming would do with it.

* "same": the workbook holds the draft's answer; nothing to do;
* "change": the workbook changed the answer, nobody changed it online since the download:
  confirming stores the workbook's answer;
* "online": someone changed it online since the download, the workbook did not: the
  online answer stays;
* "conflict": both changed it: the representative chooses, per answer, which one to keep;
* "error": the workbook's cell cannot be stored (the error names its sheet and cell);
* "evidence": a question that asks for files, listed with its current files.

A blank workbook (the secretariat's) counts every answer given online as changed since.
The preview's answers travel back to the confirmation in a signed, timed token (in the
page's form, not in the session cookie), so nothing is kept on the server meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.db import db
from app.errors import ValidationFailed
from app.reporting import answers, cycles
from app.reporting.filling.access import ensure_can_edit, my_report
from app.reporting.models import Answer, Evidence, QuestionType, Report, ReportEdit
from app.reporting.workbook.read import CellError, WorkbookRefused, read_workbook

PREVIEW_SALT = "pactum.workbook.preview.v1"


@dataclass
class Row:
    question: object
    number: str
    section: int
    status: str
    current: object = None
    uploaded: object = None
    error: str = ""
    files: list[str] = field(default_factory=list)

    def current_text(self) -> str:
        return answers.display(self.question, self.current, len(self.files))

    def uploaded_text(self) -> str:
        return answers.display(self.question, self.uploaded)


@dataclass
class Preview:
    year: int
    rows: list[Row]
    errors: list[CellError]
    revision: int  # the draft's revision the preview was made against
    base_revision: int  # the draft's revision when the workbook was downloaded
    token: str = ""
    notice: str = ""

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def no_changes(self) -> bool:
        return not self.errors and not self.count("change") and not self.count("conflict")


def preview_upload(actor, year: int, data: bytes, filename: str) -> Preview:
    """Read the workbook and compare it with the actor's draft of `year`. Nothing is saved.
    WorkbookRefused (422) / WorkbookTooLarge (413) for a file that cannot be read back."""
    cycle, report, exists = my_report(actor, year)
    ensure_can_edit(actor, report)
    sections = cycles.load_questionnaire(cycle)
    upload = read_workbook(data, filename, sections)
    ids = upload.identifiers
    _check_identifiers(ids, cycle, report, exists)
    base = ids.get("rev") if isinstance(ids.get("rev"), int) else 0
    preview = compare(report if exists else None, sections, upload.values, base, year)
    preview.errors = upload.errors
    for row in preview.rows:
        error = next((e for e in upload.errors if e.question_id == row.question.id), None)
        if error is not None:
            row.status, row.error = "error", str(error)
    if not preview.errors:
        preview.token = make_token(actor, year, base, upload.values)
    return preview


def _check_identifiers(ids: dict, cycle, report: Report, exists: bool) -> None:
    if ids.get("y") != cycle.year or ids.get("c") != cycle.id:
        raise WorkbookRefused(
            [
                _(
                    "This workbook is for the %(other)s reporting cycle, not %(year)s. Download "
                    "the workbook of the %(year)s report.",
                    other=ids.get("y", "?"),
                    year=cycle.year,
                )
            ]
        )
    organisation = ids.get("o")
    if organisation is not None and organisation != report.organisation_id:
        raise WorkbookRefused(
            [
                _(
                    "This workbook belongs to another organisation's report. Download the "
                    "workbook of your own report."
                )
            ]
        )
    made_for = ids.get("r")
    if made_for is not None and (not exists or made_for != report.id):
        raise WorkbookRefused(
            [_("This workbook was made for another report. Download a new workbook.")]
        )


def changed_since(report: Report | None, base: int) -> dict[int, object]:
    """{question id: its answer at revision `base`} for the answers changed since then."""
    if report is None:
        return {}
    before: dict[int, object] = {}
    for changes in db.session.scalars(
        select(ReportEdit.changes)
        .where(ReportEdit.report_id == report.id, ReportEdit.revision > base)
        .order_by(ReportEdit.revision)
    ):
        for key, change in (changes or {}).items():
            before.setdefault(int(key), (change or {}).get("old"))
    return before


def _same(a, b) -> bool:
    return a == b and (a is None or type(a) is type(b))


def compare(report: Report | None, sections, uploaded: dict, base: int, year: int) -> Preview:
    """The rows of the preview of `uploaded` (question id -> value) against the draft."""
    current: dict[int, object] = {}
    files: dict[int, list[str]] = {}
    if report is not None:
        current = {
            a.question_id: a.value
            for a in db.session.scalars(select(Answer).where(Answer.report_id == report.id))
        }
        for item in db.session.scalars(
            select(Evidence)
            .where(Evidence.report_id == report.id, Evidence.removed.is_(False))
            .order_by(Evidence.uploaded_at, Evidence.id)
        ):
            files.setdefault(item.question_id, []).append(item.filename)
    online = changed_since(report, base)
    numbers = cycles.numbering(sections)
    rows = []
    for index, section in enumerate(sections, start=1):
        for question in section.questions:
            row = Row(question, numbers[question.id], index, "same", current.get(question.id))
            if question.type == QuestionType.EVIDENCE:
                row.status, row.files = "evidence", files.get(question.id, [])
            elif question.id in uploaded:
                row.uploaded = uploaded[question.id]
                row.status = _status(row.current, row.uploaded, question.id, online)
            rows.append(row)
    revision = report.revision if report is not None else 0
    return Preview(year, rows, [], revision, base)


def _status(current, uploaded, qid: int, online: dict) -> str:
    if _same(current, uploaded):
        return "same"
    if qid not in online:
        return "change"
    if _same(online[qid], uploaded):
        return "online"
    return "conflict"


# The token that carries the preview to the confirmation ------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PREVIEW_SALT)


def make_token(actor, year: int, base: int, values: dict) -> str:
    return _serializer().dumps(
        {
            "u": actor.id,
            "o": actor.organisation_id,
            "y": year,
            "b": base,
            "v": [[qid, value] for qid, value in values.items()],
        }
    )


def read_token(actor, year: int, token: str) -> tuple[int, dict[int, object]]:
    """(the revision the workbook was downloaded at, its answers) from a preview's token."""
    expired = ValidationFailed(
        _("This preview has expired or is not yours. Upload the workbook again.")
    )
    try:
        payload = _serializer().loads(
            token or "", max_age=current_app.config["WORKBOOK_PREVIEW_MAX_AGE"]
        )
    except BadSignature as exc:
        raise expired from exc
    if (
        not isinstance(payload, dict)
        or payload.get("u") != actor.id
        or payload.get("o") != actor.organisation_id
        or payload.get("y") != year
    ):
        raise expired
    return int(payload.get("b") or 0), {int(qid): value for qid, value in payload.get("v", [])}
