"""Organisations, statuses, applications, endorsements, sectors and representatives.

The membership lifecycle lives here, because other domains change a member's status too
(reporting's deadline rules make members non-communicating, delist them, and bring them
back when they report). Pledges are in `app.members.pledges`; `add_pledge_update` stays
here because the reporting domain calls it.

Services take the acting user explicitly (None for an anonymous visitor or an automatic
rule), check authorisation with `app.security`, raise `DomainError`s with a message for
the field concerned, flush, and never commit.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import pycountry
from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.core import signals
from app.core.labels import label
from app.core.services import record, store_file
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.mail import send_later
from app.members import reasons
from app.members.models import (
    PUBLIC_STATUSES,
    Application,
    ApplicationState,
    Category,
    Endorsement,
    Organisation,
    Pledge,
    PledgeStatus,
    PledgeUpdate,
    Sector,
    SizeBand,
    Status,
    StatusChange,
)
from app.security import ensure_can_manage_org, ensure_secretariat, is_secretariat, represents

# Which status may follow which. The secretariat can suspend or record a withdrawal at any
# time; the deadline rules drive non-communicating and delisted.
TRANSITIONS: dict[str, set[str]] = {
    Status.APPLICANT: {Status.ACTIVE, Status.REJECTED, Status.WITHDRAWN},
    Status.ACTIVE: {Status.NON_COMMUNICATING, Status.SUSPENDED, Status.WITHDRAWN},
    Status.NON_COMMUNICATING: {Status.ACTIVE, Status.DELISTED, Status.SUSPENDED, Status.WITHDRAWN},
    Status.DELISTED: {Status.ACTIVE, Status.WITHDRAWN},  # readmission after reporting again
    Status.SUSPENDED: {Status.ACTIVE, Status.DELISTED, Status.WITHDRAWN},
    Status.WITHDRAWN: {Status.APPLICANT, Status.ACTIVE},  # rejoining
    Status.REJECTED: {Status.APPLICANT},
}

# Applicant-stage changes concern the application, not public membership.
_PRIVATE_TARGETS = {Status.APPLICANT, Status.REJECTED}
# Moves the public must be told the reason for.
PUBLIC_REASON_REQUIRED = {Status.SUSPENDED, Status.DELISTED}
# Members who are asked to endorse each new charter version.
ENDORSING_STATUSES = (Status.ACTIVE, Status.NON_COMMUNICATING)

NAME_MAX = 200
URL_MAX = 500


def allowed_transitions(status: str) -> set[str]:
    return set(TRANSITIONS.get(status, set()))


def change_status(
    actor,
    organisation: Organisation,
    to_status: str,
    reason: str = "",
    public_reason: str = "",
    at=None,
) -> StatusChange:
    """Move an organisation to a new status, recording who, when, why.

    `actor` is None for automatic changes (the deadline rules run by `pactum tick`);
    otherwise it must be the secretariat. Raises ValidationFailed for a forbidden move.
    """
    if actor is not None:
        ensure_secretariat(actor)
    if to_status not in {s.value for s in Status}:
        raise ValidationFailed(_("Unknown status."), field="status")
    if to_status == organisation.status:
        raise ValidationFailed(_("The organisation already has this status."), field="status")
    if to_status not in allowed_transitions(organisation.status):
        raise ValidationFailed(
            _(
                "An organisation cannot go from %(a)s to %(b)s.",
                a=label("status", organisation.status),
                b=label("status", to_status),
            ),
            field="status",
        )
    when = at or clock.now()
    change = StatusChange(
        organisation=organisation,
        from_status=organisation.status,
        to_status=to_status,
        at=when,
        by_user_id=getattr(actor, "id", None),
        reason=clean_text(reason),
        public_reason=clean_text(public_reason),
        is_public=to_status not in _PRIVATE_TARGETS,
    )
    db.session.add(change)
    previous = organisation.status
    organisation.status = to_status
    organisation.status_since = when
    if to_status == Status.ACTIVE and organisation.joined_on is None:
        organisation.joined_on = when.date()
    db.session.flush()
    record(
        actor,
        "organisation.status",
        organisation,
        summary=f"{organisation.name}: {previous} -> {to_status}",
        reason=reason,
    )
    signals.organisation_status_changed.send(
        organisation, actor=actor, from_status=previous, to_status=to_status
    )
    return change


def add_pledge_update(
    actor,
    pledge: Pledge,
    status: str,
    note: str = "",
    report_version_id: int | None = None,
    at=None,
) -> PledgeUpdate:
    """Record a dated status/progress entry for a pledge and move the pledge's status."""
    if status not in {s.value for s in PledgeStatus}:
        raise ValidationFailed(_("Unknown pledge status."), field="status")
    when = at or clock.now()
    update = PledgeUpdate(
        pledge=pledge,
        status=status,
        note=clean_text(note),
        at=when,
        by_user_id=getattr(actor, "id", None),
        report_version_id=report_version_id,
    )
    db.session.add(update)
    if status != pledge.status:
        pledge.status = status
        pledge.status_since = when
    db.session.flush()
    signals.organisation_changed.send(pledge.organisation, actor=actor)
    return update


def organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.status.not_in([Status.REJECTED]))
        .order_by(Organisation.name_key)
    ).all()
    return [(row.id, row.name) for row in rows]


# Names, slugs, countries, websites -------------------------------------------------------------


def name_key(name: str) -> str:
    """Names are unique compared case- and space-insensitively."""
    return " ".join((name or "").casefold().split())


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:200].strip("-")


def unique_slug(name: str, exclude_id: int | None = None) -> str:
    base = slugify(name) or "organisation"
    taken = set(
        db.session.scalars(
            select(Organisation.slug).where(
                (Organisation.slug == base) | Organisation.slug.like(f"{base}-%"),
                Organisation.id != (exclude_id or 0),
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def country_choices() -> list[tuple[str, str]]:
    """(ISO 3166 alpha-2 code, name) for every country, sorted by name."""
    from app.core.templating import local_country_name

    return sorted(
        ((c.alpha_2, local_country_name(c.alpha_2)) for c in pycountry.countries),
        key=lambda pair: unicodedata.normalize("NFKD", pair[1]).lower(),
    )


def validate_country(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 2 or not code.isascii() or pycountry.countries.get(alpha_2=code) is None:
        raise ValidationFailed(_("Choose a country from the list."), field="country")
    return code


def normalise_website(value: str) -> str:
    """An http(s) address with a real host name; "example.org" gets "https://" added.
    Empty stays empty. Raises ValidationFailed otherwise."""
    url = (value or "").strip()
    if not url:
        return ""
    message = _("Enter the full address of a website, such as https://www.example.org.")
    if len(url) > URL_MAX or any(ch.isspace() for ch in url) or any(ord(ch) < 32 for ch in url):
        raise ValidationFailed(message, field="website")
    if "://" not in url and not url.lower().startswith(("javascript:", "data:", "mailto:")):
        url = "https://" + url
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a malformed port
    except ValueError as exc:
        raise ValidationFailed(message, field="website") from exc
    host = (parts.hostname or "").rstrip(".")
    labels = host.split(".")
    valid_host = (
        len(labels) >= 2
        and all(labels)
        and all(
            re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", lbl) or lbl.startswith("xn--")
            for lbl in labels
        )
        and not labels[-1].isdigit()
    )
    if (
        parts.scheme.lower() not in ("http", "https")
        or not valid_host
        or parts.username
        or parts.password
        or (port is not None and not 0 < port < 65536)
    ):
        raise ValidationFailed(message, field="website")
    return url


# Organisation data ------------------------------------------------------------------------------


@dataclass
class OrganisationData:
    name: str
    country: str
    category: str
    legal_name: str = ""
    sector_id: int | None = None
    size_band: str = ""
    website: str = ""
    description_md: str = ""


def clean_text(text: str | None) -> str:
    """Text as typed, without control characters (NUL and friends; PostgreSQL refuses NUL)
    but with line breaks and tabs, stripped."""
    text = text or ""
    if not text.isprintable():
        text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    return text.strip()


_clean = clean_text


def _validate_data(org: Organisation, data: OrganisationData) -> tuple[dict, dict, bool]:
    """Check organisation data. Returns (clean values, errors by field, name taken)."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    name = " ".join(_clean(data.name).split())
    key = name_key(name)
    duplicate = False
    if not name:
        fail("name", _("Please fill in the organisation's name."))
    elif len(name) > NAME_MAX:
        fail("name", _("Use at most %(n)d characters.", n=NAME_MAX))
    else:
        clash = db.session.scalar(
            select(Organisation.id).where(
                Organisation.name_key == key, Organisation.id != (org.id or 0)
            )
        )
        if clash is not None:
            duplicate = True
            fail(
                "name",
                _(
                    "An organisation with this name is already a member or has "
                    "applied. If it is yours, please contact the secretariat."
                ),
            )
    country = ""
    try:
        country = validate_country(data.country)
    except ValidationFailed as error:
        fail("country", error.message)
    if data.category not in {c.value for c in Category}:
        fail("category", _("Choose a category from the list."))
    if data.size_band and data.size_band not in {s.value for s in SizeBand}:
        fail("size_band", _("Choose a size from the list."))
    if data.sector_id is not None and db.session.get(Sector, data.sector_id) is None:
        fail("sector_id", _("Choose a sector from the list."))
    website = ""
    try:
        website = normalise_website(data.website)
    except ValidationFailed as error:
        fail("website", error.message)
    legal_name = " ".join(_clean(data.legal_name).split())
    if len(legal_name) > 300:
        fail("legal_name", _("Use at most %(n)d characters.", n=300))
    description = _clean(data.description_md)
    if len(description) > 5000:
        fail("description_md", _("Use at most %(n)d characters.", n=5000))
    values = {
        "name": name,
        "name_key": key,
        "legal_name": legal_name,
        "country": country,
        "category": data.category,
        "size_band": data.size_band or "",
        "sector_id": data.sector_id,
        "website": website,
        "description_md": description,
    }
    return values, errors, duplicate


def _raise(errors: dict[str, list[str]], duplicate: bool) -> None:
    """A duplicate name alone is a conflict (409); anything else is invalid input (422)."""
    first = next(iter(errors.values()))[0]
    if duplicate and list(errors) == ["name"]:
        raise Conflict(first, errors=errors)
    raise ValidationFailed(first, errors=errors)


def _apply_data(org: Organisation, data: OrganisationData) -> None:
    """Validate everything first, then change the organisation: all or nothing."""
    values, errors, duplicate = _validate_data(org, data)
    if errors:
        _raise(errors, duplicate)
    if org.name != values["name"] or not org.slug:
        org.slug = unique_slug(values["name"], exclude_id=org.id)
    for key, value in values.items():
        setattr(org, key, value)


def get_by_slug(slug: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(_("There is no such member."))
    return org


def can_view(viewer, org: Organisation) -> bool:
    return org.is_listed or is_secretariat(viewer) or represents(viewer, org.id)


def get_visible(viewer, slug: str) -> Organisation:
    """An organisation the viewer may see: listed members for everyone; applications only
    for the secretariat (and the organisation's own representatives)."""
    org = get_by_slug(slug)
    if not can_view(viewer, org):
        raise NotFound(_("There is no such member."))
    return org


def get_manageable(actor, slug: str) -> Organisation:
    org = get_by_slug(slug)
    ensure_can_manage_org(actor, org.id)
    return org


def create_organisation(actor, data: OrganisationData) -> Organisation:
    """The secretariat adds an organisation directly (it starts as an applicant)."""
    ensure_secretariat(actor)
    org = Organisation(status=Status.APPLICANT, status_since=clock.now())
    _apply_data(org, data)
    db.session.add(org)
    db.session.flush()
    db.session.add(
        StatusChange(
            organisation=org,
            from_status=None,
            to_status=Status.APPLICANT,
            at=clock.now(),
            by_user_id=actor.id,
            is_public=False,
            reason=_("Added by the secretariat."),
        )
    )
    db.session.flush()
    record(actor, "organisation.created", org, summary=org.name)
    return org


def update_organisation(actor, org: Organisation, data: OrganisationData) -> Organisation:
    ensure_can_manage_org(actor, org.id)
    before = org.name
    _apply_data(org, data)
    org.updated_at = clock.now()
    db.session.flush()
    record(
        actor,
        "organisation.updated",
        org,
        summary=org.name,
        **({"renamed_from": before} if before != org.name else {}),
    )
    signals.organisation_changed.send(org, actor=actor)
    return org


def set_logo(actor, org: Organisation, data: bytes) -> None:
    """Check, clean and store a logo upload (see app.members.uploads)."""
    from app.members.uploads import clean_logo

    ensure_can_manage_org(actor, org.id)
    png = clean_logo(data, current_app.config["LOGO_MAX_BYTES"])
    stored = store_file(png, "image/png")
    org.logo_sha256 = stored.sha256
    org.updated_at = clock.now()
    db.session.flush()
    record(actor, "organisation.logo", org, summary=org.name, sha256=stored.sha256)
    signals.organisation_changed.send(org, actor=actor)


def remove_logo(actor, org: Organisation) -> None:
    ensure_can_manage_org(actor, org.id)
    org.logo_sha256 = None
    org.updated_at = clock.now()
    db.session.flush()
    record(actor, "organisation.logo_removed", org, summary=org.name)
    signals.organisation_changed.send(org, actor=actor)


def secretariat_change_status(
    actor, org: Organisation, to_status: str, reason: str, public_reason: str
) -> StatusChange:
    """A status change made by hand: the secretariat says why, and tells the public why
    when a member is suspended or delisted."""
    ensure_secretariat(actor)
    errors: dict[str, list[str]] = {}
    if to_status not in allowed_transitions(org.status):
        errors["status"] = [
            _("Choose one of the statuses offered.")
            if not to_status or to_status not in {s.value for s in Status}
            else _(
                "An organisation cannot go from %(a)s to %(b)s.",
                a=label("status", org.status),
                b=label("status", to_status),
            )
        ]
    if not _clean(reason):
        errors["reason"] = [_("Please say why (the representatives see this).")]
    if to_status in PUBLIC_REASON_REQUIRED and not _clean(public_reason):
        errors["public_reason"] = [_("Please give the reason the public will see.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    return change_status(actor, org, to_status, reason=reason, public_reason=public_reason)


# Applications ------------------------------------------------------------------------------------


@dataclass
class ApplicationData:
    organisation: OrganisationData
    contact_name: str
    contact_email: str
    contact_title: str
    motivation: str
    charter_version_id: int | None
    signatory_name: str
    signatory_title: str
    authorised_to_sign: bool


def submit_application(data: ApplicationData) -> Application:
    """A visitor applies through /join. Creates the applicant, its application and the
    pending endorsement; emails the secretariat and the contact."""
    from app.charter.services import current_version

    errors: dict[str, list[str]] = {}
    version = current_version()
    if version is None:
        raise Conflict(
            _(
                "The charter has not been published yet, so applications are not "
                "open. Please come back later."
            )
        )
    if data.charter_version_id != version.id:
        errors["charter_version_id"] = [
            _(
                "A new version of the charter (version %(n)d) has been published since you opened "
                "this form. Please read it, then send the form again.",
                n=version.number,
            )
        ]
    if not data.authorised_to_sign:
        errors["authorised_to_sign"] = [
            _("Only a person authorised to sign for the organisation can endorse the charter.")
        ]
    for field_name, value in (
        ("contact_name", data.contact_name),
        ("signatory_name", data.signatory_name),
        ("signatory_title", data.signatory_title),
    ):
        if not _clean(value):
            errors[field_name] = [_("Please fill in this field.")]
    email = _clean(data.contact_email).lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        errors["contact_email"] = [_("Enter a valid email address.")]
    org = Organisation(status=Status.APPLICANT, status_since=clock.now())
    values, org_errors, duplicate = _validate_data(org, data.organisation)
    for key, messages in org_errors.items():
        errors.setdefault(key, []).extend(messages)
    if errors:
        _raise(errors, duplicate)
    _apply_data(org, data.organisation)
    db.session.add(org)
    db.session.flush()
    now = clock.now()
    db.session.add(
        StatusChange(
            organisation=org,
            from_status=None,
            to_status=Status.APPLICANT,
            at=now,
            is_public=False,
            reason=_("Applied online."),
        )
    )
    application = Application(
        organisation=org,
        contact_name=_clean(data.contact_name),
        contact_email=email,
        contact_title=_clean(data.contact_title),
        motivation=_clean(data.motivation),
        charter_version_id=version.id,
        signatory_name=_clean(data.signatory_name),
        signatory_title=_clean(data.signatory_title),
        authorised_to_sign=True,
        state=ApplicationState.PENDING,
        created_at=now,
    )
    db.session.add(application)
    db.session.flush()
    record(None, "application.submitted", application, summary=org.name, contact=email)
    send_later(
        current_app.config["SECRETARIAT_EMAIL"],
        _("New application to join: %(org)s", org=org.name),
        "members_application_new",
        application=application,
        organisation=org,
        version=version,
    )
    send_later(
        email,
        _(
            "We have received your application to join %(alliance)s",
            alliance=current_app.config["ALLIANCE_NAME"],
        ),
        "members_application_received",
        application=application,
        organisation=org,
        version=version,
    )
    return application


def get_application(actor, application_id: int) -> Application:
    ensure_secretariat(actor)
    application = db.session.scalar(
        select(Application)
        .options(
            joinedload(Application.organisation).joinedload(Organisation.sector),
            joinedload(Application.charter_version),
            joinedload(Application.decided_by),
        )
        .where(Application.id == application_id)
    )
    if application is None:
        raise NotFound(_("There is no such application."))
    return application


def _ensure_pending(application: Application) -> None:
    if application.state != ApplicationState.PENDING:
        raise Conflict(_("This application has already been decided."))


def record_endorsement(
    actor,
    org: Organisation,
    version,
    signatory_name: str,
    signatory_title: str,
    endorsed_on: dt.date,
) -> Endorsement:
    exists = db.session.scalar(
        select(Endorsement.id).where(
            Endorsement.organisation_id == org.id, Endorsement.charter_version_id == version.id
        )
    )
    if exists is not None:
        raise Conflict(
            _(
                "%(org)s has already endorsed version %(n)d of the charter.",
                org=org.name,
                n=version.number,
            )
        )
    endorsement = Endorsement(
        organisation_id=org.id,
        charter_version_id=version.id,
        signatory_name=signatory_name,
        signatory_title=signatory_title,
        endorsed_on=endorsed_on,
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(endorsement)
    db.session.flush()
    # The directory shows the newest version endorsed.
    from app.charter.models import CharterVersion

    newest = db.session.scalar(
        select(CharterVersion.id)
        .join(Endorsement, Endorsement.charter_version_id == CharterVersion.id)
        .where(Endorsement.organisation_id == org.id)
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )
    org.endorsed_version_id = newest
    db.session.flush()
    return endorsement


def approve_application(actor, application: Application, invite_email: str):
    """The organisation becomes active, its endorsement is recorded and the contact is
    invited as its representative. Returns the invited user."""
    from app.accounts.services import invite_representative

    ensure_secretariat(actor)
    _ensure_pending(application)
    org = application.organisation
    change_status(
        actor,
        org,
        Status.ACTIVE,
        reason=_("Application approved."),
        public_reason=reasons.stored(reasons.JOINED),
    )
    if application.charter_version is not None:
        record_endorsement(
            actor,
            org,
            application.charter_version,
            application.signatory_name,
            application.signatory_title,
            application.created_at.date(),
        )
    application.state = ApplicationState.APPROVED
    application.decided_at = clock.now()
    application.decided_by_id = actor.id
    email = _clean(invite_email) or application.contact_email
    contact_is_invited = email.lower() == application.contact_email.lower()
    try:
        user = invite_representative(
            actor,
            org,
            email,
            application.contact_name if contact_is_invited else "",
            application.contact_title if contact_is_invited else "",
        )
    except Conflict as error:
        raise Conflict(error.message, field="invite_email") from error
    db.session.flush()
    record(actor, "application.approved", application, summary=org.name)
    send_later(
        application.contact_email,
        _(
            "Welcome to %(alliance)s: %(org)s is now a member",
            alliance=current_app.config["ALLIANCE_NAME"],
            org=org.name,
        ),
        "members_application_approved",
        application=application,
        organisation=org,
        invited=user,
    )
    signals.organisation_changed.send(org, actor=actor)
    return user


def reject_application(actor, application: Application, reason: str) -> None:
    ensure_secretariat(actor)
    _ensure_pending(application)
    reason = _clean(reason)
    if not reason:
        raise ValidationFailed(
            _("Please give the reason; it is sent to the applicant."), field="reason"
        )
    org = application.organisation
    change_status(actor, org, Status.REJECTED, reason=reason)
    application.state = ApplicationState.REJECTED
    application.decided_at = clock.now()
    application.decided_by_id = actor.id
    application.decision_reason = reason
    db.session.flush()
    record(actor, "application.rejected", application, summary=org.name, reason=reason)
    send_later(
        application.contact_email,
        _("Your application to join %(alliance)s", alliance=current_app.config["ALLIANCE_NAME"]),
        "members_application_rejected",
        application=application,
        organisation=org,
    )


def applications_queue(actor, limit_decided: int = 50) -> tuple[list, list]:
    """Pending applications (oldest first) and the latest decided ones."""
    ensure_secretariat(actor)
    base = select(Application).options(
        joinedload(Application.organisation), joinedload(Application.decided_by)
    )
    pending = list(
        db.session.scalars(
            base.where(Application.state == ApplicationState.PENDING).order_by(
                Application.created_at, Application.id
            )
        )
    )
    decided = list(
        db.session.scalars(
            base.where(Application.state != ApplicationState.PENDING)
            .order_by(Application.decided_at.desc(), Application.id.desc())
            .limit(limit_decided)
        )
    )
    return pending, decided


# Endorsements -----------------------------------------------------------------------------------


def latest_published_version():
    """The newest published charter version (in force, or published with a later date):
    the one members are asked to endorse."""
    from app.charter.models import CharterVersion, VersionStatus

    return db.session.scalar(
        select(CharterVersion)
        .where(CharterVersion.status == VersionStatus.PUBLISHED)
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )


def endorsement_due(org: Organisation, version) -> bool:
    """Should this member be asked to endorse `version`?"""
    return (
        version is not None
        and org.status in ENDORSING_STATUSES
        and org.endorsed_version_id != version.id
        and (org.endorsed_version is None or org.endorsed_version.number < version.number)
    )


def endorse(
    actor,
    org: Organisation,
    version_id: int | None,
    signatory_name: str,
    signatory_title: str,
    authorised: bool,
) -> Endorsement:
    """A representative (or the secretariat, for a paper signature) endorses the newest
    published charter version for its organisation."""
    ensure_can_manage_org(actor, org.id)
    version = latest_published_version()
    errors: dict[str, list[str]] = {}
    if version is None:
        raise Conflict(_("No charter version has been published yet."))
    if version_id != version.id:
        errors["version_id"] = [
            _(
                "You can only endorse the newest version of the charter (version %(n)d).",
                n=version.number,
            )
        ]
    if org.status not in ENDORSING_STATUSES:
        raise Conflict(
            _(
                "Only active members endorse the charter; %(org)s is %(status)s.",
                org=org.name,
                status=label("status", org.status).lower(),
            )
        )
    if not _clean(signatory_name):
        errors["signatory_name"] = [_("Please fill in this field.")]
    if not _clean(signatory_title):
        errors["signatory_title"] = [_("Please fill in this field.")]
    if not authorised:
        errors["authorised"] = [
            _("Only a person authorised to sign for the organisation can endorse the charter.")
        ]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    endorsement = record_endorsement(
        actor, org, version, _clean(signatory_name), _clean(signatory_title), clock.today()
    )
    record(
        actor,
        "organisation.endorsed",
        org,
        summary=f"{org.name}: version {version.number}",
        version=version.number,
    )
    signals.organisation_changed.send(org, actor=actor)
    return endorsement


@signals.charter_published.connect
def ask_members_to_endorse(version, actor=None, **_kwargs) -> None:
    """When a charter version is published, email the representatives of every active
    member: please endorse it. (Their dashboard shows the same request.)"""
    from app.accounts.models import Role, User

    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.slug, User.email, User.name)
        .join(User, User.organisation_id == Organisation.id)
        .where(
            Organisation.status.in_([s.value for s in ENDORSING_STATUSES]),
            User.role == Role.REPRESENTATIVE,
            User.active.is_(True),
            User.password_hash.is_not(None),
        )
        .order_by(Organisation.id)
    )
    by_org: dict[int, dict] = {}
    for row in rows:
        entry = by_org.setdefault(row.id, {"name": row.name, "slug": row.slug, "emails": []})
        entry["emails"].append(row.email)
    for entry in by_org.values():
        send_later(
            entry["emails"],
            _("Please endorse version %(n)d of the charter", n=version.number),
            "members_endorsement_request",
            version=version,
            organisation_name=entry["name"],
            endorse_path=_path("members.endorse", slug=entry["slug"]),
        )


def _path(endpoint: str, **values) -> str:
    """A URL path, in a request or not (a charter may be published from the command line)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


# Sectors ---------------------------------------------------------------------------------------


def sectors_with_counts(actor) -> list[tuple[Sector, int]]:
    ensure_secretariat(actor)
    rows = db.session.execute(
        select(Sector, func.count(Organisation.id))
        .outerjoin(Organisation, Organisation.sector_id == Sector.id)
        .group_by(Sector.id)
        .order_by(Sector.name)
    )
    return [(row[0], row[1]) for row in rows]


def _validate_sector_name(name: str, exclude_id: int | None = None) -> tuple[str, str]:
    name = " ".join(_clean(name).split())
    if not name:
        raise ValidationFailed(_("Please fill in the sector's name."), field="name")
    if len(name) > 120:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=120), field="name")
    slug = slugify(name)
    if not slug:
        raise ValidationFailed(_("Use at least one letter or digit."), field="name")
    clash = db.session.scalar(
        select(Sector.id).where(
            (func.lower(Sector.name) == name.lower()) | (Sector.slug == slug),
            Sector.id != (exclude_id or 0),
        )
    )
    if clash is not None:
        raise Conflict(_("There is already a sector with this name."), field="name")
    return name, slug


def create_sector(actor, name: str) -> Sector:
    ensure_secretariat(actor)
    name, slug = _validate_sector_name(name)
    sector = Sector(name=name, slug=slug)
    db.session.add(sector)
    db.session.flush()
    record(actor, "sector.created", sector, summary=name)
    return sector


def get_sector(actor, sector_id: int) -> Sector:
    ensure_secretariat(actor)
    sector = db.session.get(Sector, sector_id)
    if sector is None:
        raise NotFound(_("There is no such sector."))
    return sector


def rename_sector(actor, sector: Sector, name: str) -> Sector:
    ensure_secretariat(actor)
    before = sector.name
    sector.name, sector.slug = _validate_sector_name(name, exclude_id=sector.id)
    db.session.flush()
    record(actor, "sector.renamed", sector, summary=f"{before} -> {sector.name}")
    # Every member of the sector shows the new name: no single organisation is the sender.
    signals.organisation_changed.send(None, actor=actor, sector=sector)
    return sector


def delete_sector(actor, sector: Sector) -> None:
    ensure_secretariat(actor)
    used = db.session.scalar(
        select(func.count(Organisation.id)).where(Organisation.sector_id == sector.id)
    )
    if used:
        raise Conflict(
            _(
                "%(n)d organisations are in this sector. Move them to another "
                "sector before deleting it.",
                n=used,
            )
        )
    record(actor, "sector.deleted", sector, summary=sector.name)
    db.session.delete(sector)
    db.session.flush()


# Representatives ---------------------------------------------------------------------------------


def representatives(org: Organisation) -> list:
    from app.accounts.models import Role, User

    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == org.id, User.role == Role.REPRESENTATIVE)
            .order_by(User.active.desc(), User.email)
        )
    )


def invite(actor, org: Organisation, email: str, name: str = "", job_title: str = ""):
    from app.accounts.services import invite_representative

    ensure_secretariat(actor)
    if org.status in (Status.REJECTED,):
        raise Conflict(_("A rejected application has no representatives."))
    return invite_representative(actor, org, email, _clean(name), _clean(job_title))


def remove_representative(actor, org: Organisation, user_id: int) -> None:
    from app.accounts.models import User
    from app.accounts.services import deactivate_user

    ensure_secretariat(actor)
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != org.id or not user.is_representative:
        raise NotFound(_("This person does not represent %(org)s.", org=org.name))
    if not user.active:
        raise Conflict(_("%(email)s has already been removed.", email=user.email))
    deactivate_user(actor, user)


# Reading -----------------------------------------------------------------------------------------


@dataclass
class Profile:
    organisation: Organisation
    history: list[StatusChange]
    endorsements: list[Endorsement]
    pledges: list[Pledge]
    reports: list[int]  # years of the cycles whose report is public
    full_view: bool  # secretariat or own representative: everything
    latest_version: object | None
    principle_labels: dict[int, str]  # principle id -> "3. Title" in the current charter


def load_profile(viewer, slug: str) -> Profile:
    """Everything the profile page shows, in a fixed number of queries."""
    from app.charter.models import CharterVersion

    org = db.session.scalar(
        select(Organisation)
        .options(joinedload(Organisation.sector), joinedload(Organisation.endorsed_version))
        .where(Organisation.slug == slug)
    )
    if org is None or not can_view(viewer, org):
        raise NotFound(_("There is no such member."))
    full = is_secretariat(viewer) or represents(viewer, org.id)
    history_q = (
        select(StatusChange)
        .options(joinedload(StatusChange.by_user))
        .where(StatusChange.organisation_id == org.id)
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
    )
    if not full:
        history_q = history_q.where(StatusChange.is_public.is_(True))
    history = list(db.session.scalars(history_q))
    endorsements = list(
        db.session.scalars(
            select(Endorsement)
            .options(joinedload(Endorsement.charter_version))
            .join(CharterVersion, CharterVersion.id == Endorsement.charter_version_id)
            .where(Endorsement.organisation_id == org.id)
            .order_by(CharterVersion.number.desc())
        )
    )
    pledges_q = (
        select(Pledge)
        .options(
            selectinload(Pledge.principles),
            selectinload(Pledge.updates).joinedload(PledgeUpdate.verified_by),
        )
        .where(Pledge.organisation_id == org.id)
        .order_by(
            Pledge.status == PledgeStatus.WITHDRAWN,
            Pledge.target_date.is_(None),
            Pledge.target_date,
            Pledge.id,
        )
    )
    if not full:
        pledges_q = pledges_q.where(Pledge.is_public.is_(True))
    pledges = list(db.session.scalars(pledges_q))
    labels = principle_labels({p.id for pledge in pledges for p in pledge.principles})
    return Profile(
        org,
        history,
        endorsements,
        pledges,
        public_reports(org.id),
        full,
        latest_published_version(),
        labels,
    )


def principle_labels(principle_ids: set[int]) -> dict[int, str]:
    """ "3. Title" for each principle, as worded in the charter in force (one query)."""
    from app.charter.models import CharterVersion, PrincipleText, VersionStatus

    if not principle_ids:
        return {}
    newest = (
        select(PrincipleText.principle_id, func.max(CharterVersion.number).label("n"))
        .join(CharterVersion, CharterVersion.id == PrincipleText.version_id)
        .where(
            CharterVersion.status == VersionStatus.PUBLISHED,
            CharterVersion.effective_date <= clock.today(),
            PrincipleText.principle_id.in_(principle_ids),
        )
        .group_by(PrincipleText.principle_id)
        .subquery()
    )
    rows = db.session.execute(
        select(PrincipleText.principle_id, PrincipleText.number, PrincipleText.title)
        .join(CharterVersion, CharterVersion.id == PrincipleText.version_id)
        .join(
            newest,
            (newest.c.principle_id == PrincipleText.principle_id)
            & (newest.c.n == CharterVersion.number),
        )
    )
    return {r.principle_id: f"{r.number}. {r.title}" for r in rows}


def public_reports(organisation_id: int) -> list[int]:
    """Years of the member's reports that are public (accepted by the secretariat)."""
    from app.reporting.models import Report, ReportingCycle

    return list(
        db.session.scalars(
            select(ReportingCycle.year)
            .join(Report, Report.cycle_id == ReportingCycle.id)
            .where(Report.organisation_id == organisation_id, Report.state == "accepted")
            .order_by(ReportingCycle.year.desc())
        )
    )


def admin_list(actor, q: str = "", status: str = "", page: int = 1, per_page: int = 50):
    """The secretariat's list of every organisation (applications included)."""
    from app.accounts.models import Role, User

    ensure_secretariat(actor)
    conditions = []
    if q:
        from app.members.directory import _escape_like, normalise_query

        conditions.append(
            Organisation.name_key.like("%" + _escape_like(normalise_query(q)) + "%", escape="\\")
        )
    if status:
        conditions.append(Organisation.status == status)
    total = db.session.scalar(select(func.count(Organisation.id)).where(*conditions))
    reps = (
        select(func.count(User.id))
        .where(
            User.organisation_id == Organisation.id,
            User.role == Role.REPRESENTATIVE,
            User.active.is_(True),
        )
        .correlate(Organisation)
        .scalar_subquery()
    )
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        select(
            Organisation.id,
            Organisation.slug,
            Organisation.name,
            Organisation.country,
            Organisation.status,
            Organisation.status_since,
            Organisation.joined_on,
            reps.label("representatives"),
        )
        .where(*conditions)
        .order_by(Organisation.name_key)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return rows, total, page, pages


def status_counts() -> dict[str, int]:
    return dict(
        db.session.execute(
            select(Organisation.status, func.count(Organisation.id)).group_by(Organisation.status)
        ).all()
    )


def new_signatories(limit: int = 50) -> list:
    """The latest members to join, for the Atom feed."""
    from app.members.directory import listed_condition

    return list(
        db.session.scalars(
            select(Organisation)
            .options(joinedload(Organisation.sector))
            .where(listed_condition())
            .order_by(Organisation.joined_on.desc(), Organisation.id.desc())
            .limit(limit)
        )
    )


__all__ = [
    "PUBLIC_STATUSES",
    "TRANSITIONS",
    "add_pledge_update",
    "change_status",
    "organisation_choices",
]
