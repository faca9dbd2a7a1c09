"""Finding submitted versions: the versions of a report, one version to read."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from app.db import db
from app.errors import NotFound
from app.reporting.models import Report, ReportVersion
from app.security import ensure_secretariat, is_secretariat, represents


def versions_of(report_id: int, with_submitters: bool = False) -> list[ReportVersion]:
    """All versions of a report, oldest first (`with_submitters`: who submitted each, loaded
    in one more query, for pages that name them)."""
    query = (
        select(ReportVersion)
        .where(ReportVersion.report_id == report_id)
        .order_by(ReportVersion.number)
    )
    if with_submitters:
        query = query.options(selectinload(ReportVersion.submitted_by))
    return list(db.session.scalars(query))


def ensure_can_view(actor, report: Report) -> None:
    """The secretariat and the organisation's representatives; others learn nothing (404)."""
    if not (is_secretariat(actor) or represents(actor, report.organisation_id)):
        raise NotFound(_("There is no such report."))


def get_version(
    actor,
    version_id: int | None = None,
    *,
    report: Report | None = None,
    number: int | None = None,
) -> ReportVersion:
    """One submitted version.

    By `version_id`, for the secretariat's review page: with everything that page shows
    (report, organisation, cycle, comments, submitter) loaded up front. By `report` and
    `number`, for whoever may see the report (its organisation, the secretariat).
    """
    if report is not None:
        ensure_can_view(actor, report)
        version = db.session.scalar(
            select(ReportVersion).where(
                ReportVersion.report_id == report.id, ReportVersion.number == number
            )
        )
        if version is None:
            raise NotFound(_("This version does not exist."))
        return version
    ensure_secretariat(actor)
    version = db.session.scalar(
        select(ReportVersion)
        .join(ReportVersion.report)
        .where(ReportVersion.id == version_id)
        .options(
            contains_eager(ReportVersion.report).joinedload(Report.organisation),
            contains_eager(ReportVersion.report).joinedload(Report.cycle),
            selectinload(ReportVersion.comments),
            selectinload(ReportVersion.submitted_by),
        )
    )
    if version is None:
        raise NotFound(_("There is no such report version."))
    return version
