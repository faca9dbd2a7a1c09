"""The secretariat's comments on a returned report, as its organisation works through them:
marking a comment as addressed (or not yet)."""

from __future__ import annotations

from flask_babel import gettext as _

from app import clock
from app.db import db
from app.errors import NotFound
from app.reporting.filling.access import ensure_can_edit
from app.reporting.models import Report, ReportState, ReviewComment


def set_comment_addressed(
    actor, report: Report, comment_id: int, addressed: bool = True
) -> ReviewComment:
    """Mark a comment of the secretariat on the report's returned version as addressed by
    the organisation (or, with `addressed=False`, as not addressed yet). Only the
    organisation's representatives, while the cycle is open; a comment of another report
    or of an earlier round is NotFound. The mark is the organisation's note to itself: it
    changes neither the draft's revision nor what the secretariat decides."""
    ensure_can_edit(actor, report)
    comment = db.session.get(ReviewComment, comment_id)
    if (
        comment is None
        or report.state != ReportState.RETURNED
        or comment.version_id != report.current_version_id
    ):
        raise NotFound(_("This comment is not on your returned report."))
    comment.addressed_at = clock.now() if addressed else None
    comment.addressed_by_id = getattr(actor, "id", None) if addressed else None
    db.session.flush()
    return comment
