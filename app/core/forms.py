"""Helpers shared by every domain's WTForms."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from app.core import formats
from app.errors import DomainError


class LocalDateField(StringField):
    """A date typed as the page's language writes it ("03/31/2026" in English, "31/03/2026"
    in French), or in ISO form (2026-03-31, what links and exports carry): the same fields
    as the report's date questions (`app.core.formats`). The `field` macro adds the hint
    naming that format, so the hint and the field always agree; `data` is a `datetime.date`.

    A text field, not `<input type="date">`: a browser's date field shows the format of the
    browser's own language, whatever the page's, and no hint can match it."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "autocomplete": "off", "size": 12}
        render_kw.update(kwargs.pop("render_kw", None) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return formats.format_numeric_date(self.data) if self.data else ""

    def process_data(self, value) -> None:
        self.data = value or None

    def process_formdata(self, valuelist) -> None:
        self.data = None
        text = " ".join(valuelist or []).strip()
        if not text:
            return
        try:
            self.data = formats.parse_numeric_date(text)
        except ValueError as exc:
            if str(exc) == "day":
                raise ValueError(
                    _("This date does not exist. Check the day and the month.")
                ) from exc
            raise ValueError(
                _(
                    "Enter a date as %(order)s, for example %(example)s.",
                    order=formats.date_order_label(),
                    example=formats.numeric_date_example(),
                )
            ) from exc


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
    since = LocalDateField(_l("From (UTC)"), validators=[Optional()])
    until = LocalDateField(_l("To (UTC)"), validators=[Optional()])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date must not be before the start date."))
