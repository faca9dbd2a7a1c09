"""Pledges: concrete, dated commitments a member makes, tied to principles of the charter.

A representative creates, edits and withdraws its own organisation's pledges and records
their progress; the secretariat may do the same for any member, and alone marks a
progress entry as verified. Every status change and note is a dated `PledgeUpdate`
(through `add_pledge_update`, which the reporting domain also uses).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.accounts.models import User
from app.charter.models import CharterVersion, Principle, PrincipleText
from app.charter.services import current_version
from app.core import signals
from app.core.services import record
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.members.models import Organisation, Pledge, PledgeStatus, PledgeUpdate, Status
from app.members.validation import clean_text
from app.security import ensure_can_manage_org, ensure_secretariat

TITLE_MAX = 200
INDICATOR_MAX = 300
TEXT_MAX = 5000
MAX_YEARS_AHEAD = 20
# An organisation makes pledges while it is a member.
PLEDGING_STATUSES = (Status.ACTIVE, Status.NON_COMMUNICATING, Status.SUSPENDED, Status.DELISTED)


@dataclass
class PledgeData:
    title: str
    indicator: str
    target_date: dt.date | None
    principle_ids: list[int] = field(default_factory=list)
    description_md: str = ""
    is_public: bool = True


def principle_choices(version: CharterVersion | None = None) -> list[tuple[int, str]]:
    """(principle id, "3. Title") for each principle of `version`, by default the charter in
    force (a report's pledges use its cycle's version: `app.reporting.filling.pledges`)."""
    version = version or current_version()
    if version is None:
        return []
    rows = db.session.execute(
        select(PrincipleText.principle_id, PrincipleText.number, PrincipleText.title)
        .where(PrincipleText.version_id == version.id)
        .order_by(PrincipleText.position, PrincipleText.number)
    )
    return [(r.principle_id, f"{r.number}. {r.title}") for r in rows]


def add_pledge_update(
    actor: User | None,
    pledge: Pledge,
    status: str,
    note: str = "",
    report_version_id: int | None = None,
    at: dt.datetime | None = None,
) -> PledgeUpdate:
    """Record a dated status/progress entry for a pledge and move the pledge's status."""
    if status not in {s.value for s in PledgeStatus}:
        raise ValidationFailed(_("Unknown pledge status."), field="status")
    when = at or clock.now()
    update = PledgeUpdate(
        pledge=pledge,
        status=status,
        note=clean_text(note),
        at=when,
        by_user_id=getattr(actor, "id", None),
        report_version_id=report_version_id,
    )
    db.session.add(update)
    if status != pledge.status:
        pledge.status = status
        pledge.status_since = when
    db.session.flush()
    signals.organisation_changed.send(pledge.organisation, actor=actor)
    return update


def latest_target_date() -> dt.date:
    today = clock.today()
    try:
        return today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)


