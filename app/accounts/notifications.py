"""Mail about accounts (invitations, password resets), built at the edge from the events
the accounts services send. The templates build their links without a request (from
PACTUM_SERVER_URL) when there is none. Imported by the application factory (`RECEIVERS`)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts import signals
from app.mail import send_later


@signals.invited.connect
def send_invitation_mail(user, token: str, days: int, **_kwargs) -> None:
    send_later(
        user.email,
        _("You are invited to represent %(org)s", org=user.organisation.name),
        "invitation",
        user=user,
        token=token,
        days=days,
    )


@signals.password_reset_requested.connect
def send_reset_mail(user, token: str, hours: int, **_kwargs) -> None:
    send_later(
        user.email,
        _("Reset your password"),
        "password_reset",
        user=user,
        token=token,
        hours=hours,
    )
