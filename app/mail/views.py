"""The secretariat's outgoing-mail page: the backlog, failed messages, and "retry"."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.mail import services
from app.mail.delivery import MAX_ATTEMPTS
from app.mail.forms import RetryForm
from app.security import secretariat_required

bp = Blueprint("mail", __name__)


@bp.route("/secretariat/mail")
@secretariat_required
def outbox():
    return render_template(
        "mail/outbox.html",
        overview=services.overview(current_user),
        form=RetryForm(),
        max_attempts=MAX_ATTEMPTS,
    )


@bp.post("/secretariat/mail/<int:message_id>/retry")
@secretariat_required
def retry(message_id: int):
    if RetryForm().validate_on_submit():
        message = services.retry(current_user, message_id)
        flash(_("“%(subject)s” will be sent again.", subject=message.subject), "success")
    return redirect(url_for("mail.outbox"))


@bp.post("/secretariat/mail/retry-failed")
@secretariat_required
def retry_failed():
    if RetryForm().validate_on_submit():
        count = services.retry_all_failed(current_user)
        flash(
            ngettext(
                "%(num)d message will be sent again.", "%(num)d messages will be sent again.", count
            )
            if count
            else _("No message had failed."),
            "success",
        )
    return redirect(url_for("mail.outbox"))
