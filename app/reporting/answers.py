"""Answer values, per question type: read what a form posts, check it, show it.

Pure functions over `Question` rows and plain values; no database access. Stored values
(draft `Answer.value`, `SubmittedAnswer.value`, the snapshot's `value`) follow
`docs/architecture.md`: yes_no -> bool; single_choice -> str; multiple_choice -> list[str];
number -> int or float; short_text / long_text / url -> str; date -> "YYYY-MM-DD";
evidence -> None (the files are listed separately). Unanswered -> None.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _

from app.core import formats
from app.reporting.models import QuestionType

SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 20_000
URL_MAX = 2_000
NUMBER_ABS_MAX = 1e15
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)

# Types whose answer can control whether a later question is shown.
CONDITION_TYPES = (QuestionType.YES_NO, QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
CHOICE_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)

_NUMBER_RE = re.compile(r"^[+-]?[0-9]+(?:[.,][0-9]+)?$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HOST_RE = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


class AnswerInvalid(ValueError):
    """The posted value cannot be stored; `message` says why, for the person typing it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_empty(value) -> bool:
    return value is None or value == "" or value == []


def _one(raw) -> str:
    """A single posted value as a string (a form may post a list)."""
    if raw is None:
        return ""
    if isinstance(raw, list | tuple):
        values = [v for v in raw if v not in (None, "")]
        if len(values) > 1:
            raise AnswerInvalid(_("Give only one answer."))
        raw = values[0] if values else ""
    if isinstance(raw, bool | int | float):
        return str(raw)
    if not isinstance(raw, str):
        raise AnswerInvalid(_("This answer could not be read."))
    return raw


def _text(raw, limit: int, single_line: bool) -> str | None:
    text = _one(raw).replace("\r\n", "\n").replace("\r", "\n")
    if single_line:
        text = " ".join(text.split())
    text = _CONTROL_RE.sub("", text).strip()
    if not text:
        return None
    if len(text) > limit:
        raise AnswerInvalid(
            _(
                "Use at most %(n)s characters (you wrote %(m)s).",
                n=format_decimal(limit),
                m=format_decimal(len(text)),
            )
        )
    return text


def _number(question, raw) -> int | float | None:
    if isinstance(raw, bool):
        raise AnswerInvalid(_("Enter a number."))
    if isinstance(raw, int | float):
        number = raw
    else:
        text = "".join(_one(raw).split()).replace("\u202f", "")
        if not text:
            return None
        if not _NUMBER_RE.match(text):
            raise AnswerInvalid(_("Enter a number, for example 42 or 3.5."))
        text = text.replace(",", ".")
        number = float(text) if "." in text else int(text)
    if isinstance(number, float):
        if not math.isfinite(number):
            raise AnswerInvalid(_("Enter a number, for example 42 or 3.5."))
        if number.is_integer():
            number = int(number)
    if abs(number) > NUMBER_ABS_MAX:
        raise AnswerInvalid(_("This number is too large."))
    low, high = question.min_value, question.max_value
    if low is not None and number < low:
        if high is not None:
            raise AnswerInvalid(
                _(
                    "Enter a number between %(low)s and %(high)s.",
                    low=format_number(low),
                    high=format_number(high),
                )
            )
        raise AnswerInvalid(_("Enter a number of at least %(low)s.", low=format_number(low)))
    if high is not None and number > high:
        if low is not None:
            raise AnswerInvalid(
                _(
                    "Enter a number between %(low)s and %(high)s.",
                    low=format_number(low),
                    high=format_number(high),
                )
            )
        raise AnswerInvalid(_("Enter a number of at most %(high)s.", high=format_number(high)))
    return number


def clean_url(raw) -> str | None:
    text = _one(raw).strip()
    if not text:
        return None
    if len(text) > URL_MAX:
        raise AnswerInvalid(_("This web address is too long."))
    if any(ch.isspace() for ch in text) or _CONTROL_RE.search(text):
        raise AnswerInvalid(_("A web address cannot contain spaces."))
    if "://" not in text and _HOST_RE.match(text.split("/", 1)[0]):
        text = "https://" + text  # "example.org/policy" means the obvious thing
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError as exc:
        raise AnswerInvalid(
            _("Enter a full web address, such as https://example.org/policy.")
        ) from exc
    if (
        parts.scheme.lower() not in ("http", "https")
        or not host
        or parts.username
        or parts.password
    ):
        raise AnswerInvalid(_("Enter a full web address, such as https://example.org/policy."))
    if not (_HOST_RE.match(host) or host == "localhost" or _looks_like_ip(host)):
        raise AnswerInvalid(_("Enter a full web address, such as https://example.org/policy."))
    return text


def _looks_like_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _date(raw) -> str | None:
    """A date as the locale writes it in a form (03/31/2026 in English, 31/03/2026 in
    French: `app.core.formats`) or in ISO form (2026-03-31), stored as "YYYY-MM-DD"."""
    text = _one(raw).strip()
    if not text:
        return None
    try:
        value = formats.parse_numeric_date(text)
    except ValueError as exc:
        if str(exc) == "format":
            raise AnswerInvalid(
                _(
                    "Enter a date as %(order)s, for example %(example)s.",
                    order=formats.date_order_label(),
                    example=formats.numeric_date_example(),
                )
            ) from exc
        raise AnswerInvalid(_("This date does not exist. Check the day and the month.")) from exc
    if not DATE_MIN <= value <= DATE_MAX:
        raise AnswerInvalid(_("Enter a date between 1900 and 2100."))
    return value.isoformat()


def _yes_no(raw):
    if isinstance(raw, bool):
        return raw
    text = _one(raw).strip().lower()
    if text == "":
        return None
    if text in ("yes", "true", "1"):
        return True
    if text in ("no", "false", "0"):
        return False
    raise AnswerInvalid(_("Choose yes or no."))


