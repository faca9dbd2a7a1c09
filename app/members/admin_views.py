"""The secretariat's side: the applications queue, organisations (statuses,
representatives) and sectors. The request's unit of work (`app.core.uow`) commits what a
successful action did; a refused one is rolled back by `refusal_into`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.core.forms import error_status
from app.core.labels import STATUS
from app.core.uow import refusal_into
from app.members import services
from app.members.blueprint import actor, bp
from app.members.directory import load_sectors, normalise_query
from app.members.forms import (
    ApproveForm,
    ConfirmForm,
    OrganisationForm,
    RejectForm,
    RepresentativeForm,
    SectorForm,
    StatusForm,
    organisation_data,
)
from app.members.models import ApplicationState
from app.security import secretariat_required

# Organisations ------------------------------------------------------------------------------


@bp.route("/secretariat/organisations")
@secretariat_required
def admin_index():
    q = " ".join(services.clean_text(request.args.get("q")).split())[:100]
    status = request.args.get("status") or ""
    if status not in STATUS:
        status = ""
    raw_page = request.args.get("page", "1")
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7 else 1
    rows, total, page, pages = services.admin_list(actor(), normalise_query(q), status, page)
    return render_template(
        "members/admin_index.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        q=q,
        status=status,
        counts=services.status_counts(),
    )


@bp.route("/secretariat/organisations/new", methods=["GET", "POST"])
@secretariat_required
def admin_new():
    form = OrganisationForm()
    del form.logo, form.remove_logo
    form.set_choices(services.country_choices(), load_sectors())
    status = None
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            org = services.create_organisation(actor(), organisation_data(form))
        if not refused:
            flash(
                _(
                    "%(org)s has been added as an applicant. Activate it when it has signed.",
                    org=org.name,
                ),
                "success",
            )
            return redirect(url_for("members.admin_org", slug=org.slug))
        status = refused.status
    return render_template("members/admin_new.html", form=form), status or error_status(form)


def _render_admin_org(org, status_form=None, rep_form=None, status: int = 200):
    status_form = status_form or StatusForm(formdata=None)
    status_form.set_choices(services.allowed_transitions(org.status))
    rep_form = rep_form or RepresentativeForm(formdata=None)
    history = services.load_profile(actor(), org.slug).history
    return render_template(
        "members/admin_org.html",
        org=org,
        history=history,
        status_form=status_form,
        rep_form=rep_form,
        representatives=services.representatives(org),
        former_slugs=services.retired_slugs(org),
        confirm=ConfirmForm(),
    ), status


@bp.route("/secretariat/organisations/<slug>")
@secretariat_required
def admin_org(slug: str):
    return _render_admin_org(services.get_manageable(actor(), slug))


@bp.post("/secretariat/organisations/<slug>/status")
@secretariat_required
def admin_status(slug: str):
    org = services.get_manageable(actor(), slug)
    form = StatusForm()
    form.set_choices(services.allowed_transitions(org.status))
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            services.secretariat_change_status(
                actor(),
                org,
                form.status.data or "",
                form.reason.data,
                form.public_reason.data or "",
            )
        if refused:
            org = services.get_manageable(actor(), slug)
            return _render_admin_org(org, status_form=form, status=refused.status)
        flash(
            _(
                "%(org)s is now %(status)s.",
                org=org.name,
                status=STATUS[org.status].lower() if org.status in STATUS else org.status,
            ),
            "success",
        )
        return redirect(url_for("members.admin_org", slug=org.slug))
    return _render_admin_org(org, status_form=form, status=422)


@bp.post("/secretariat/organisations/<slug>/representatives")
@secretariat_required
def admin_invite(slug: str):
    org = services.get_manageable(actor(), slug)
    form = RepresentativeForm()
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            services.invite(
                actor(), org, form.email.data, form.name.data or "", form.job_title.data or ""
            )
        if refused:
            org = services.get_manageable(actor(), slug)
            return _render_admin_org(org, rep_form=form, status=refused.status)
        flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
        return redirect(url_for("members.admin_org", slug=org.slug))
    return _render_admin_org(org, rep_form=form, status=422)


@bp.post("/secretariat/organisations/<slug>/representatives/<int:user_id>/remove")
@secretariat_required
def admin_remove_rep(slug: str, user_id: int):
    org = services.get_manageable(actor(), slug)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("members.admin_org", slug=org.slug))
    services.remove_representative(actor(), org, user_id)
    flash(_("Access removed."), "success")
    return redirect(url_for("members.admin_org", slug=org.slug))


# Applications -------------------------------------------------------------------------------------


@bp.route("/secretariat/applications")
@secretariat_required
def admin_applications():
    pending, decided = services.applications_queue(actor())
    return render_template("members/admin_applications.html", pending=pending, decided=decided)


def _render_application(application, approve=None, reject=None, status: int = 200):
    if approve is None:
        approve = ApproveForm(formdata=None)
        approve.invite_email.data = application.contact_email
    reject = reject or RejectForm(formdata=None)
    return render_template(
        "members/admin_application.html",
        application=application,
        org=application.organisation,
        approve=approve,
        reject=reject,
        pending=application.state == ApplicationState.PENDING,
    ), status


@bp.route("/secretariat/applications/<int:application_id>")
@secretariat_required
def admin_application(application_id: int):
    return _render_application(services.get_application(actor(), application_id))


@bp.post("/secretariat/applications/<int:application_id>/approve")
@secretariat_required
def admin_approve(application_id: int):
    application = services.get_application(actor(), application_id)
    form = ApproveForm()
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            user = services.approve_application(actor(), application, form.invite_email.data)
        if refused:
            application = services.get_application(actor(), application_id)
            return _render_application(application, approve=form, status=refused.status)
        flash(
            _(
                "%(org)s is now a member. %(email)s has been invited to represent it.",
                org=application.organisation.name,
                email=user.email,
            ),
            "success",
        )
        return redirect(url_for("members.admin_applications"))
    return _render_application(application, approve=form, status=422)


@bp.post("/secretariat/applications/<int:application_id>/reject")
@secretariat_required
def admin_reject(application_id: int):
    application = services.get_application(actor(), application_id)
    form = RejectForm()
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            services.reject_application(actor(), application, form.reason.data)
        if refused:
            application = services.get_application(actor(), application_id)
            return _render_application(application, reject=form, status=refused.status)
        flash(
            _(
                "The application of %(org)s has been rejected and the contact told why.",
                org=application.organisation.name,
            ),
            "success",
        )
        return redirect(url_for("members.admin_applications"))
    return _render_application(application, reject=form, status=422)


# Sectors -----------------------------------------------------------------------------------------


@bp.route("/secretariat/sectors", methods=["GET", "POST"])
@secretariat_required
def admin_sectors():
    form = SectorForm()
    status = None
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            sector = services.create_sector(actor(), form.name.data)
        if not refused:
            flash(_("Sector “%(name)s” added.", name=sector.name), "success")
            return redirect(url_for("members.admin_sectors"))
        status = refused.status
    return render_template(
        "members/admin_sectors.html",
        form=form,
        confirm=ConfirmForm(),
        sectors=services.sectors_with_counts(actor()),
    ), status or error_status(form)


@bp.route("/secretariat/sectors/<int:sector_id>/edit", methods=["GET", "POST"])
@secretariat_required
def admin_sector_edit(sector_id: int):
    sector = services.get_sector(actor(), sector_id)
    form = SectorForm(obj=sector if request.method == "GET" else None)
    status = None
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            services.rename_sector(actor(), sector, form.name.data)
        if not refused:
            flash(_("Sector renamed."), "success")
            return redirect(url_for("members.admin_sectors"))
        status = refused.status
        sector = services.get_sector(actor(), sector_id)
    return render_template(
        "members/admin_sector_edit.html", form=form, sector=sector
    ), status or error_status(form)


@bp.post("/secretariat/sectors/<int:sector_id>/delete")
@secretariat_required
def admin_sector_delete(sector_id: int):
    sector = services.get_sector(actor(), sector_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("members.admin_sectors"))
    with refusal_into() as refused:
        services.delete_sector(actor(), sector)
    if refused:
        return render_template(
            "members/admin_sectors.html",
            form=SectorForm(formdata=None),
            confirm=ConfirmForm(),
            delete_error=refused.message,
            sectors=services.sectors_with_counts(actor()),
        ), refused.status
    flash(_("Sector deleted."), "success")
    return redirect(url_for("members.admin_sectors"))
