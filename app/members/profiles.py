"""Reading members: everything a profile page shows, the secretariat's list of every
organisation, the status counts, and the newest members for the Atom feed."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Date, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.accounts.models import Role, User
from app.charter.models import CharterVersion, PrincipleText, VersionStatus
from app.db import db
from app.errors import NotFound
from app.members.directory import like_pattern, listed_condition
from app.members.endorsements import latest_published_version
from app.members.models import (
    Endorsement,
    Organisation,
    Pledge,
    PledgeStatus,
    StatusChange,
)
from app.members.organisations import can_view
from app.reporting.models import Report, ReportingCycle
from app.security import ensure_secretariat, is_secretariat, represents


@dataclass
class Profile:
    organisation: Organisation
    history: list[StatusChange]
    endorsements: list[Endorsement]
    pledges: list[Pledge]
    reports: list[int]  # years of the cycles whose report is public
    full_view: bool  # secretariat or own representative: everything
    latest_version: CharterVersion | None
    principle_labels: dict[int, str]  # principle id -> "3. Title" in the current charter


def _pledges_shown(org: Organisation, full: bool) -> list[Pledge]:
    query = (
        select(Pledge)
        .options(
            selectinload(Pledge.principles),
            # (who verified an update is not shown: no user loaded per update)
            selectinload(Pledge.updates),
        )
        .where(Pledge.organisation_id == org.id)
        .order_by(
            Pledge.status == PledgeStatus.WITHDRAWN,
            Pledge.target_date.is_(None),
            Pledge.target_date,
            Pledge.id,
        )
    )
    if not full:
        query = query.where(Pledge.is_public.is_(True))
    return list(db.session.scalars(query))


def load_profile(viewer: User | None, slug: str) -> Profile:
    """Everything the profile page shows, in a fixed number of queries."""
    org = db.session.scalar(
        select(Organisation)
        .options(joinedload(Organisation.sector), joinedload(Organisation.endorsed_version))
        .where(Organisation.slug == slug)
    )
    if org is None or not can_view(viewer, org):
        raise NotFound(_("There is no such member."))
    full = is_secretariat(viewer) or represents(viewer, org.id)
    history_q = (
        select(StatusChange)
        .where(StatusChange.organisation_id == org.id)
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
    )
    if full:  # who made a change shows only in the full view
        history_q = history_q.options(joinedload(StatusChange.by_user))
    else:
        history_q = history_q.where(StatusChange.is_public.is_(True))
    history = list(db.session.scalars(history_q))
    endorsements = list(
        db.session.scalars(
            select(Endorsement)
            .options(joinedload(Endorsement.charter_version))
            .join(CharterVersion, CharterVersion.id == Endorsement.charter_version_id)
            .where(Endorsement.organisation_id == org.id)
            .order_by(CharterVersion.number.desc())
        )
    )
    pledges = _pledges_shown(org, full)
    labels = principle_labels({p.id for pledge in pledges for p in pledge.principles})
    return Profile(
        org,
        history,
        endorsements,
        pledges,
        public_reports(org.id),
        full,
        latest_published_version(),
        labels,
    )


def principle_labels(principle_ids: set[int]) -> dict[int, str]:
    """ "3. Title" for each principle, as worded in the charter in force (one query). A
    principle the charter in force no longer has (a pledge made in a report on an earlier
    version) keeps its last wording and says which version that is: "2. Title (charter
    version 1)", so it is never taken for the current charter's number 2."""
    if not principle_ids:
        return {}
    rows = db.session.execute(
        _principle_labels_statement(), {"today": clock.today(), "ids": sorted(principle_ids)}
    )
    return {
        r.principle_id: (
            f"{r.number}. {r.title}"
            if r.version == r.in_force
            else _("%(label)s (charter version %(n)d)", label=f"{r.number}. {r.title}", n=r.version)
        )
        for r in rows
    }


@functools.cache
def _principle_labels_statement():
    """`principle_labels`' statement, built once (building it cost more than running it:
    about a tenth of a profile request; issue 20), with today and the ids bound per call."""
    today = bindparam("today", type_=Date)
    in_force = (
        select(func.max(CharterVersion.number))
        .where(
            CharterVersion.status == VersionStatus.PUBLISHED,
            CharterVersion.effective_date <= today,
        )
        .scalar_subquery()
    )
    newest = (
        select(PrincipleText.principle_id, func.max(CharterVersion.number).label("n"))
        .join(CharterVersion, CharterVersion.id == PrincipleText.version_id)
        .where(
            CharterVersion.status == VersionStatus.PUBLISHED,
            CharterVersion.effective_date <= today,
            PrincipleText.principle_id.in_(bindparam("ids", expanding=True)),
        )
        .group_by(PrincipleText.principle_id)
        .subquery()
    )
    return (
        select(
            PrincipleText.principle_id,
            PrincipleText.number,
            PrincipleText.title,
            CharterVersion.number.label("version"),
            in_force.label("in_force"),
        )
        .join(CharterVersion, CharterVersion.id == PrincipleText.version_id)
        .join(
            newest,
            (newest.c.principle_id == PrincipleText.principle_id)
            & (newest.c.n == CharterVersion.number),
        )
    )


def public_reports(organisation_id: int) -> list[int]:
    """Years of the member's reports that are public (accepted by the secretariat)."""
    return list(
        db.session.scalars(
            select(ReportingCycle.year)
            .join(Report, Report.cycle_id == ReportingCycle.id)
            .where(Report.organisation_id == organisation_id, Report.state == "accepted")
            .order_by(ReportingCycle.year.desc())
        )
    )


def admin_list(
    actor: User | None, q: str = "", status: str = "", page: int = 1, per_page: int = 50
):
    """The secretariat's list of every organisation (applications included)."""
    ensure_secretariat(actor)
    conditions = []
    if q:
        conditions.append(Organisation.name_key.like(like_pattern(q), escape="\\"))
    if status:
        conditions.append(Organisation.status == status)
    total = db.session.scalar(select(func.count(Organisation.id)).where(*conditions))
    reps = (
        select(func.count(User.id))
        .where(
            User.organisation_id == Organisation.id,
            User.role == Role.REPRESENTATIVE,
            User.active.is_(True),
        )
        .correlate(Organisation)
        .scalar_subquery()
    )
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        select(
            Organisation.id,
            Organisation.slug,
            Organisation.name,
            Organisation.country,
            Organisation.status,
            Organisation.status_since,
            Organisation.joined_on,
            reps.label("representatives"),
        )
        .where(*conditions)
        .order_by(Organisation.name_key)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return rows, total, page, pages


def status_counts() -> dict[str, int]:
    return dict(
        db.session.execute(
            select(Organisation.status, func.count(Organisation.id)).group_by(Organisation.status)
        ).all()
    )


def new_signatories(limit: int = 50) -> list[Organisation]:
    """The latest members to join, for the Atom feed."""
    return list(
        db.session.scalars(
            select(Organisation)
            .options(joinedload(Organisation.sector))
            .where(listed_condition())
            .order_by(Organisation.joined_on.desc(), Organisation.id.desc())
            .limit(limit)
        )
    )
