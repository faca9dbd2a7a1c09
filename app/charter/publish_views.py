"""Publishing a draft of the charter, in two steps: the draft page's publish box leads to a
confirmation page that says what will happen (the effective date, the version it
supersedes, who is emailed, and warnings), and only that page's button publishes. A POST
without the confirmation it signed, or after the draft changed, publishes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app import clock
from app.charter import services
from app.charter.admin_views import draft_page
from app.charter.blueprint import actor, bp, place_errors
from app.charter.forms import PublishDateForm, PublishForm
from app.charter.models import CharterVersion
from app.charter.translations import languages
from app.charter.translations import services as translations
from app.charter.translations.forms import labels
from app.core.forms import error_status
from app.core.uow import refusal_into
from app.errors import Conflict, ValidationFailed
from app.members.endorsements import representatives_to_ask
from app.reporting.cycles import open_cycle_now
from app.security import secretariat_required

CONFIRMATION_MAX_AGE = 3600  # seconds a confirmation page stays valid


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="charter-publish")


def _confirmed(token: str | None, version_id: int) -> str | None:
    """The fingerprint the confirmation page signed for this version, or None."""
    if not token:
        return None
    try:
        data = _signer().loads(token, max_age=CONFIRMATION_MAX_AGE)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("v") != version_id:
        return None
    return data.get("f") if isinstance(data.get("f"), str) else None


@dataclass
class Recipients:
    organisations: int
    people: int


def _recipients() -> Recipients:
    members = representatives_to_ask()
    return Recipients(len(members), sum(len(m.emails) for m in members))


def _confirm_page(preview: services.PublicationPreview, *, refusal: str = "", status=200):
    version = preview.version
    form = PublishForm(
        formdata=None,
        data={
            "effective_date": preview.effective_date,
            "confirmation": _signer().dumps({"v": version.id, "f": preview.fingerprint}),
        },
    )
    return render_template(
        "charter/admin/publish.html",
        version=version,
        preview=preview,
        recipients=_recipients(),
        open_cycle=open_cycle_now(),
        translation_statuses=translations.statuses(version),
        language_names=languages.NAMES,
        labels=labels,
        form=form,
        refusal=refusal,
    ), status


def _not_a_draft(version_id: int):
    version = services.load_version(version_id)
    if version.is_draft:
        return None
    return redirect(url_for("charter.version", number=version.number))


@bp.get("/secretariat/charter/<int:version_id>/publish")
@secretariat_required
def admin_publish_confirm(version_id: int):
    """What publishing the draft on the chosen date will do. Changes nothing."""
    if (elsewhere := _not_a_draft(version_id)) is not None:
        return elsewhere
    form = PublishDateForm(formdata=request.args)
    if form.validate():
        with refusal_into(catch=ValidationFailed) as refused:
            preview = services.publication_preview(actor(), version_id, form.effective_date.data)
        if not refused:
            return _confirm_page(preview)
        place_errors(form, refused.error)
    version = services.load_version(version_id)
    return draft_page(version, publish_form=form, status=error_status(form))


def _flash_published(version: CharterVersion) -> None:
    if version.effective_date > clock.today():
        flash(
            _(
                "Version %(n)d is published. It takes effect on %(date)s; until then "
                "it is shown as upcoming.",
                n=version.number,
                date=format_date(version.effective_date, "long"),
            ),
            "success",
        )
    else:
        flash(_("Version %(n)d is published and in force.", n=version.number), "success")


@bp.post("/secretariat/charter/<int:version_id>/publish")
@secretariat_required
def admin_publish(version_id: int):
    services.ensure_editable(actor(), version_id)
    form = PublishForm()
    if form.validate_on_submit():
        confirmed = _confirmed(form.confirmation.data, version_id)
        with refusal_into(catch=(ValidationFailed, Conflict)) as refused:
            if confirmed is None:  # no one-click publication: show what it will do first
                return _confirm_page(
                    services.publication_preview(actor(), version_id, form.effective_date.data),
                    refusal=_(
                        "Nothing was published yet. Check what publishing will do, then "
                        "confirm with the button below."
                    ),
                    status=400,
                )
            version = services.publish(
                actor(), version_id, form.effective_date.data, confirmed=confirmed
            )
        if not refused:
            _flash_published(version)
            return redirect(url_for("charter.version", number=version.number))
        if isinstance(refused.error, Conflict):  # the draft changed since it was confirmed
            preview = services.publication_preview(actor(), version_id, form.effective_date.data)
            return _confirm_page(preview, refusal=refused.message, status=409)
        place_errors(form, refused.error)
    version = services.load_version(version_id)
    return draft_page(version, publish_form=form, status=error_status(form))
