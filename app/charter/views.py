"""Charter pages: the public charter (HTML, PDF, JSON, comparison) and the secretariat's
drafting screens. Views parse, call one service, commit once, and render or redirect."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.charter import caching, present, services
from app.charter import panels as _panels  # noqa: F401  (registers the dashboard panel)
from app.charter.forms import (
    ActionForm,
    CompareForm,
    MoveForm,
    PrincipleForm,
    PublishForm,
    VersionForm,
)
from app.charter.models import CharterVersion
from app.core.conditional import conditional
from app.core.forms import error_status
from app.core.http_cache import public_page
from app.db import db
from app.errors import DomainError, ValidationFailed
from app.security import secretariat_required

bp = Blueprint("charter", __name__)


@bp.before_request
def _json_body_must_be_an_object():
    """Forms also accept a JSON object (Flask-WTF reads it like form fields); any other JSON
    body is a bad request, not a crash."""
    if (
        request.method == "POST"
        and request.is_json
        and not isinstance(request.get_json(silent=True), dict)
    ):
        abort(400)


def _actor():
    return current_user._get_current_object()


def _place_errors(form, error: DomainError) -> None:
    """A service's messages next to the fields they name; the others above the form."""
    placed_any = False
    for name, messages in (error.errors or {}).items():
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = [*list(field.errors or []), *messages]
            placed_any = True
        else:
            form.form_errors.extend(messages)
            placed_any = True
    if not placed_any:
        form.form_errors.append(error.message)


# Public ---------------------------------------------------------------------------------------


def _render_version(version: CharterVersion, timeline: services.Timeline, *, canonical: bool):
    status = timeline.status(version)
    return render_template(
        "charter/version.html",
        version=version,
        timeline=timeline,
        status=status,
        previous=timeline.previous(version),
        following=timeline.next(version),
        current=timeline.current,
        upcoming=timeline.upcoming,
        superseded_on=timeline.superseded_on(version),
        is_current_page=canonical,
        preview=False,
    )


@bp.route("/charter")
@public_page("charter")
def current():
    timeline = services.timeline()
    v = caching.validators("page-current", timeline.versions, timeline.today, personal=True)

    def build():
        if timeline.current is None:
            return render_template("charter/none.html", upcoming=timeline.upcoming)
        version = services.get_published(timeline.current.number)
        return _render_version(version, timeline, canonical=True)

    return conditional(v, build, cache_control=caching.revalidate(v), page=True)


@bp.route("/charter/versions")
@public_page("charter")
def versions():
    timeline = services.timeline()
    v = caching.validators("page-versions", timeline.versions, timeline.today, personal=True)
    return conditional(
        v,
        lambda: render_template("charter/versions.html", timeline=timeline),
        cache_control=caching.revalidate(v),
        page=True,
    )


@bp.route("/charter/v/<int:number>")
@public_page("charter")
def version(number: int):
    timeline = services.timeline()
    if timeline.by_number(number) is None:
        abort(404)
    v = caching.validators(f"page-v{number}", timeline.versions, timeline.today, personal=True)
    return conditional(
        v,
        lambda: _render_version(services.get_published(number), timeline, canonical=False),
        cache_control=caching.revalidate(v),
        page=True,
    )


