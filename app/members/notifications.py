"""Mail the members domain sends, built at the edge from the events its services send
(`app.members.signals`, and `app.core.signals.charter_published`). Links come from
`app.core.links` (PACTUM_SERVER_URL), so nothing here needs a request: a charter may be
published from the command line. Imported by the application factory (`RECEIVERS`)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from app.core import signals
from app.core.links import path_for
from app.mail import send_later
from app.members import signals as member_signals
from app.members.endorsements import representatives_to_ask


@member_signals.application_submitted.connect
def tell_secretariat_and_contact(application, organisation, version, **_kwargs) -> None:
    """A new application: the secretariat reviews it, the contact gets a receipt."""
    send_later(
        current_app.config["SECRETARIAT_EMAIL"],
        _("New application to join: %(org)s", org=organisation.name),
        "members_application_new",
        application=application,
        organisation=organisation,
        version=version,
    )
    send_later(
        application.contact_email,
        _(
            "We have received your application to join %(alliance)s",
            alliance=current_app.config["ALLIANCE_NAME"],
        ),
        "members_application_received",
        application=application,
        organisation=organisation,
        version=version,
    )


@member_signals.application_approved.connect
def welcome_new_member(application, organisation, invited, **_kwargs) -> None:
    send_later(
        application.contact_email,
        _(
            "Welcome to %(alliance)s: %(org)s is now a member",
            alliance=current_app.config["ALLIANCE_NAME"],
            org=organisation.name,
        ),
        "members_application_approved",
        application=application,
        organisation=organisation,
        invited=invited,
    )


@member_signals.application_rejected.connect
def tell_applicant_why(application, organisation, **_kwargs) -> None:
    send_later(
        application.contact_email,
        _("Your application to join %(alliance)s", alliance=current_app.config["ALLIANCE_NAME"]),
        "members_application_rejected",
        application=application,
        organisation=organisation,
    )


@signals.charter_published.connect
def ask_members_to_endorse(version, actor=None, **_kwargs) -> None:
    """When a charter version is published, email the representatives of every active
    member: please endorse it. (Their dashboard shows the same request.)"""
    for member in representatives_to_ask():
        send_later(
            member.emails,
            _("Please endorse version %(n)d of the charter", n=version.number),
            "members_endorsement_request",
            version=version,
            organisation_name=member.name,
            endorse_path=path_for("members.endorse", slug=member.slug),
        )
