"""Forms for joining, organisation profiles, endorsements, pledges and the secretariat.

Forms check the shape of the input (required, lengths, one of the choices); the services
check the domain rules (unique names, real countries, dates in range, whose pledge it is)
and their errors are put next to the field with `app.core.forms.apply_domain_error`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import LocalDateField, NotBlank
from app.core.labels import CATEGORY, PLEDGE_STATUS, SIZE_BAND, STATUS
from app.members.validation import OrganisationData


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice (the form macro renders them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def id_or_invalid(value) -> int | None:
    """A submitted id: None when empty, -1 (matches nothing) when tampered with, so the
    service answers with its own clear message."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return -1
    return int(text)


class Ticked:
    """A tick box that must be ticked."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            raise ValidationError(self.message)


class OrganisationFieldsMixin:
    name = StringField(
        _l("Organisation name"),
        validators=[NotBlank(), Length(max=200)],
        description=_l("As it should appear in the public directory."),
    )
    legal_name = StringField(
        _l("Legal name"),
        validators=[Optional(), Length(max=300)],
        description=_l("If it differs from the name above."),
    )
    country = SelectField(
        _l("Country"),
        validators=[NotBlank(message=_l("Choose a country from the list."))],
        validate_choice=False,
        description=_l("Where the organisation has its headquarters."),
    )
    sector_id = SelectField(_l("Sector"), validate_choice=False)
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice("", _l("Choose…"))]
        + [SelectChoice(k, v) for k, v in CATEGORY.items()],
        validators=[NotBlank(message=_l("Choose a category from the list."))],
        validate_choice=False,
    )
    size_band = SelectField(
        _l("Size"),
        choices=[SelectChoice("", _l("Not stated"))]
        + [SelectChoice(k, v) for k, v in SIZE_BAND.items()],
        validate_choice=False,
        description=_l("How many people work for the organisation."),
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=500)],
        description=_l("For example https://www.example.org"),
    )
    description_md = TextAreaField(
        _l("Short description"),
        validators=[Optional(), Length(max=5000)],
        description=_l(
            "A few sentences about what the organisation does. You can use "
            "Markdown: *italic*, **bold**, [links](https://example.org)."
        ),
    )

    def set_choices(self, countries, sectors) -> None:
        self.country.choices = [("", _l("Choose a country…"))] + list(countries)
        self.sector_id.choices = [("", _l("No sector"))] + [(str(s.id), s.name) for s in sectors]


class OrganisationForm(OrganisationFieldsMixin, FlaskForm):
    logo = FileField(
        _l("Logo"),
        description=_l(
            "PNG, JPEG or WebP, at most 2 MB. It is shown at most 512 pixels wide. "
            "Leave empty to keep the current logo."
        ),
    )
    remove_logo = BooleanField(_l("Remove the current logo"))


class JoinForm(OrganisationFieldsMixin, FlaskForm):
    contact_name = StringField(
        _l("Contact person's name"), validators=[NotBlank(), Length(max=200)]
    )
    contact_title = StringField(
        _l("Contact person's job title"), validators=[Optional(), Length(max=200)]
    )
    contact_email = EmailField(
        _l("Contact person's email"),
        validators=[NotBlank(), Email(message=_l("Enter a valid email address.")), Length(max=254)],
        description=_l(
            "We write to this address about the application. Once approved, this "
            "person is invited to represent the organisation."
        ),
    )
    motivation = TextAreaField(
        _l("Why does your organisation want to join?"), validators=[Optional(), Length(max=5000)]
    )
    charter_version_id = HiddenField(_l("Charter version"))
    signatory_name = StringField(
        _l("Signatory's name"),
        validators=[NotBlank(), Length(max=200)],
        description=_l("The person who signs for the organisation."),
    )
    signatory_title = StringField(
        _l("Signatory's title"),
        validators=[NotBlank(), Length(max=200)],
        description=_l("For example Chief Executive Officer."),
    )
    authorised_to_sign = BooleanField(
        _l("I am authorised to sign for this organisation, and it endorses the charter."),
        validators=[
            Ticked(
                _l("Only a person authorised to sign for the organisation can endorse the charter.")
            )
        ],
    )


class EndorseForm(FlaskForm):
    version_id = HiddenField(_l("Charter version"))
    signatory_name = StringField(_l("Signatory's name"), validators=[NotBlank(), Length(max=200)])
    signatory_title = StringField(_l("Signatory's title"), validators=[NotBlank(), Length(max=200)])
    authorised = BooleanField(
        _l(
            "I am authorised to sign for this organisation, and it endorses this version of "
            "the charter."
        ),
        validators=[
            Ticked(
                _l("Only a person authorised to sign for the organisation can endorse the charter.")
            )
        ],
    )


class PledgeForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[NotBlank(), Length(max=200)],
        description=_l(
            "A concrete commitment, such as “Fix critical vulnerabilities within 30 days”."
        ),
    )
    principle_ids = MultiCheckboxField(_l("Principles this pledge serves"), validate_choice=False)
    description_md = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5000)],
        description=_l("What you will do, and how. Markdown allowed."),
    )
    target_date = LocalDateField(
        _l("Target date"),
        validators=[NotBlank(message=_l("Please give the date by which the pledge will be met."))],
        description=_l("The date by which the pledge will be met."),
    )
    indicator = StringField(
        _l("Indicator"),
        validators=[NotBlank(), Length(max=300)],
        description=_l("How progress is measured, such as “median days from report to fix”."),
    )
    visibility = RadioField(
        _l("Who can see this pledge"),
        choices=[
            SelectChoice("public", _l("Everyone: shown on the public profile")),
            SelectChoice("private", _l("Only the secretariat and our representatives")),
        ],
        default="public",
        validate_choice=True,
    )

    def validate_principle_ids(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one principle of the charter."))


class ProgressForm(FlaskForm):
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(k, v) for k, v in PLEDGE_STATUS.items() if k != "withdrawn"],
        validate_choice=False,
    )
    note = TextAreaField(
        _l("Progress note"),
        validators=[Optional(), Length(max=5000)],
        description=_l(
            "What has happened since the last entry, with figures "
            "for the indicator if you have them."
        ),
    )


class WithdrawPledgeForm(FlaskForm):
    note = TextAreaField(
        _l("Why is the pledge withdrawn?"),
        validators=[NotBlank(), Length(max=5000)],
        description=_l("This is shown with the pledge's history."),
    )


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validate_choice=False)
    reason = TextAreaField(
        _l("Reason"),
        validators=[NotBlank(), Length(max=5000)],
        description=_l("Seen by the secretariat and the organisation's representatives."),
    )
    public_reason = TextAreaField(
        _l("Public reason"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Shown on the public profile. Required when suspending or delisting."),
    )

    def set_choices(self, allowed: set[str]) -> None:
        self.status.choices = [("", _l("Choose…"))] + [
            (code, text) for code, text in STATUS.items() if code in allowed
        ]


class ApproveForm(FlaskForm):
    invite_email = EmailField(
        _l("Invite as representative"),
        validators=[NotBlank(), Email(message=_l("Enter a valid email address.")), Length(max=254)],
        description=_l("Receives a link to set a password. Usually the contact person."),
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for rejecting"),
        validators=[NotBlank(), Length(max=5000)],
        description=_l("Emailed to the contact person."),
    )


class SectorForm(FlaskForm):
    name = StringField(_l("Sector name"), validators=[NotBlank(), Length(max=120)])


class RepresentativeForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[NotBlank(), Email(message=_l("Enter a valid email address.")), Length(max=254)],
    )
    name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])


class ConfirmForm(FlaskForm):
    """A button that carries a CSRF token."""


def organisation_data(form):
    """The organisation fields of a form, as the services take them."""
    return OrganisationData(
        name=form.name.data or "",
        legal_name=form.legal_name.data or "",
        country=form.country.data or "",
        sector_id=id_or_invalid(form.sector_id.data),
        category=form.category.data or "",
        size_band=form.size_band.data or "",
        website=form.website.data or "",
        description_md=form.description_md.data or "",
    )
