from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from app.core.forms import NotBlank


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[NotBlank(), Length(max=20)],
        description=_l("The 6 digits your authenticator app shows, or one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )


class ConfirmCodeForm(FlaskForm):
    """A code from the app only (enrolment, new recovery codes, turning it off)."""

    code = StringField(
        _l("Code"),
        validators=[NotBlank(), Length(max=20)],
        description=_l("The 6 digits your authenticator app shows now."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


class StartForm(FlaskForm):
    """The set-up button: nothing to fill in but the CSRF token."""
