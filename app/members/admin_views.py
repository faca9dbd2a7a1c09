"""The secretariat's side: the applications queue, organisations (statuses,
representatives) and sectors."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.core.forms import apply_domain_error
from app.core.labels import STATUS
from app.db import db
from app.errors import DomainError
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
    failed = None
    if form.validate_on_submit():
        try:
            org = services.create_organisation(actor(), organisation_data(form))
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
            failed = error.status_code
        else:
            db.session.commit()
            flash(
                _(
                    "%(org)s has been added as an applicant. Activate it when it has signed.",
                    org=org.name,
                ),
                "success",
            )
            return redirect(url_for("members.admin_org", slug=org.slug))
    status = failed or (422 if form.errors or form.form_errors else 200)
    return render_template("members/admin_new.html", form=form), status


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
        try:
            services.secretariat_change_status(
                actor(),
                org,
                form.status.data or "",
                form.reason.data,
                form.public_reason.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
            org = services.get_manageable(actor(), slug)
            return _render_admin_org(org, status_form=form, status=error.status_code)
        db.session.commit()
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
        try:
            services.invite(
                actor(), org, form.email.data, form.name.data or "", form.job_title.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
            org = services.get_manageable(actor(), slug)
            return _render_admin_org(org, rep_form=form, status=error.status_code)
        db.session.commit()
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
    db.session.commit()
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
        try:
            user = services.approve_application(actor(), application, form.invite_email.data)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
            application = services.get_application(actor(), application_id)
            return _render_application(application, approve=form, status=error.status_code)
        db.session.commit()
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
        try:
            services.reject_application(actor(), application, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
            application = services.get_application(actor(), application_id)
            return _render_application(application, reject=form, status=error.status_code)
        db.session.commit()
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
    failed = None
    if form.validate_on_submit():
        try:
            sector = services.create_sector(actor(), form.name.data)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
            failed = error.status_code
        else:
            db.session.commit()
            flash(_("Sector “%(name)s” added.", name=sector.name), "success")
            return redirect(url_for("members.admin_sectors"))
    status = failed or (422 if form.errors or form.form_errors else 200)
    return render_template(
        "members/admin_sectors.html",
        form=form,
        confirm=ConfirmForm(),
        sectors=services.sectors_with_counts(actor()),
    ), status


@bp.route("/secretariat/sectors/<int:sector_id>/edit", methods=["GET", "POST"])
@secretariat_required
def admin_sector_edit(sector_id: int):
    sector = services.get_sector(actor(), sector_id)
    form = SectorForm(obj=sector if request.method == "GET" else None)
    failed = None
    if form.validate_on_submit():
        try:
            services.rename_sector(actor(), sector, form.name.data)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
            failed = error.status_code
            sector = services.get_sector(actor(), sector_id)
        else:
            db.session.commit()
            flash(_("Sector renamed."), "success")
            return redirect(url_for("members.admin_sectors"))
    status = failed or (422 if form.errors or form.form_errors else 200)
    return render_template("members/admin_sector_edit.html", form=form, sector=sector), status


@bp.post("/secretariat/sectors/<int:sector_id>/delete")
@secretariat_required
def admin_sector_delete(sector_id: int):
    sector = services.get_sector(actor(), sector_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("members.admin_sectors"))
    try:
        services.delete_sector(actor(), sector)
    except DomainError as error:
        db.session.rollback()
        return render_template(
            "members/admin_sectors.html",
            form=SectorForm(formdata=None),
            confirm=ConfirmForm(),
            delete_error=error.message,
            sectors=services.sectors_with_counts(actor()),
        ), error.status_code
    db.session.commit()
    flash(_("Sector deleted."), "success")
    return redirect(url_for("members.admin_sectors"))
