from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, Length

from app.accounts.passwords import MIN_LENGTH
from app.core.forms import NotBlank


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[NotBlank(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[NotBlank()])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[NotBlank(), Email(message=_l("Enter a valid email address."))]
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            NotBlank(),
            Length(min=MIN_LENGTH, message=_l("Use at least %(n)d characters.", n=MIN_LENGTH)),
        ],
        description=_l(
            "At least 10 characters, not a common password, and without your email address "
            "or the alliance's name. A few unrelated words make a strong password."
        ),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[NotBlank(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class AcceptInvitationForm(SetPasswordForm):
    name = StringField(_l("Your full name"), validators=[NotBlank(), Length(max=200)])


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[NotBlank()])


class InviteForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    email = EmailField(
        _l("Email"),
        validators=[NotBlank(), Email(message=_l("Enter a valid email address.")), Length(max=254)],
    )
    name = StringField(_l("Full name"), validators=[Length(max=200)])
    job_title = StringField(_l("Job title"), validators=[Length(max=200)])


class ConfirmForm(FlaskForm):
    """An empty form: a button that carries a CSRF token."""
