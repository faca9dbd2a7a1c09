"""The one place that tells the time, so tests (and `pactum tick --now`) can move it."""

from __future__ import annotations

import datetime as dt

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return now().date()


def freeze(moment: dt.datetime | dt.date | None) -> None:
    """Pin the clock (None releases it). Dates mean noon UTC of that day."""
    global _frozen
    if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day, 12, tzinfo=dt.UTC)
    _frozen = moment
