"""Reading submitted versions (filling's copies; `app.reporting.versions` unifies them with
review's, and these go once it has landed)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.db import db
from app.errors import NotFound
from app.members.models import PledgeUpdate
from app.reporting.filling.access import ensure_can_view
from app.reporting.models import Report, ReportVersion


def compare_snapshots(old: dict, new: dict) -> list[dict]:
    """What changed between two versions: one entry per question or part that differs."""

    def flat(snapshot):
        return {
            q["lineage"]: q
            for s in (snapshot or {}).get("sections", [])
            for q in s.get("questions", [])
        }

    before, after = flat(old), flat(new)
    changes = []
    for lineage, q in after.items():
        was = before.get(lineage)
        files_now = sorted(f["sha256"] for f in q.get("evidence", []))
        files_then = sorted(f["sha256"] for f in (was or {}).get("evidence", []))
        if was is None or was.get("value") != q.get("value") or files_now != files_then:
            changes.append(
                {
                    "kind": "question",
                    "number": q.get("number", ""),
                    "text": q["text"],
                    "before": (was or {}).get("display", ""),
                    "after": q.get("display", ""),
                }
            )
    old_pledges = {p["id"]: p for p in (old or {}).get("pledges", [])}
    for pledge in (new or {}).get("pledges", []):
        was = old_pledges.get(pledge["id"])
        if was is None or (was["status"], was["note"]) != (pledge["status"], pledge["note"]):
            changes.append(
                {
                    "kind": "pledge",
                    "number": "",
                    "text": pledge["title"],
                    "before": (was or {}).get("note", ""),
                    "after": pledge["note"],
                    "status_before": (was or {}).get("status"),
                    "status_after": pledge["status"],
                }
            )
    att_old, att_new = (old or {}).get("attestation", {}), (new or {}).get("attestation", {})
    if any(
        att_old.get(k) != att_new.get(k)
        for k in ("officer_name", "officer_title", "support_statement")
    ):
        changes.append(
            {
                "kind": "attestation",
                "number": "",
                "text": _("Attestation"),
                "before": att_old.get("officer_name", ""),
                "after": att_new.get("officer_name", ""),
            }
        )
    return changes


def versions_of(report: Report) -> list[ReportVersion]:
    return list(
        db.session.scalars(
            select(ReportVersion)
            .where(ReportVersion.report_id == report.id)
            .options(selectinload(ReportVersion.submitted_by))
            .order_by(ReportVersion.number)
        )
    )


def get_version(actor, report: Report, number: int) -> ReportVersion:
    ensure_can_view(actor, report)
    version = db.session.scalar(
        select(ReportVersion).where(
            ReportVersion.report_id == report.id, ReportVersion.number == number
        )
    )
    if version is None:
        raise NotFound(_("This version does not exist."))
    return version


def pledge_history_for(version: ReportVersion) -> list[PledgeUpdate]:
    return list(
        db.session.scalars(select(PledgeUpdate).where(PledgeUpdate.report_version_id == version.id))
    )
