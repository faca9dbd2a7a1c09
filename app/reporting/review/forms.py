"""Forms of the review, extension and export pages (issue 5, part B)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from app.core.forms import LocalDateField, NotBlank
from app.reporting.deadlines.extensions import MAX_NOTE, MAX_REASON
from app.reporting.review.decisions import MAX_COMMENT


class ReviewForm(FlaskForm):
    """The general note; per-question comments are fields named `comment-<question id>`,
    read by the view (their number depends on the questionnaire)."""

    note = TextAreaField(
        _l("General comment"),
        validators=[Length(max=MAX_COMMENT)],
        description=_l(
            "Shown to the organisation at the top of its report and in the email. "
            "Required when you return the report without comments on questions."
        ),
    )


class ExtensionRequestForm(FlaskForm):
    reason = TextAreaField(
        _l("Why does your organisation need more time?"),
        validators=[
            NotBlank(_l("Please explain why your organisation needs more time.")),
            Length(max=MAX_REASON),
        ],
        description=_l("The secretariat reads this to decide. Plain text, up to 2,000 characters."),
    )
    requested_due_on = LocalDateField(
        _l("Date you need (optional)"),
        validators=[Optional()],
        description=_l("The secretariat decides the new date; it must be after the due date."),
    )


class ExtensionDecisionForm(FlaskForm):
    new_due_on = LocalDateField(
        _l("New due date for this organisation"),
        validators=[Optional()],
        description=_l(
            "Needed to grant. After the cycle's due date; reminders and the grace "
            "period follow this date for this organisation only."
        ),
    )
    note = TextAreaField(
        _l("Note to the organisation"),
        validators=[Length(max=MAX_NOTE)],
        description=_l("Required when you refuse: explain why."),
    )
