"""Forms of the charter pages: the secretariat's drafting forms and the public comparison
picker (a GET form, without CSRF: it changes nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from app.charter.services import MAX_NUMBER
from app.core.forms import LocalDateField, NotBlank

MARKDOWN_HINT = _l(
    "Markdown: *italics*, **bold**, [a link](https://example.org), lists "
    "with “-” at the start of a line, a blank line between paragraphs."
)


class VersionForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[NotBlank(), Length(max=200)],
        description=_l("Shown on the charter page and on the cover of the PDF."),
    )
    change_summary = StringField(
        _l("What changed, in one line"),
        validators=[Length(max=300)],
        description=_l(
            "Shown in the list of versions, e.g. “Principle 5 now sets time limits "
            "for fixes; new principle 10 on security by design.”"
        ),
    )
    preamble_md = TextAreaField(
        _l("Preamble"), validators=[Length(max=20000)], description=MARKDOWN_HINT
    )


class PrincipleForm(FlaskForm):
    number = IntegerField(
        _l("Number"),
        validators=[
            InputRequired(message=_l("Please give the principle a number.")),
            NumberRange(
                min=1, max=MAX_NUMBER, message=_l("Use a number from 1 to %(max)d.", max=MAX_NUMBER)
            ),
        ],
        description=_l(
            "Readers and pledges cite principles by number. Each number can be used once."
        ),
    )
    title = StringField(_l("Short title"), validators=[NotBlank(), Length(max=200)])
    theme = StringField(
        _l("Theme (optional)"),
        validators=[Length(max=100)],
        description=_l("A word or two that groups principles, e.g. “Security”."),
    )
    body_md = TextAreaField(_l("Text"), validators=[Length(max=20000)], description=MARKDOWN_HINT)


_EFFECTIVE_DATE = {
    "label": _l("Effective date"),
    "validators": [
        InputRequired(message=_l("Choose the date from which this version is in force."))
    ],
    "description": _l(
        "From this day the new version is the charter in force. Until then it is shown as upcoming."
    ),
}


class PublishDateForm(FlaskForm):
    """The draft page's publish box: a GET form that leads to the confirmation page (no
    CSRF token in a URL: it changes nothing)."""

    class Meta:
        csrf = False

    effective_date = LocalDateField(**_EFFECTIVE_DATE)


class PublishForm(FlaskForm):
    """The confirmation page's button: the date and the signed confirmation it showed."""

    effective_date = LocalDateField(**_EFFECTIVE_DATE)
    confirmation = HiddenField()


class MoveForm(FlaskForm):
    direction = StringField(validators=[AnyOf(["up", "down"])])


class ActionForm(FlaskForm):
    """A button that carries a CSRF token (delete, remove, start a draft)."""


class StartForm(FlaskForm):
    """Start a new version: from a copy of the latest one, or without its principles."""

    start = RadioField(
        _l("Start from"),
        choices=[
            SelectChoice("copy", _l("A copy of the latest version, to amend it")),
            SelectChoice(
                "empty", _l("No principles, to replace them (title and preamble are kept)")
            ),
        ],
        default="copy",
        validators=[AnyOf(["copy", "empty"])],
    )


class BulkRemoveForm(FlaskForm):
    """The principles ticked in the draft's list, removed at once."""

    text_ids = SelectMultipleField(coerce=int, validate_choice=False)


class ImportForm(FlaskForm):
    source = TextAreaField(
        _l("Principles to import"),
        validators=[NotBlank(message=_l("Paste the principles to import.")), Length(max=200000)],
        description=_l(
            "One of: a Markdown list (“1. Title” or “- Title”, its text indented on the "
            "lines below); a CSV with a header row (title, and optionally number, text, "
            "theme, key); or the JSON of a published version (/charter.json)."
        ),
    )
    keep = SelectMultipleField(coerce=int, validate_choice=False)
    action = StringField(default="preview")  # the button pressed: "preview" or "import"


class CompareForm(FlaskForm):
    class Meta:
        csrf = False

    from_ = SelectField(_l("From version"), coerce=int, validators=[Optional()], name="from")
    to = SelectField(_l("To version"), coerce=int, validators=[Optional()])
