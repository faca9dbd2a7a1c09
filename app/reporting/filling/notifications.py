"""The receipt of a submission: a mail to the organisation's representatives with a PDF copy
of the version and its link, built from PACTUM_SERVER_URL (`app.core.links`).

Sent when a service announces `signals.report_submitted`, inside its transaction: the mail
waits in the session's outbox and goes out only once the submission is committed.

The PDF is not laid out here. WeasyPrint takes seconds, and inside the submission's
transaction that held the database's write lock: on a deadline day with SQLite, the other
submissions and draft saves timed out ("database is locked"). The outbox row is written in
the submission's transaction as before (a rollback drops it, a crash after the commit loses
nothing), with the PDF as a recipe (`RenderLater`: this version's id and the writer's
language); the deliverer lays it out after the commit, in its own session, with
`_receipt_pdf` below, and keeps the bytes on the row for retries (`app.mail.deferred`).
A version never changes once submitted, so the later layout is the same document."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.core import signals
from app.core.links import external_url
from app.db import db
from app.mail import RenderLater, is_suppressed, renderer, send_later
from app.reporting.filling.present import pdf_filename, report_pdf
from app.reporting.models import ReportVersion

RECEIPT_PDF = "report-receipt-pdf"


def send_receipt(version: ReportVersion) -> None:
    if is_suppressed():
        return  # no mail leaves (the demo's invented history)
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
        attachments=[
            RenderLater(
                pdf_filename(version),
                "application/pdf",
                RECEIPT_PDF,
                {"version_id": version.id},
                locale=str(get_locale() or "") or None,
            )
        ],
        version=version,
        snapshot=version.snapshot,
        link=link,
    )


@signals.report_submitted.connect
def receipt_on_submission(version: ReportVersion, **_extra) -> None:
    send_receipt(version)


@renderer(RECEIPT_PDF)
def _receipt_pdf(session: Session, params: dict) -> bytes:
    """The receipt's PDF, laid out by the deliverer after the submission's commit."""
    version = session.get(ReportVersion, params["version_id"])
    if version is None:
        raise LookupError(f"report version {params['version_id']} is gone")
    return report_pdf(version)
