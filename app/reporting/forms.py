"""WTForms for the representative's attestation, pledges and submission. The answers
themselves are read by the views from the posted form and checked by
`app.reporting.answers` (their fields depend on the questionnaire).

The secretariat's cycle and questionnaire forms live in `app.reporting.cycles.forms`; they
and the shared fields are importable from here too."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from app.core.forms import LocalDateField, NotBlank
from app.reporting.cycles.forms import (  # noqa: F401  (old path kept for importers)
    ConfirmForm,
    CopyForm,
    CycleForm,
    CycleSettingsForm,
    MoveForm,
    QuestionForm,
    SectionForm,
)
from app.reporting.form_fields import (  # noqa: F401  (old path kept for importers)
    LooseDecimalField,
    MultiCheckboxField,
    options,
)


class SectionAnswersForm(FlaskForm):
    """The section page's form: answers are read from the posted data by the view."""

    base_revision = HiddenField()


class AttestationForm(FlaskForm):
    base_revision = HiddenField()
    officer_name = StringField(
        _l("Name of the senior officer"),
        validators=[Length(max=200)],
        description=_l("A senior officer of your organisation who confirms this report."),
    )
    officer_title = StringField(
        _l("Title of the senior officer"),
        validators=[Length(max=200)],
        description=_l("For example: Chief Executive Officer."),
    )
    support_statement = TextAreaField(
        _l("Statement of continued support"),
        validators=[Length(max=5000)],
        description=_l(
            "In the officer's words: your organisation's continued support for the charter."
        ),
    )


class SubmitForm(AttestationForm):
    authorised = BooleanField(_l("I am authorised by my organisation to submit this report"))


class PrefillForm(FlaskForm):
    base_revision = HiddenField()


class PledgesForm(FlaskForm):
    """Pledge updates are posted as status-<id> and note-<id> fields, read by the view."""

    base_revision = HiddenField()


class NewPledgeForm(FlaskForm):
    """A new pledge; the rules are the members domain's (`app.members.pledges`)."""

    title = StringField(
        _l("Pledge"),
        validators=[NotBlank(), Length(max=200)],
        description=_l("What your organisation commits to, in one sentence."),
    )
    indicator = StringField(
        _l("How progress is measured"),
        validators=[NotBlank(), Length(max=300)],
        description=_l("For example: share of products with MFA on by default."),
    )
    target_date = LocalDateField(
        _l("Target date"),
        validators=[
            InputRequired(message=_l("Please give the date by which the pledge will be met."))
        ],
    )
    principle_ids = MultiCheckboxField(_l("Principles it serves"), coerce=int, choices=[])
    description_md = TextAreaField(
        _l("Details"),
        validators=[Length(max=5000)],
        description=_l("Optional. Markdown is allowed."),
    )
    is_public = BooleanField(_l("Public: show this pledge on our profile"), default=True)
