"""The reporting blueprint and what its route modules share. Routes live in
cycles/views.py and cycles/builder_views.py (the secretariat's cycles and questionnaire
builder), filling/views.py and filling/section_views.py (the representative's report) and
public_views.py (report versions and evidence); the dashboard panels in panels.py
(secretariat) and filling/panels.py (representative). `app/reporting/views.py` imports them
all, so registering the blueprint registers every route."""

from __future__ import annotations

from flask import (
    Blueprint,
)
from flask_login import current_user

from app.reporting import answers, titles
from app.reporting.versions.snapshots import display_value

bp = Blueprint("reporting", __name__)


def _actor():
    return current_user._get_current_object()


@bp.app_template_filter("answer_number")
def _answer_number(value) -> str:
    return answers.format_number(value) if value is not None else ""


# Generated titles, in the reader's language (app/reporting/titles.py): `cycle|cycle_title`,
# `section|section_title` for models, snapshot entries and section titles kept as text.
bp.add_app_template_filter(titles.template_cycle_title, "cycle_title")
bp.add_app_template_filter(titles.shown_section_title, "section_title")
# A submitted answer as the reader reads it: "Yes", numbers and dates in their language.
bp.add_app_template_filter(display_value, "answer_display")
