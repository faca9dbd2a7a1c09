"""The receipt of a submission: a mail to the organisation's representatives with a PDF copy
of the version and its link, built from PACTUM_SERVER_URL (`app.core.links`).

Sent when a service announces `signals.report_submitted`, inside its transaction: the mail
waits in the session's outbox and goes out only once the submission is committed."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Role, User
from app.core import signals
from app.core.links import external_url
from app.db import db
from app.mail import Attachment, is_suppressed, send_later
from app.reporting.filling.present import pdf_filename, report_pdf
from app.reporting.models import ReportVersion


def send_receipt(version: ReportVersion) -> None:
    if is_suppressed():
        return  # no mail leaves (the demo's invented history): skip the PDF too
    report = version.report
    recipients = list(
        db.session.scalars(
            select(User.email)
            .where(
                User.organisation_id == report.organisation_id,
                User.role == Role.REPRESENTATIVE,
                User.active.is_(True),
                User.password_hash.is_not(None),
            )
            .order_by(User.email)
        )
    )
    if not recipients:
        return
    pdf = report_pdf(version)
    link = external_url(
        "reporting.version",
        year=report.cycle.year,
        slug=report.organisation.slug,
        number=version.number,
    )
    send_later(
        recipients,
        _(
            "Receipt: %(org)s's %(year)d report (version %(n)d)",
            org=report.organisation.name,
            year=report.cycle.year,
            n=version.number,
        ),
        "report_receipt",
        attachments=[Attachment(pdf_filename(version), "application/pdf", pdf)],
        version=version,
        snapshot=version.snapshot,
        link=link,
    )


@signals.report_submitted.connect
def receipt_on_submission(version: ReportVersion, **_extra) -> None:
    send_receipt(version)