def _pdf_response(number: int | None):
    timeline = services.timeline()
    target = timeline.current if number is None else timeline.by_number(number)
    if target is None:
        abort(404)
    kind = "pdf-current" if number is None else f"pdf-v{number}"
    v = caching.validators(f"{kind}:{target.id}", timeline.versions, timeline.today, personal=False)
    filename = f"charter-v{target.number}.pdf"

    def build():
        loaded = services.get_published(target.number)
        data = present.version_pdf(loaded, timeline, cache_key=v.etag)
        response = Response(data, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
        return response

    return conditional(
        v, build, cache_control=caching.revalidate(v), vary="Accept-Language, Cookie", page=True
    )


@bp.route("/charter.pdf")
@public_page("charter")
def current_pdf():
    return _pdf_response(None)


@bp.route("/charter/v/<int:number>.pdf")
@public_page("charter")
def version_pdf(number: int):
    return _pdf_response(number)


def _json_response(number: int | None):
    timeline = services.timeline()
    target = timeline.current if number is None else timeline.by_number(number)
    if target is None:
        abort(404)
    kind = "json-current" if number is None else f"json-v{number}"
    v = caching.validators(
        f"{kind}:{target.id}", timeline.versions, timeline.today, personal=False, localised=False
    )

    def build():
        loaded = services.get_published(target.number)
        response = jsonify(present.version_payload(loaded, timeline))
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return conditional(v, build, cache_control=caching.revalidate(v), page=True)


@bp.route("/charter.json")
@public_page("charter")
def current_json():
    return _json_response(None)


@bp.route("/charter/v/<int:number>.json")
@public_page("charter")
def version_json(number: int):
    return _json_response(number)


def _compare_form(timeline: services.Timeline, data=None) -> CompareForm:
    form = CompareForm(formdata=data)
    choices = [
        (
            v.number,
            _("Version %(n)d (%(date)s)", n=v.number, date=format_date(v.effective_date, "medium")),
        )
        for v in timeline.versions
    ]
    form.from_.choices = choices
    form.to.choices = choices
    return form


@bp.route("/charter/compare")
@public_page("charter")
def compare_pick():
    """The comparison picker: a GET form (works without JavaScript) that leads to
    /charter/compare/<a>/<b>."""
    timeline = services.timeline()
    submitted = "from" in request.args or "to" in request.args
    form = _compare_form(timeline, request.args if submitted else None)
    if submitted and form.validate():
        a, b = form.from_.data, form.to.data
        if a is None:
            form.from_.errors.append(_("Choose the version to compare from."))
        if b is None:
            form.to.errors.append(_("Choose the version to compare with."))
        if a is not None and b is not None and a == b:
            form.to.errors.append(_("Choose two different versions."))
        if not form.errors:
            return redirect(url_for("charter.compare", a=min(a, b), b=max(a, b)))
    elif not submitted and len(timeline.versions) >= 2:
        form.to.data = (timeline.current or timeline.versions[0]).number
        previous = timeline.previous(timeline.by_number(form.to.data))
        form.from_.data = previous.number if previous else timeline.versions[-1].number
    status = 422 if submitted and form.errors else 200
    return render_template(
        "charter/compare.html", form=form, timeline=timeline, comparison=None
    ), status


@bp.route("/charter/compare/<int:a>/<int:b>")
@public_page("charter")
def compare(a: int, b: int):
    timeline = services.timeline()
    if timeline.by_number(a) is None or timeline.by_number(b) is None:
        abort(404)
    if a > b:
        return redirect(url_for("charter.compare", a=b, b=a))
    if a == b:
        return redirect(url_for("charter.compare_pick", **{"from": a, "to": b}))
    v = caching.validators(f"compare-{a}-{b}", timeline.versions, timeline.today, personal=True)

    def build():
        old, new = services.versions_for_comparison(a, b)
        comparison = services.compare_versions(old, new)
        form = _compare_form(timeline)
        form.from_.data, form.to.data = a, b
        return render_template(
            "charter/compare.html",
            form=form,
            timeline=timeline,
            comparison=comparison,
            old=old,
            new=new,
            summary=present.comparison_summary(comparison, old, new),
        )

    return conditional(v, build, cache_control=caching.revalidate(v), page=True)


# Secretariat ---------------------------------------------------------------------------------


@bp.route("/secretariat/charter")
@secretariat_required
def admin_index():
    return render_template(
        "charter/admin/index.html",
        versions=services.all_versions(),
        timeline=services.timeline(),
        draft=services.draft_in_progress(),
        action=ActionForm(),
    )


@bp.post("/secretariat/charter/new")
@secretariat_required
def admin_start():
    if not ActionForm().validate_on_submit():
        abort(400)
    draft = services.start_draft(_actor())
    db.session.commit()
    flash(
        _(
            "Draft of version %(n)d started. Change what needs changing, then publish it.",
            n=draft.number,
        ),
        "success",
    )
    return redirect(url_for("charter.admin_draft", version_id=draft.id))


def _draft_page(version: CharterVersion, *, meta_form=None, publish_form=None, status=200):
    base = services.load_version(version.based_on_id) if version.based_on_id else None
    changes = services.compare_versions(base, version) if base is not None else None
    change_by_key = {c.key: c for c in changes.changes} if changes else {}
    if meta_form is None:
        meta_form = VersionForm(obj=version, formdata=None)
    if publish_form is None:
        publish_form = PublishForm(formdata=None, data={"effective_date": clock.today()})
    return render_template(
        "charter/admin/draft.html",
        version=version,
        base=base,
        changes=changes,
        change_by_key=change_by_key,
        problems=services.publication_problems(version),
        form=meta_form,
        publish_form=publish_form,
        action=ActionForm(),
        move=MoveForm(),
    ), status


@bp.route("/secretariat/charter/<int:version_id>", methods=["GET", "POST"])
@secretariat_required
def admin_draft(version_id: int):
    if request.method == "POST":
        services.ensure_editable(_actor(), version_id)
    version = services.load_version(version_id)
    if not version.is_draft:
        return redirect(url_for("charter.version", number=version.number))
    form = VersionForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.update_draft(
                    _actor(),
                    version_id,
                    title=form.title.data,
                    preamble_md=form.preamble_md.data or "",
                    change_summary=form.change_summary.data or "",
                )
            except ValidationFailed as error:
                db.session.rollback()
                _place_errors(form, error)
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("charter.admin_draft", version_id=version_id))
        version = services.load_version(version_id)
        return _draft_page(version, meta_form=form, status=error_status(form))
    return _draft_page(version)


