"""Optimistic locking and the edit log: every change to a draft names the revision it started
from (`Report.revision`), claims the next one atomically and is logged in `ReportEdit`, so a
stale save is refused with what changed since, and by whom (`StaleDraft`)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.db import db
from app.reporting import answers, cycles
from app.reporting.filling.errors import StaleDraft
from app.reporting.filling.statements import CLAIM_FROM, CLAIM_NEXT
from app.reporting.models import Report, ReportEdit


def claim_revision(actor, report: Report, base_revision: int | None) -> int:
    """Move the report to its next revision, atomically. With `base_revision`, only if the
    report is still at that revision (else StaleDraft)."""
    params = {"b_id": report.id, "b_at": clock.now(), "b_by": getattr(actor, "id", None)}
    if base_revision is not None:
        params.update(b_base=base_revision, b_next=base_revision + 1)
        new = db.session.execute(CLAIM_FROM, params).scalar_one_or_none()
    else:
        new = db.session.execute(CLAIM_NEXT, params).scalar_one_or_none()
    if new is None:
        db.session.refresh(report, ["revision"])
        raise stale_error(report, base_revision)
    set_committed_value(report, "revision", new)
    set_committed_value(report, "updated_by_id", getattr(actor, "id", None))
    return new


def log_edit(
    actor,
    report: Report,
    revision: int,
    changes: dict | None = None,
    parts: list[str] | None = None,
) -> ReportEdit:
    edit = ReportEdit(
        report_id=report.id,
        revision=revision,
        at=clock.now(),
        by_user_id=getattr(actor, "id", None),
        changes=changes or {},
        parts=parts or [],
    )
    db.session.add(edit)
    return edit


def check_base(report: Report, base_revision) -> int:
    if isinstance(base_revision, str):
        base_revision = (
            int(base_revision) if base_revision.isascii() and base_revision.isdigit() else -1
        )
    if not isinstance(base_revision, int) or isinstance(base_revision, bool):
        base_revision = -1
    if base_revision != report.revision:
        raise stale_error(report, base_revision)
    return base_revision


PART_LABELS = {
    "attestation": lambda: _("the attestation"),
    "pledges": lambda: _("the pledges"),
    "prefill": lambda: _("answers copied from last year"),
    "submitted": lambda: _("submitted the report"),
}


def stale_error(report: Report, base_revision: int | None) -> StaleDraft:
    """Build the refusal for a save based on `base_revision`: what changed since, by whom."""
    base = base_revision if isinstance(base_revision, int) and base_revision >= 0 else 0
    edits = db.session.scalars(
        select(ReportEdit)
        .where(ReportEdit.report_id == report.id, ReportEdit.revision > base)
        .options(selectinload(ReportEdit.by_user))
        .order_by(ReportEdit.revision)
    ).all()
    sections = cycles.load_questionnaire(report.cycle)
    numbers = cycles.numbering(sections)
    by_id = {q.id: q for q in cycles.ordered_questions(sections)}
    changes: list[dict] = []
    base_values: dict[int, object] = {}
    names: list[str] = []
    for edit in edits:
        who = edit.by_user.display_name if edit.by_user is not None else _("someone")
        if who not in names:
            names.append(who)
        touched = []
        for key, change in (edit.changes or {}).items():
            qid = int(key)
            base_values.setdefault(qid, change.get("old"))
            question = by_id.get(qid)
            if question is None:
                continue
            touched.append(
                {
                    "id": qid,
                    "number": numbers.get(qid, ""),
                    "text": question.text,
                    "value": answers.display(question, change.get("new")),
                }
            )
        parts = []
        for part in edit.parts or []:
            if part.startswith("evidence:"):
                qid = int(part.split(":", 1)[1])
                parts.append(_("the files of question %(n)s", n=numbers.get(qid, "?")))
            elif part in PART_LABELS:
                parts.append(PART_LABELS[part]())
        changes.append(
            {
                "revision": edit.revision,
                "at": edit.at,
                "by": who,
                "questions": touched,
                "parts": parts,
            }
        )
    message = _(
        "This report was changed by %(names)s after you opened it. Your changes were not saved: "
        "check the differences below, then save again.",
        names=", ".join(names) or _("someone else"),
    )
    return StaleDraft(message, changes, base_values, report.revision)
