"""Integers from the outside world: in URL paths and in query strings.

Both databases store ids and counts as 32- or 64-bit integers; a larger number from a URL
made SQLite raise OverflowError (a 500) and PostgreSQL a DataError. Python's `int()` also
accepts digits other than 0-9 ("٣" is 3) and refuses more than 4,300 of them with a
ValueError. So:

* `BoundedInt` replaces Flask's `int` converter (`install(app)`): ASCII digits only, at most
  `MAX_INT`; anything else does not match the rule, which answers 404 (on both databases).
* `int_arg(request.args, "page", 1)` reads a query-string integer the same way: ASCII digits,
  within `low..high`, else the default (a page that does not exist shows the first one,
  never an error page).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_INT = 2**31 - 1  # PostgreSQL's integer; SQLite's 64-bit integers hold it too
_MAX_DIGITS = len(str(MAX_INT))


class BoundedInt(IntegerConverter):
    """Flask's `int`, but ASCII digits only and never above MAX_INT (unless a rule says
    `<int(max=...):x>`)."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INT, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def install(app: Flask) -> None:
    """Before any blueprint is registered: rules pick their converter when they are added."""
    app.url_map.converters["int"] = BoundedInt


def parse_int(raw: str | None, low: int = 0, high: int = MAX_INT) -> int | None:
    """The integer `raw` spells in ASCII digits, if it lies within low..high; else None."""
    raw = (raw or "").strip()
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > _MAX_DIGITS:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def int_arg(
    args: Mapping[str, str],
    name: str,
    default: int | None = None,
    *,
    low: int = 1,
    high: int = MAX_INT,
) -> int | None:
    """A query-string integer (`int_arg(request.args, "page", 1)`), or `default` when it is
    missing, not ASCII digits, or outside low..high."""
    value = parse_int(args.get(name), low, high)
    return default if value is None else value