@bp.route("/secretariat/charter/<int:version_id>/preview")
@secretariat_required
def admin_preview(version_id: int):
    version = services.load_version(version_id)
    if not version.is_draft:
        return redirect(url_for("charter.version", number=version.number))
    timeline = services.timeline()
    return render_template(
        "charter/version.html",
        version=version,
        timeline=timeline,
        status="draft",
        previous=timeline.latest,
        following=None,
        current=timeline.current,
        upcoming=[],
        superseded_on=None,
        is_current_page=False,
        preview=True,
        problems=services.publication_problems(version),
    )


@bp.route("/secretariat/charter/<int:version_id>/preview.pdf")
@secretariat_required
def admin_preview_pdf(version_id: int):
    version = services.load_version(version_id)
    if not version.is_draft:
        return redirect(url_for("charter.version_pdf", number=version.number))
    data = present.version_pdf(version, None, cache_key=None, preview=True)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="charter-v{version.number}-draft.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _principle_page(version, form, text=None, status=200):
    return render_template(
        "charter/admin/principle.html", version=version, form=form, text=text
    ), status


@bp.route("/secretariat/charter/<int:version_id>/principles/new", methods=["GET", "POST"])
@secretariat_required
def admin_principle_new(version_id: int):
    if request.method == "POST":
        services.ensure_editable(_actor(), version_id)
    version = services.load_version(version_id)
    if not version.is_draft:
        return redirect(url_for("charter.version", number=version.number))
    form = PrincipleForm()
    if request.method == "GET":
        form.number.data = max((t.number for t in version.texts), default=0) + 1
    if form.validate_on_submit():
        try:
            text = services.add_principle(
                _actor(),
                version_id,
                number=form.number.data,
                title=form.title.data,
                body_md=form.body_md.data or "",
                theme=form.theme.data or "",
            )
        except ValidationFailed as error:
            db.session.rollback()
            _place_errors(form, error)
        else:
            number = text.number
            db.session.commit()
            flash(_("Principle %(n)d added.", n=number), "success")
            return redirect(
                url_for("charter.admin_draft", version_id=version_id, _anchor=f"row-{text.id}")
            )
    return _principle_page(version, form, status=error_status(form))


