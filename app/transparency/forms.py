"""Forms of the secretariat's annual report screens."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import Length

from app.core import languages

ALL = "all"  # services.ALL: every language at once

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


def _language_choices(with_all: bool) -> list[tuple[str, str]]:
    choices = list(languages.languages().items())
    if with_all and len(choices) > 1:
        choices.append((ALL, str(_l("All languages, one edition each"))))
    return choices


class BuildForm(FlaskForm):
    """Starts a draft build in one language."""

    language = SelectField(_l("Language of the draft"), default=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = _language_choices(with_all=False)
        if self.language.data is None:
            self.language.data = languages.source_language()


class PublishForm(FlaskForm):
    language = SelectField(
        _l("Language"),
        description=_l(
            "Each language is its own edition, numbered in that language. A language whose "
            "texts are not translated shows them in the source language, with a notice."
        ),
    )
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = _language_choices(with_all=True)
        if self.language.data is None:
            self.language.data = languages.source_language()
