"""One style per language for dates, numbers and percentages typed or shown (issue 16).

Everything comes from Babel's data for the current locale (`flask_babel.get_locale()`,
English outside a request), so a page never mixes "11/30/26" with "December 23, 2026" or
"42 %" with "42%":

* a date typed into a form is the locale's short numeric date with a four-digit year
  (`numeric_date_pattern`: "MM/dd/yyyy" in English, "dd/MM/yyyy" in French); the hint
  next to the field shows the same format (`numeric_date_example`), and the field also
  takes the ISO form (2026-03-31) that a browser's date picker or an export would give;
* a date shown on a page is the locale's long date ("March 31, 2026", "31 mars 2026"),
  a moment the long date and the short time joined as the locale joins them ("March 31,
  2026, 4:40 PM"): `shown_date`, `shown_datetime` (the `date` and `datetime` filters,
  whatever style a template asks for: one style per language);
* percentages go through Babel's `format_percent` (`percent`), with the locale's spacing.
"""

from __future__ import annotations

import datetime as dt
import re

from babel import Locale
from babel.dates import get_date_format, get_datetime_format
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import format_percent as _babel_percent
from flask_babel import format_date, format_time, get_locale, get_timezone
from flask_babel import gettext as _

EXAMPLE_DATE = dt.date(2026, 3, 31)
_ISO_RE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_PART_RE = re.compile(r"[0-9]+")


def _locale():
    return get_locale() or "en"


def numeric_date_pattern(locale=None) -> str:
    """The locale's short date as digits with a four-digit year: "MM/dd/yyyy" (en),
    "dd/MM/yyyy" (fr), "dd.MM.yyyy" (de)."""
    pattern = get_date_format("short", locale=locale or _locale()).pattern
    pattern = re.sub(r"y+", "yyyy", pattern)
    pattern = re.sub(r"M+", "MM", pattern)
    return re.sub(r"d+", "dd", pattern)


def _fields(pattern: str) -> list[str]:
    """The fields of a numeric pattern in order: ["M", "d", "y"] for "MM/dd/yyyy"."""
    fields: list[str] = []
    for ch in pattern:
        if ch in "dMy" and (not fields or fields[-1] != ch):
            fields.append(ch)
    return fields


def format_numeric_date(value: dt.date, locale=None) -> str:
    """`value` as a date field of this locale shows and takes it."""
    pattern = numeric_date_pattern(locale)
    parts = {"dd": f"{value.day:02d}", "MM": f"{value.month:02d}", "yyyy": f"{value.year:04d}"}
    return re.sub(r"dd|MM|yyyy", lambda m: parts[m.group(0)], pattern)


def numeric_date_example(locale=None) -> str:
    """31 March 2026 as the locale writes it in a date field ("03/31/2026" in English)."""
    return format_numeric_date(EXAMPLE_DATE, locale)


def date_order_label(locale=None) -> str:
    """The order of the fields, in words: "month/day/year" (en), "jour/mois/année" (fr)."""
    words = {"d": _("day"), "M": _("month"), "y": _("year")}
    pattern = numeric_date_pattern(locale)
    separator = next((ch for ch in pattern if ch not in "dMy"), "/")
    return separator.join(words[ch] for ch in _fields(pattern))


def parse_numeric_date(text: str, locale=None) -> dt.date:
    """A date typed as the locale writes it ("03/31/2026" in English, "31/03/2026" or
    "31.3.2026" in French: any separator) or in ISO form (2026-03-31).

    ValueError("format") when the text is not a date of either form (or names a 13th
    month: the day and the month typed the other way round), ValueError("day") when it
    names a day that does not exist (31 April)."""
    text = text.strip()
    iso = _ISO_RE.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        numbers = _PART_RE.findall(text)
        rest = _PART_RE.sub("", text).strip()
        if len(numbers) != 3 or (rest and not set(rest) <= set("/.- ")):
            raise ValueError("format")
        fields = _fields(numeric_date_pattern(locale))
        values = dict(zip(fields, (int(n) for n in numbers), strict=True))
        if len(numbers[fields.index("y")]) != 4:
            raise ValueError("format")
        year, month, day = values["y"], values["M"], values["d"]
    if not 1 <= month <= 12:
        raise ValueError("format")  # most likely the day and the month the other way round
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError("day") from exc


PERCENT_MEMO_SIZE = 4096
_percents: dict = {}


def percent(value: float, locale=None, digits: int = 0) -> str:
    """`value` (0.42 for 42 per cent) in the locale's style: "42%" (en), "42 %" (fr).

    Remembered per locale and digits, as `shown_date` is: a principle page writes some
    thirty shares (its figures, its charts' labels), and Babel parses its pattern for each
    (issue 15)."""
    locale = locale or _locale()
    key = (value, str(locale), digits)
    found = _percents.get(key)
    if found is None:
        pattern = None
        if digits:  # the locale's own pattern ("#,##0 %" in French), with `digits` decimals
            pattern = Locale.parse(str(locale)).percent_formats[None].pattern
            pattern = pattern.replace("0", "0." + "0" * digits, 1)
        found = _babel_percent(value, format=pattern, locale=locale)
        if len(_percents) >= PERCENT_MEMO_SIZE:
            _percents.clear()
        _percents[key] = found
    return found


def number(value) -> str:
    """A measured number as the locale writes it ("1,234.5", "1 234,5" in French):
    integers without decimals, others with at most three."""
    if float(value).is_integer():
        return _babel_decimal(int(value), locale=_locale())
    return _babel_decimal(round(float(value), 3), locale=_locale())


SHOWN_DATE_MEMO_SIZE = 4096
_shown_dates: dict = {}


def shown_date(value, _style: str = "long") -> str:
    """A date (or the day of a moment, in the visitor's time zone) as pages show it: the
    locale's long date. `_style` is accepted and ignored: one style per language.

    Remembered per locale (and time zone, for a moment): Babel formats a date field by
    field, and a dashboard shows a dozen dates (the due date, every past report's), most
    the same on every request (issue 20)."""
    if not value:
        return ""
    locale = get_locale()
    key = (value, str(locale), str(get_timezone()) if isinstance(value, dt.datetime) else None)
    found = _shown_dates.get(key)
    if found is None:
        found = format_date(value, "long")
        if len(_shown_dates) >= SHOWN_DATE_MEMO_SIZE:
            _shown_dates.clear()
        _shown_dates[key] = found
    return found


def shown_datetime(value, _style: str = "long") -> str:
    """A moment as pages show it: the long date and the short time, in the visitor's time
    zone, joined as the locale joins them."""
    if not value:
        return ""
    glue = get_datetime_format("medium", locale=_locale()).replace("'", "")
    return glue.format(format_time(value, "short"), format_date(value, "long"))
