"""The report's pledges section: progress on the organisation's open pledges, and new
pledges made from the report (their rules are the members domain's)."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from app.db import db
from app.errors import ValidationFailed
from app.members.models import Pledge, PledgeStatus
from app.members.pledges import PledgeData, create_pledge
from app.reporting.filling.access import ensure_can_edit, started
from app.reporting.filling.data import pledges_of
from app.reporting.filling.revisions import check_base, claim_revision, log_edit
from app.reporting.models import Report, ReportPledge

PLEDGE_NOTE_MAX = 5000


def save_pledges(actor, report: Report, entries: dict, base_revision: int) -> Report:
    """`entries`: {pledge id: (status, note)} for the organisation's pledges. Starts the
    report at its first save; returns it."""
    report = started(actor, report)
    ensure_can_edit(actor, report)
    base_revision = check_base(report, base_revision)
    pledges, current = pledges_of(report)
    known = {p.id: p for p in pledges}
    cleaned = _cleaned_entries(known, entries)
    changed = {
        pid: value
        for pid, value in cleaned.items()
        if _is_news(current.get(pid), known[pid], *value)
    }
    if not changed:
        return report
    revision = claim_revision(actor, report, base_revision)
    for pid, (status, note) in changed.items():
        entry = current.get(pid)
        if entry is None:
            db.session.add(
                ReportPledge(report_id=report.id, pledge_id=pid, status=status, note=note)
            )
        else:
            entry.status, entry.note = status, note
    log_edit(actor, report, revision, parts=["pledges"])
    db.session.flush()
    return report


def _cleaned_entries(known: dict[int, Pledge], entries: dict | None) -> dict[int, tuple]:
    """{pledge id: (status, note)} checked and tidied; ValidationFailed listing every field
    to correct, or for a pledge that is not the organisation's."""
    statuses = {s.value for s in PledgeStatus}
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for key, (status, note) in (entries or {}).items():
        pid = key if isinstance(key, int) else (int(key) if str(key).isdigit() else None)
        if pid not in known:
            raise ValidationFailed(_("This pledge is not one of your organisation's pledges."))
        note = (note or "").replace("\r\n", "\n").strip()
        if status not in statuses:
            errors[f"status-{pid}"] = [_("Choose a status.")]
        if len(note) > PLEDGE_NOTE_MAX:
            errors[f"note-{pid}"] = [_("Use at most %(n)d characters.", n=PLEDGE_NOTE_MAX)]
        cleaned[pid] = (status, note)
    if errors:
        raise ValidationFailed(_("Please correct the pledge updates."), errors=errors)
    return cleaned


def _is_news(entry: ReportPledge | None, pledge: Pledge, status: str, note: str) -> bool:
    """Whether (status, note) says something the report does not say yet: a pledge without
    an entry keeps its own status and an empty note until told otherwise."""
    if entry is None:
        return not (status == pledge.status and not note)
    return (entry.status, entry.note) != (status, note)


def add_pledge(
    actor,
    report: Report,
    title: str,
    indicator: str,
    target_date: dt.date | None,
    principle_ids=(),
    description_md: str = "",
    is_public: bool = True,
) -> Pledge:
    """A new pledge of the report's organisation, made from the report's pledges section.

    The pledge rules (title, indicator, target date, principles) are the members domain's:
    `app.members.pledges.create_pledge`. Its principles are those of the charter version the
    report's cycle follows, even when a newer version came into force during the cycle: the
    report speaks of one charter only (the one its principle sections ask about). The new pledge is planned and
    listed in this report's pledges, where its progress can be given like any other's.
    Starts the report when it is the first change.
    """
    report = started(actor, report)
    ensure_can_edit(actor, report)
    pledge = create_pledge(
        actor,
        report.organisation,
        PledgeData(
            title=title or "",
            indicator=indicator or "",
            target_date=target_date,
            principle_ids=[int(p) for p in principle_ids or []],
            description_md=description_md or "",
            is_public=bool(is_public),
        ),
        version=report.cycle.charter_version,
    )
    revision = claim_revision(actor, report, None)
    log_edit(actor, report, revision, parts=["pledges"])
    db.session.flush()
    return pledge
