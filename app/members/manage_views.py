"""Pages where a representative (or the secretariat) acts for one organisation: its
profile and logo, its endorsement of the charter, its pledges and their progress.

Every route names the organisation by its slug; the services check that the acting user
may manage it (403 otherwise) and that a pledge or entry belongs to it (404 otherwise).
The request's unit of work (`app.core.uow`) commits what a successful action did; a refused
one is rolled back by `refusal_into` and its form shown again with the message.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.core.forms import error_status
from app.core.uow import refusal_into
from app.errors import NotFound
from app.members import pledges as pledge_services
from app.members import services
from app.members.blueprint import actor, bp
from app.members.directory import load_sectors
from app.members.forms import (
    ConfirmForm,
    EndorseForm,
    OrganisationForm,
    PledgeForm,
    ProgressForm,
    WithdrawPledgeForm,
    id_or_invalid,
    organisation_data,
)
from app.members.uploads import read_limited
from app.security import login_required

# Profile ------------------------------------------------------------------------------------


@bp.route("/members/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    org = services.get_manageable(actor(), slug)
    form = OrganisationForm(obj=org if request.method == "GET" else None)
    form.set_choices(services.country_choices(), load_sectors())
    if request.method == "GET":
        form.sector_id.data = str(org.sector_id or "")
    status = None
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            services.update_organisation(actor(), org, organisation_data(form))
            upload = form.logo.data
            if upload is not None and getattr(upload, "filename", ""):
                services.set_logo(
                    actor(), org, read_limited(upload.stream, current_app.config["LOGO_MAX_BYTES"])
                )
            elif form.remove_logo.data and org.logo_sha256:
                services.remove_logo(actor(), org)
        if not refused:
            flash(_("The profile of %(org)s has been saved.", org=org.name), "success")
            return redirect(url_for("members.profile", slug=org.slug))
        status = refused.status
        org = services.get_manageable(actor(), slug)
    return render_template("members/edit.html", form=form, org=org), status or error_status(form)


# Endorsement -----------------------------------------------------------------------------------


@bp.route("/members/<slug>/endorse", methods=["GET", "POST"])
@login_required
def endorse(slug: str):
    org = services.get_manageable(actor(), slug)
    version = services.latest_published_version()
    form = EndorseForm()
    if request.method == "GET":
        if version is not None:
            form.version_id.data = str(version.id)
        if actor().is_representative:
            form.signatory_name.data = actor().name
            form.signatory_title.data = actor().job_title
    status = None
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            services.endorse(
                actor(),
                org,
                id_or_invalid(form.version_id.data),
                form.signatory_name.data,
                form.signatory_title.data,
                bool(form.authorised.data),
            )
        if not refused:
            flash(
                _(
                    "Thank you: %(org)s has endorsed version %(n)d of the charter.",
                    org=org.name,
                    n=version.number,
                ),
                "success",
            )
            return redirect(url_for("members.profile", slug=org.slug))
        status = refused.status
        org = services.get_manageable(actor(), slug)
    if version is not None:
        form.version_id.data = str(version.id)
    due = services.endorsement_due(org, version)
    return render_template(
        "members/endorse.html", form=form, org=org, version=version, due=due
    ), status or error_status(form)


# Pledges ------------------------------------------------------------------------------------------


@bp.route("/members/<slug>/pledges")
@login_required
def pledges(slug: str):
    org = services.get_manageable(actor(), slug)
    items = pledge_services.pledges_for_management(actor(), org)
    labels = services.principle_labels({p.id for pledge in items for p in pledge.principles})
    return render_template("members/pledges.html", org=org, pledges=items, labels=labels)


def _pledge_form(pledge=None) -> PledgeForm:
    form = PledgeForm()
    form.principle_ids.choices = [
        (str(pid), text) for pid, text in pledge_services.principle_choices()
    ]
    if request.method == "GET" and pledge is not None:
        form.title.data = pledge.title
        form.description_md.data = pledge.description_md
        form.target_date.data = pledge.target_date
        form.indicator.data = pledge.indicator
        form.visibility.data = "public" if pledge.is_public else "private"
        form.principle_ids.data = [str(p.id) for p in pledge.principles]
    return form


def _pledge_data(form: PledgeForm) -> pledge_services.PledgeData:
    ids = [id_or_invalid(v) for v in (form.principle_ids.data or [])]
    return pledge_services.PledgeData(
        title=form.title.data or "",
        indicator=form.indicator.data or "",
        target_date=form.target_date.data,
        principle_ids=[i for i in ids if i is not None],
        description_md=form.description_md.data or "",
        is_public=form.visibility.data != "private",
    )


@bp.route("/members/<slug>/pledges/new", methods=["GET", "POST"])
@login_required
def pledge_new(slug: str):
    org = services.get_manageable(actor(), slug)
    form = _pledge_form()
    status = None
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            pledge = pledge_services.create_pledge(actor(), org, _pledge_data(form))
        if not refused:
            flash(_("Your pledge “%(title)s” has been recorded.", title=pledge.title), "success")
            return redirect(url_for("members.pledge", slug=org.slug, pledge_id=pledge.id))
        status = refused.status
        org = services.get_manageable(actor(), slug)
    return _render_pledge_form(form, org, None, status)


def _render_pledge_form(form: PledgeForm, org, pledge, status: int | None):
    return render_template(
        "members/pledge_form.html",
        form=form,
        org=org,
        pledge=pledge,
        max_date=pledge_services.latest_target_date(),
    ), status or error_status(form)


@bp.route("/members/<slug>/pledges/<int:pledge_id>/edit", methods=["GET", "POST"])
@login_required
def pledge_edit(slug: str, pledge_id: int):
    org = services.get_manageable(actor(), slug)
    pledge = pledge_services.get_pledge(actor(), org, pledge_id)
    form = _pledge_form(pledge)
    status = None
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            pledge_services.update_pledge(actor(), pledge, _pledge_data(form))
        if not refused:
            flash(_("The pledge has been saved."), "success")
            return redirect(url_for("members.pledge", slug=org.slug, pledge_id=pledge.id))
        status = refused.status
        org = services.get_manageable(actor(), slug)
        pledge = pledge_services.get_pledge(actor(), org, pledge_id)
    return _render_pledge_form(form, org, pledge, status)


def _render_pledge(org, pledge, progress=None, withdraw=None, status: int = 200):
    progress = progress or ProgressForm(formdata=None, status=pledge.status)
    withdraw = withdraw or WithdrawPledgeForm(formdata=None, prefix="withdraw")
    labels = services.principle_labels({p.id for p in pledge.principles})
    return render_template(
        "members/pledge.html",
        org=org,
        pledge=pledge,
        progress=progress,
        withdraw=withdraw,
        confirm=ConfirmForm(),
        labels=labels,
    ), status


@bp.route("/members/<slug>/pledges/<int:pledge_id>")
@login_required
def pledge(slug: str, pledge_id: int):
    org = services.get_manageable(actor(), slug)
    return _render_pledge(org, pledge_services.get_pledge(actor(), org, pledge_id))


@bp.post("/members/<slug>/pledges/<int:pledge_id>/progress")
@login_required
def pledge_progress(slug: str, pledge_id: int):
    org = services.get_manageable(actor(), slug)
    pledge = pledge_services.get_pledge(actor(), org, pledge_id)
    form = ProgressForm()
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            pledge_services.record_progress(
                actor(), pledge, form.status.data or "", form.note.data or ""
            )
        if not refused:
            flash(_("Progress recorded."), "success")
            return redirect(url_for("members.pledge", slug=org.slug, pledge_id=pledge.id))
        org = services.get_manageable(actor(), slug)
        pledge = pledge_services.get_pledge(actor(), org, pledge_id)
        return _render_pledge(org, pledge, progress=form, status=refused.status)
    return _render_pledge(
        org, pledge, progress=form, status=error_status(form) if form.errors else 400
    )


@bp.post("/members/<slug>/pledges/<int:pledge_id>/withdraw")
@login_required
def pledge_withdraw(slug: str, pledge_id: int):
    org = services.get_manageable(actor(), slug)
    pledge = pledge_services.get_pledge(actor(), org, pledge_id)
    form = WithdrawPledgeForm(prefix="withdraw")
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            pledge_services.withdraw_pledge(actor(), pledge, form.note.data)
        if refused:
            org = services.get_manageable(actor(), slug)
            pledge = pledge_services.get_pledge(actor(), org, pledge_id)
            return _render_pledge(org, pledge, withdraw=form, status=refused.status)
        flash(_("The pledge has been withdrawn."), "success")
        return redirect(url_for("members.pledge", slug=org.slug, pledge_id=pledge.id))
    return _render_pledge(org, pledge, withdraw=form, status=422 if form.errors else 400)


@bp.post("/members/<slug>/pledges/<int:pledge_id>/updates/<int:update_id>/verify")
@login_required
def pledge_verify(slug: str, pledge_id: int, update_id: int):
    org = services.get_manageable(actor(), slug)
    pledge = pledge_services.get_pledge(actor(), org, pledge_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_pledge(org, pledge, status=400)
    if not any(u.id == update_id for u in pledge.updates):
        raise NotFound(_("There is no such progress entry."))
    pledge_services.verify_update(actor(), org, update_id)
    flash(_("The progress entry is marked as verified."), "success")
    return redirect(url_for("members.pledge", slug=org.slug, pledge_id=pledge.id))
