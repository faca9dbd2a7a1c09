"""What a submitted version changed in the pledges (the versions themselves, and comparing
two, are `app.reporting.versions`)."""

from __future__ import annotations

from sqlalchemy import select

from app.db import db
from app.members.models import PledgeUpdate
from app.reporting.models import ReportVersion


def pledge_history_for(version: ReportVersion) -> list[PledgeUpdate]:
    return list(
        db.session.scalars(select(PledgeUpdate).where(PledgeUpdate.report_version_id == version.id))
    )
