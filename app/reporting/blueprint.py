"""The reporting blueprint and what its route modules share. Routes live in
cycle_views.py (the secretariat's cycles and questionnaire builder), report_views.py (the
representative's report) and public_views.py (report versions and evidence); the
dashboard panels in panels.py."""

from __future__ import annotations

from flask import (
    Blueprint,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.charter.models import CharterVersion, VersionStatus
from app.db import db
from app.errors import ValidationFailed
from app.reporting import answers
from app.reporting.forms import (
    options,
)

bp = Blueprint("reporting", __name__)


def _actor():
    return current_user._get_current_object()


@bp.app_template_filter("answer_number")
def _answer_number(value) -> str:
    return answers.format_number(value) if value is not None else ""


def _charter_choices():
    versions = db.session.scalars(
        select(CharterVersion)
        .where(CharterVersion.status == VersionStatus.PUBLISHED)
        .order_by(CharterVersion.number.desc())
    ).all()
    return options(
        [(0, _("None"))]
        + [(v.id, _("Version %(n)d: %(title)s", n=v.number, title=v.title)) for v in versions]
    )


def _charter(version_id: int | None):
    if not version_id:
        return None
    version = db.session.get(CharterVersion, version_id)
    if version is None:
        raise ValidationFailed(_("Choose a published charter version."), field="charter_version_id")
    return version
