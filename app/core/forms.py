"""Helpers shared by every domain's WTForms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

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
