"""The workbook pages' forms: the upload, and the confirmation of a preview."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField


class WorkbookUploadForm(FlaskForm):
    workbook = FileField(
        _l("Your filled-in workbook (.xlsx)"),
        validators=[FileRequired(_l("Choose the workbook to upload."))],
    )


class WorkbookConfirmForm(FlaskForm):
    token = HiddenField()
    revision = HiddenField()