@bp.route("/secretariat/charter/<int:version_id>/principles/<int:text_id>", methods=["GET", "POST"])
@secretariat_required
def admin_principle_edit(version_id: int, text_id: int):
    if request.method == "POST":
        services.ensure_editable(_actor(), version_id)
    version = services.load_version(version_id)
    text = next((t for t in version.texts if t.id == text_id), None)
    if not version.is_draft:
        return redirect(url_for("charter.version", number=version.number))
    if text is None:
        abort(404)
    form = PrincipleForm(obj=text) if request.method == "GET" else PrincipleForm()
    if form.validate_on_submit():
        try:
            services.update_principle(
                _actor(),
                version_id,
                text_id,
                number=form.number.data,
                title=form.title.data,
                body_md=form.body_md.data or "",
                theme=form.theme.data or "",
            )
        except ValidationFailed as error:
            db.session.rollback()
            _place_errors(form, error)
        else:
            db.session.commit()
            flash(_("Principle %(n)d saved.", n=form.number.data), "success")
            return redirect(
                url_for("charter.admin_draft", version_id=version_id, _anchor=f"row-{text_id}")
            )
    return _principle_page(version, form, text=text, status=error_status(form))


@bp.post("/secretariat/charter/<int:version_id>/principles/<int:text_id>/move")
@secretariat_required
def admin_principle_move(version_id: int, text_id: int):
    services.ensure_editable(_actor(), version_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    services.move_principle(_actor(), version_id, text_id, form.direction.data)
    db.session.commit()
    return redirect(url_for("charter.admin_draft", version_id=version_id, _anchor=f"row-{text_id}"))


@bp.post("/secretariat/charter/<int:version_id>/principles/<int:text_id>/remove")
@secretariat_required
def admin_principle_remove(version_id: int, text_id: int):
    services.ensure_editable(_actor(), version_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    title = services.remove_principle(_actor(), version_id, text_id)
    db.session.commit()
    flash(_("“%(title)s” removed from this draft.", title=title), "success")
    return redirect(url_for("charter.admin_draft", version_id=version_id, _anchor="principles"))


@bp.post("/secretariat/charter/<int:version_id>/publish")
@secretariat_required
def admin_publish(version_id: int):
    services.ensure_editable(_actor(), version_id)
    form = PublishForm()
    valid = form.validate_on_submit()
    if valid:
        try:
            version = services.publish(_actor(), version_id, form.effective_date.data)
        except ValidationFailed as error:
            db.session.rollback()
            _place_errors(form, error)
        else:
            number = version.number
            effective = version.effective_date
            db.session.commit()
            if effective > clock.today():
                flash(
                    _(
                        "Version %(n)d is published. It takes effect on %(date)s; until then "
                        "it is shown as upcoming.",
                        n=number,
                        date=format_date(effective, "long"),
                    ),
                    "success",
                )
            else:
                flash(_("Version %(n)d is published and in force.", n=number), "success")
            return redirect(url_for("charter.version", number=number))
    version = services.load_version(version_id)
    return _draft_page(version, publish_form=form, status=error_status(form))


@bp.post("/secretariat/charter/<int:version_id>/delete")
@secretariat_required
def admin_delete(version_id: int):
    services.ensure_editable(_actor(), version_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    number = services.delete_draft(_actor(), version_id)
    db.session.commit()
    flash(_("The draft of version %(n)d was deleted.", n=number), "success")
    return redirect(url_for("charter.admin_index"))
