"""Forms of the secretariat's annual report screens."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

MAX_TEXT = 20_000


class TextsForm(FlaskForm):
    executive_summary_md = TextAreaField(
        _l("Executive summary"),
        validators=[Length(max=MAX_TEXT, message=_l("Please keep this under 20,000 characters."))],
        description=_l("Markdown. It opens the report, after the table of contents."),
        render_kw={"rows": 12},
    )
    methodology_md = TextAreaField(
        _l("Methodology"),
        validators=[Length(max=MAX_TEXT, message=_l("Please keep this under 20,000 characters."))],
        description=_l("Markdown. How the figures were collected and computed."),
        render_kw={"rows": 12},
    )


class BuildForm(FlaskForm):
    """A button that starts a draft build (carries the CSRF token)."""


class PublishForm(FlaskForm):
    note = TextAreaField(
        _l("Note for this edition"),
        validators=[Length(max=1000, message=_l("Please keep the note under 1,000 characters."))],
        description=_l(
            "Optional, shown in the public archive: for instance what changed since "
            "the previous edition."
        ),
        render_kw={"rows": 3},
    )
    accept_undrawable = BooleanField(
        _l("Publish anyway: these characters will show as empty boxes in this edition.")
    )
