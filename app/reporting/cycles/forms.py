"""WTForms for the secretariat's cycle pages and questionnaire builder (also importable
from `app.reporting.forms`, their old home)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from app.core.forms import LocalDateField, NotBlank
from app.core.labels import CATEGORY, QUESTION_TYPE
from app.reporting.form_fields import LooseDecimalField, MultiCheckboxField, options


def _year_validator():
    return NumberRange(min=2000, max=2100, message=_l("Enter a year between 2000 and 2100."))


class CycleForm(FlaskForm):
    year = IntegerField(
        _l("Year"), validators=[InputRequired(message=_l("Enter the year.")), _year_validator()]
    )
    title = StringField(
        _l("Title"),
        validators=[Length(max=200)],
        description=_l(
            "Shown to representatives. Leave it empty for the usual "
            "title, such as “2027 reporting cycle”."
        ),
    )
    charter_version_id = SelectField(
        _l("Charter version"),
        coerce=int,
        description=_l("The version whose principles the report covers."),
    )
    opens_on = LocalDateField(
        _l("Opening date"), validators=[InputRequired(message=_l("Enter the opening date."))]
    )
    due_on = LocalDateField(
        _l("Due date"), validators=[InputRequired(message=_l("Enter the due date."))]
    )
    grace_days = IntegerField(
        _l("Grace period (days)"),
        default=14,
        validators=[
            InputRequired(message=_l("Enter the grace period in days.")),
            NumberRange(min=0, max=365, message=_l("Enter between 0 and 365 days.")),
        ],
        description=_l(
            "Days after the due date before a missing report makes a member non-communicating."
        ),
    )
    categories = MultiCheckboxField(_l("Who must report"), choices=options(CATEGORY.items()))
    reminder_offsets = StringField(
        _l("Reminders (days before the due date)"),
        default="30, 7, 1",
        validators=[Length(max=100)],
        description=_l("Separate the numbers with commas, for example 30, 7, 1."),
    )
    copy_from = SelectField(_l("Start the questionnaire from"), coerce=int, default=0)

    taken_years: frozenset[int] = frozenset()  # the view sets the years that have a cycle

    def validate_year(self, field) -> None:
        """A uniqueness check with the others (the service checks it again)."""
        if field.data in self.taken_years:
            raise ValidationError(_l("There is already a cycle for %(year)d.", year=field.data))

    def validate_due_on(self, field) -> None:
        """Checked with the other fields, so every mistake shows at once (the service
        checks it again, for the command line and the API)."""
        opens = self.opens_on.data
        if opens is not None and field.data is not None and field.data <= opens:
            raise ValidationError(_l("The due date must come after the opening date."))

    def offsets(self) -> list[str]:
        return list((self.reminder_offsets.data or "").replace(";", ",").split(","))


class CycleSettingsForm(CycleForm):
    """Editing an existing cycle: the year and the starting questionnaire are fixed."""

    year = None
    copy_from = None


class CopyForm(FlaskForm):
    source = SelectField(_l("Copy the questionnaire of"), coerce=int)


class SectionForm(FlaskForm):
    # Required unless the section is on a principle (the service says so next to the field):
    # left empty, it reads "Principle 1: …" in each reader's language.
    title = StringField(
        _l("Title"),
        validators=[Length(max=200)],
        description=_l(
            "Leave it empty on a principle's section to show “Principle 1: …” in each "
            "reader's language."
        ),
    )
    description_md = TextAreaField(
        _l("Introduction"),
        validators=[Length(max=20000)],
        description=_l("Optional. Markdown is allowed."),
    )
    principle_id = SelectField(
        _l("Principle"),
        coerce=int,
        default=0,
        description=_l("Optional: the charter principle this section reports on."),
    )


class QuestionForm(FlaskForm):
    text = TextAreaField(_l("Question"), validators=[NotBlank(), Length(max=2000)])
    help_text = TextAreaField(
        _l("Help text"),
        validators=[Length(max=5000)],
        description=_l("Optional guidance shown under the question. Markdown is allowed."),
    )
    type = SelectField(_l("Type of answer"), choices=options(QUESTION_TYPE.items()))
    required = BooleanField(_l("An answer is required"))
    choices = TextAreaField(
        _l("Choices"),
        validators=[Length(max=10000)],
        description=_l("For single and multiple choice: one choice per line."),
    )
    unit = StringField(
        _l("Unit"),
        validators=[Length(max=40)],
        description=_l("For numbers, e.g. “%” or “employees”."),
    )
    min_value = LooseDecimalField(_l("Smallest value"), description=_l("For numbers; optional."))
    max_value = LooseDecimalField(_l("Largest value"), description=_l("For numbers; optional."))
    condition = SelectField(
        _l("Show this question only when"),
        default="",
        description=_l("Only yes/no and choice questions that come earlier can be used."),
    )
    is_indicator = BooleanField(_l("Indicator: aggregated in the transparency report"))
    is_public = BooleanField(_l("Public: the answer appears in the member's public report"))


class MoveForm(FlaskForm):
    direction = HiddenField()


class ConfirmForm(FlaskForm):
    """A button that carries a CSRF token."""
