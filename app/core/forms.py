"""Helpers shared by every domain's WTForms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from app.errors import DomainError


def apply_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's error next to the field it names (or at the top of the form)."""
    placed = False
    for field_name, messages in (error.errors or {}).items():
        field = getattr(form, field_name, None) if field_name else None
        if field is not None and hasattr(field, "errors"):
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.extend(messages)
            placed = True
    if not placed:
        form.form_errors.append(error.message)


class NotBlank:
    """DataRequired that also refuses whitespace, with a message naming the field."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            message = self.message or _l(
                "Please fill in %(field)s.", field=field.label.text.lower()
            )
            field.errors[:] = []
            raise ValidationError(message)


def error_status(form: FlaskForm) -> int:
    """200 for a first display, 422 when a submitted form has errors."""
    return 422 if form.errors or form.form_errors else 200


class AuditFilterForm(FlaskForm):
    """The audit page's filters, read from the query string (a search: no CSRF token)."""

    class Meta:
        csrf = False

    kind = SelectField(
        _l("Events"),
        choices=[
            SelectChoice("all", _l("All events")),
            SelectChoice("authentication", _l("Authentication")),
            SelectChoice("changes", _l("Changes")),
        ],
        default="all",
        validators=[Optional()],
    )
    email = StringField(_l("Person (email)"), validators=[Optional(), Length(max=254)])
    since = DateField(_l("From (UTC)"), validators=[Optional()])
    until = DateField(_l("To (UTC)"), validators=[Optional()])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date must not be before the start date."))
