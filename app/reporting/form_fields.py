"""WTForms fields and helpers shared by the reporting forms (the secretariat's builder in
`cycles.forms`, the representative's forms in `forms`). A module of its own so both can
import it without importing each other."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class LooseDecimalField(StringField):
    """A number typed by a person: accepts 3.5 and 3,5; empty means none."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        text = "".join((self.data or "").split()).replace(",", ".")
        self.number = None
        if not text:
            return
        try:
            number = float(text)
        except ValueError:
            self.number = ValueError
            return
        if number != number or number in (float("inf"), float("-inf")):
            self.number = ValueError
            return
        self.number = int(number) if number.is_integer() else number

    def pre_validate(self, form):
        if getattr(self, "number", None) is ValueError:
            raise ValidationError(_l("Enter a number, for example 0 or 100."))

    def value(self):
        number = getattr(self, "number", None)
        return None if number is ValueError else number