def _single_choice(question, raw):
    text = _one(raw).strip()
    if not text:
        return None
    if text not in (question.choices or []):
        raise AnswerInvalid(_("Choose one of the options offered."))
    return text


def _multiple_choice(question, raw):
    values = raw if isinstance(raw, list | tuple) else ([raw] if raw not in (None, "") else [])
    picked = set()
    for value in values:
        if not isinstance(value, str):
            raise AnswerInvalid(_("This answer could not be read."))
        value = value.strip()
        if not value:
            continue
        if value not in (question.choices or []):
            raise AnswerInvalid(_("Choose only among the options offered."))
        picked.add(value)
    ordered = [c for c in question.choices or [] if c in picked]
    return ordered or None


def parse(question, raw):
    """Turn a posted value (str or list[str]) into the stored value, or raise AnswerInvalid."""
    kind = question.type
    if kind == QuestionType.YES_NO:
        return _yes_no(raw)
    if kind == QuestionType.SINGLE_CHOICE:
        return _single_choice(question, raw)
    if kind == QuestionType.MULTIPLE_CHOICE:
        return _multiple_choice(question, raw)
    if kind == QuestionType.NUMBER:
        return _number(question, raw)
    if kind == QuestionType.SHORT_TEXT:
        return _text(raw, SHORT_TEXT_MAX, single_line=True)
    if kind == QuestionType.LONG_TEXT:
        return _text(raw, LONG_TEXT_MAX, single_line=False)
    if kind == QuestionType.URL:
        return clean_url(raw)
    if kind == QuestionType.DATE:
        return _date(raw)
    if kind == QuestionType.EVIDENCE:
        return None  # files are attached separately
    raise AnswerInvalid(_("This question cannot be answered."))


def recheck(question, value) -> str | None:
    """An error message when a stored value no longer fits its question, else None."""
    if value is None:
        return None
    if question.type == QuestionType.YES_NO and not isinstance(value, bool):
        return _("Choose yes or no.")
    try:
        parse(question, value)
    except AnswerInvalid as error:
        return error.message
    return None


# Conditions -----------------------------------------------------------------------------


def condition_label(question) -> str:
    """What the condition value means, for people: "Yes", "No" or the choice."""
    controller = question.condition_question
    value = question.condition_value
    if controller is not None and controller.type == QuestionType.YES_NO:
        return _("Yes") if value == "yes" else _("No")
    return value


def matches(controller, value, expected: str) -> bool:
    if value is None:
        return False
    if controller.type == QuestionType.YES_NO:
        return value is (expected == "yes")
    if controller.type == QuestionType.SINGLE_CHOICE:
        return value == expected
    if controller.type == QuestionType.MULTIPLE_CHOICE:
        return isinstance(value, list) and expected in value
    return False


def shown_map(questions: Iterable, values: dict) -> dict[int, bool]:
    """Which questions are shown, given the answers: a question is shown when it has no
    condition, or when its (shown) controlling question has the expected value.
    `questions` must be in questionnaire order."""
    shown: dict[int, bool] = {}
    by_id = {}
    for question in questions:
        by_id[question.id] = question
        controller_id = question.condition_question_id
        if controller_id is None:
            shown[question.id] = True
            continue
        controller = by_id.get(controller_id)
        shown[question.id] = bool(
            controller is not None
            and shown.get(controller_id)
            and matches(controller, values.get(controller_id), question.condition_value)
        )
    return shown


def is_answered(question, value, evidence_count: int = 0) -> bool:
    if question.type == QuestionType.EVIDENCE:
        return evidence_count > 0
    return not is_empty(value)


# Display ----------------------------------------------------------------------------------


def format_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_decimal(value)


def display(question, value, evidence_count: int = 0) -> str:
    """The answer as text, the way a reader sees it."""
    return display_of(question.type, value, question.unit, evidence_count)


# Answers whose text Pactum writes ("Yes", "87.5 %", "1 February 2026", "2 files"): shown in
# the reader's language from the value, never from a text kept in the submitter's.
WORDED_BY_PACTUM = (
    QuestionType.YES_NO,
    QuestionType.NUMBER,
    QuestionType.DATE,
    QuestionType.EVIDENCE,
)


def display_of(kind: str, value, unit: str = "", evidence_count: int = 0) -> str:
    """`display` from the question's type and unit (a snapshot entry has them too)."""
    if kind == QuestionType.EVIDENCE:
        if not evidence_count:
            return ""
        return ngettext("%(num)d file", "%(num)d files", evidence_count)
    if value is None:
        return ""
    if kind == QuestionType.YES_NO:
        return _("Yes") if value else _("No")
    if kind == QuestionType.MULTIPLE_CHOICE:
        return "; ".join(value) if isinstance(value, list) else str(value)
    if kind == QuestionType.NUMBER:
        text = format_number(value)
        return f"{text} {unit}".strip() if unit else text
    if kind == QuestionType.DATE:
        try:
            return format_date(dt.date.fromisoformat(value), "long")
        except (TypeError, ValueError):
            return str(value)
    if kind == QuestionType.DATE:
        try:
            return formats.format_numeric_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)


def form_value(question, value):
    """The value as a form field shows it: str, or list[str] for multiple choice."""
    if value is None:
        return [] if question.type == QuestionType.MULTIPLE_CHOICE else ""
    kind = question.type
    if kind == QuestionType.YES_NO:
        return "yes" if value else "no"
    if kind == QuestionType.MULTIPLE_CHOICE:
        return list(value) if isinstance(value, list) else [str(value)]
    if kind == QuestionType.NUMBER:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)
    if kind == QuestionType.DATE:
        try:
            return formats.format_numeric_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)
