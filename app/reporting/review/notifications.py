"""Mail about review decisions, sent on the review's events (the notification layer).

Links are absolute, from PACTUM_SERVER_URL (`app.core.links`); the mail is queued in the
transaction's outbox and leaves only if it commits (`app.mail`). Imported through
`RECEIVERS` in `app/factory.py`.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.core import signals
from app.mail import send_later
from app.reporting.recipients import report_link, representative_emails
from app.reporting.review.signals import report_returned


@report_returned.connect
def mail_returned(version, actor=None, comments=(), **_extra) -> None:
    report = version.report
    organisation, cycle = report.organisation, report.cycle
    send_later(
        representative_emails([organisation.id])[organisation.id],
        _("Your %(year)s report needs changes", year=cycle.year),
        "reporting_returned",
        organisation=organisation.name,
        year=cycle.year,
        version=version.number,
        general=version.review_note,
        comments=list(comments),
        link=report_link(cycle.year),
        due_on=cycle.due_on,
    )


@signals.report_accepted.connect
def mail_accepted(version, actor=None, **_extra) -> None:
    report = version.report
    organisation, cycle = report.organisation, report.cycle
    send_later(
        representative_emails([organisation.id])[organisation.id],
        _("Your %(year)s report has been accepted", year=cycle.year),
        "reporting_accepted",
        organisation=organisation.name,
        year=cycle.year,
        version=version.number,
        note=version.review_note,
        link=report_link(cycle.year),
    )