def _validate(
    data: PledgeData,
    previous_target: dt.date | None = None,
    version: CharterVersion | None = None,
) -> dict:
    errors: dict[str, list[str]] = {}
    title = " ".join(clean_text(data.title).split())
    indicator = " ".join(clean_text(data.indicator).split())
    description = clean_text(data.description_md)
    if not title:
        errors["title"] = [_("Please give the pledge a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Use at most %(n)d characters.", n=TITLE_MAX)]
    if not indicator:
        errors["indicator"] = [_("Say how progress will be measured.")]
    elif len(indicator) > INDICATOR_MAX:
        errors["indicator"] = [_("Use at most %(n)d characters.", n=INDICATOR_MAX)]
    if len(description) > TEXT_MAX:
        errors["description_md"] = [_("Use at most %(n)d characters.", n=TEXT_MAX)]
    if data.target_date is None:
        errors["target_date"] = [_("Please give the date by which the pledge will be met.")]
    elif data.target_date != previous_target and not (
        clock.today() <= data.target_date <= latest_target_date()
    ):
        errors["target_date"] = [
            _(
                "The target date must be between today and %(date)s.",
                date=format_date(latest_target_date(), "long"),
            )
        ]
    allowed = {pid for pid, _label in principle_choices(version)}
    ids = list(dict.fromkeys(data.principle_ids or []))
    if not ids:
        errors["principle_ids"] = [_("Choose at least one principle of the charter.")]
    elif not set(ids) <= allowed and version is not None:
        errors["principle_ids"] = [
            _("Choose principles of version %(n)d of the charter.", n=version.number)
        ]
    elif not set(ids) <= allowed:
        errors["principle_ids"] = [_("Choose principles of the charter in force.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    principles = list(
        db.session.scalars(select(Principle).where(Principle.id.in_(ids)).order_by(Principle.id))
    )
    return {
        "title": title,
        "indicator": indicator,
        "description_md": description,
        "target_date": data.target_date,
        "is_public": bool(data.is_public),
        "principles": principles,
    }


def create_pledge(
    actor: User | None,
    org: Organisation,
    data: PledgeData,
    version: CharterVersion | None = None,
) -> Pledge:
    """A new planned pledge serving principles of `version` (by default the charter in force;
    a report passes its cycle's version, so one screen never mixes two charters)."""
    ensure_can_manage_org(actor, org.id)
    if org.status not in PLEDGING_STATUSES:
        raise Conflict(_("Only members make pledges."))
    values = _validate(data, version=version)
    pledge = Pledge(
        organisation=org,
        created_by_id=getattr(actor, "id", None),
        status=PledgeStatus.PLANNED,
        status_since=clock.now(),
        **values,
    )
    db.session.add(pledge)
    db.session.flush()
    add_pledge_update(actor, pledge, PledgeStatus.PLANNED, _("Pledge made."))
    record(actor, "pledge.created", pledge, summary=f"{org.name}: {pledge.title}")
    return pledge


def get_pledge(actor: User | None, org: Organisation, pledge_id: int) -> Pledge:
    """A pledge of `org` that the actor may manage. A pledge of another organisation is
    not found here, whatever its id."""
    ensure_can_manage_org(actor, org.id)
    pledge = db.session.scalar(
        select(Pledge)
        .options(
            selectinload(Pledge.principles),
            selectinload(Pledge.updates).joinedload(PledgeUpdate.by_user),
            selectinload(Pledge.updates).joinedload(PledgeUpdate.verified_by),
        )
        .where(Pledge.id == pledge_id, Pledge.organisation_id == org.id)
    )
    if pledge is None:
        raise NotFound(_("%(org)s has no such pledge.", org=org.name))
    return pledge


def _ensure_open(pledge: Pledge) -> None:
    if pledge.status == PledgeStatus.WITHDRAWN:
        raise Conflict(_("This pledge has been withdrawn; it can no longer change."))


def update_pledge(actor: User | None, pledge: Pledge, data: PledgeData) -> Pledge:
    ensure_can_manage_org(actor, pledge.organisation_id)
    _ensure_open(pledge)
    values = _validate(data, previous_target=pledge.target_date)
    for key, value in values.items():
        setattr(pledge, key, value)
    pledge.updated_at = clock.now()
    db.session.flush()
    record(actor, "pledge.updated", pledge, summary=pledge.title)
    signals.organisation_changed.send(pledge.organisation, actor=actor)
    return pledge


def record_progress(actor: User | None, pledge: Pledge, status: str, note: str) -> PledgeUpdate:
    """A dated progress entry: a new status, a note, or both."""
    ensure_can_manage_org(actor, pledge.organisation_id)
    _ensure_open(pledge)
    note = clean_text(note)
    if status not in {s.value for s in PledgeStatus}:
        raise ValidationFailed(_("Choose a status from the list."), field="status")
    if len(note) > TEXT_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=TEXT_MAX), field="note")
    if status == pledge.status and not note:
        raise ValidationFailed(_("Change the status or write a progress note."), field="note")
    if status == PledgeStatus.WITHDRAWN and not note:
        raise ValidationFailed(_("Please say why the pledge is withdrawn."), field="note")
    update = add_pledge_update(actor, pledge, status, note)
    record(actor, "pledge.progress", pledge, summary=f"{pledge.title}: {status}")
    return update


def withdraw_pledge(actor: User | None, pledge: Pledge, note: str) -> PledgeUpdate:
    return record_progress(actor, pledge, PledgeStatus.WITHDRAWN, note)


def verify_update(actor: User | None, org: Organisation, update_id: int) -> PledgeUpdate:
    """The secretariat confirms a progress entry (evidence checked)."""
    ensure_secretariat(actor)
    update = db.session.scalar(
        select(PledgeUpdate)
        .options(joinedload(PledgeUpdate.pledge))
        .join(Pledge, Pledge.id == PledgeUpdate.pledge_id)
        .where(PledgeUpdate.id == update_id, Pledge.organisation_id == org.id)
    )
    if update is None:
        raise NotFound(_("There is no such progress entry."))
    if update.verified_at is not None:
        raise Conflict(_("This progress entry has already been verified."))
    update.verified_at = clock.now()
    update.verified_by_id = actor.id
    db.session.flush()
    record(
        actor, "pledge.verified", update.pledge, summary=update.pledge.title, update_id=update.id
    )
    signals.organisation_changed.send(org, actor=actor)
    return update


def pledges_for_management(actor: User | None, org: Organisation) -> list[Pledge]:
    ensure_can_manage_org(actor, org.id)
    return list(
        db.session.scalars(
            select(Pledge)
            .options(selectinload(Pledge.principles))
            .where(Pledge.organisation_id == org.id)
            .order_by(Pledge.status == PledgeStatus.WITHDRAWN, Pledge.target_date, Pledge.id)
        )
    )


def pledge_summary(organisation_id: int) -> dict[str, int]:
    """How many pledges the organisation has in each status (one query)."""
    return dict(
        db.session.execute(
            select(Pledge.status, func.count(Pledge.id))
            .where(Pledge.organisation_id == organisation_id)
            .group_by(Pledge.status)
        ).all()
    )
