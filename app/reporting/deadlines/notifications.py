"""Mail sent by the deadline rules and about extensions, on their events (the notification
layer). Links are absolute, from PACTUM_SERVER_URL (`app.core.links`), so the tick sends
them from cron without a request. Imported through `RECEIVERS` in `app/factory.py`."""

from __future__ import annotations

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from app.core.links import external_url
from app.mail import send_later
from app.reporting.cycles import effective_due_date
from app.reporting.deadlines import signals
from app.reporting.deadlines.rules import delisting_deadline
from app.reporting.models import CycleStatus, ExtensionState
from app.reporting.recipients import report_link, representative_emails


@signals.reminder_due.connect
def mail_reminder(org, cycle=None, emails=(), due=None, days_left=0, **_extra) -> None:
    if days_left == 0:
        subject = _("Your %(year)s report is due today", year=cycle.year)
    elif days_left == 1:
        subject = _("Your %(year)s report is due tomorrow", year=cycle.year)
    else:
        subject = _("Your %(year)s report is due in %(n)d days", year=cycle.year, n=days_left)
    send_later(
        emails,
        subject,
        "reporting_reminder",
        organisation=org.name,
        year=cycle.year,
        due_on=due,
        days_left=days_left,
        extended=due != cycle.due_on,
        grace_days=cycle.grace_days,
        link=report_link(cycle.year),
        extension_link=external_url("review.request_extension", year=cycle.year),
    )


@signals.made_non_communicating.connect
def mail_non_communicating(org, cycle=None, emails=(), due=None, final=None, **_extra) -> None:
    send_later(
        emails,
        _("%(org)s is now listed as non-communicating", org=org.name),
        "reporting_non_communicating",
        organisation=org.name,
        year=cycle.year,
        due_on=due,
        final=final,
        delist_after=delisting_deadline(final),
        open=cycle.status == CycleStatus.OPEN,
        link=report_link(cycle.year),
    )


@signals.delisted.connect
def mail_delisted(org, cycle=None, emails=(), deadline=None, **_extra) -> None:
    send_later(
        emails,
        _("%(org)s has been delisted", org=org.name),
        "reporting_delisted",
        organisation=org.name,
        year=cycle.year,
        deadline=deadline,
    )


@signals.reinstated.connect
def mail_reinstated(organisation, cycle=None, previous=None, **_extra) -> None:
    send_later(
        representative_emails([organisation.id])[organisation.id],
        _("%(org)s is active again", org=organisation.name),
        "reporting_reinstated",
        organisation=organisation.name,
        year=cycle.year,
        previous=previous,
    )


@signals.extension_requested.connect
def mail_extension_requested(extension, actor=None, due_on=None, **_extra) -> None:
    organisation, cycle = extension.organisation, extension.cycle
    send_later(
        current_app.config["SECRETARIAT_EMAIL"],
        _(
            "%(org)s asks for more time for its %(year)s report",
            org=organisation.name,
            year=cycle.year,
        ),
        "reporting_extension_requested",
        organisation=organisation.name,
        year=cycle.year,
        requester=actor.display_name,
        reason=extension.reason,
        due_on=due_on,
        requested_due_on=extension.requested_due_on,
        link=external_url("review.extension", extension_id=extension.id),
    )


@signals.extension_decided.connect
def mail_extension_decided(extension, **_extra) -> None:
    cycle, organisation = extension.cycle, extension.organisation
    granted = extension.state == ExtensionState.GRANTED
    subject = (
        _(
            "Extension granted: your %(year)s report is now due on %(date)s",
            year=cycle.year,
            date=format_date(extension.new_due_on, "long"),
        )
        if granted
        else _("Your request for more time for the %(year)s report", year=cycle.year)
    )
    send_later(
        representative_emails([organisation.id])[organisation.id],
        subject,
        "reporting_extension_decided",
        organisation=organisation.name,
        year=cycle.year,
        granted=granted,
        new_due_on=extension.new_due_on,
        due_on=effective_due_date(cycle, organisation.id),
        note=extension.decision_note,
        grace_days=cycle.grace_days,
        link=report_link(cycle.year),
    )
