"""An answer's value as a reader sees it (a submitted snapshot carries its own display
text; `submitted_answers` rows carry the value only)."""

from __future__ import annotations

from flask_babel import format_decimal

from app.core.i18n import gettext as _


def display(kind: str, value, unit: str = "") -> str:
    if value is None or value == "" or value == []:
        return _("Not answered")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int | float):
        number = format_decimal(int(value) if float(value).is_integer() else round(value, 3))
        return number + (unit if unit == "%" else f" {unit}" if unit else "")
    return str(value)
