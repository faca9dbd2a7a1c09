"""Small helpers every part of the generator draws with: weighted choices, timestamps in office
hours, compact JSON, slugs and country names."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import unicodedata

import pycountry

UTC = dt.UTC


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:200] or "org"


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def timestamp(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment of `day` in office hours (three draws)."""
    return dt.datetime(
        day.year,
        day.month,
        day.day,
        rng.randrange(7, 20),
        rng.randrange(60),
        rng.randrange(60),
        tzinfo=UTC,
    )


def dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_COUNTRY_NAMES: dict[str, str] = {}


def country_name(code: str) -> str:
    if not _COUNTRY_NAMES:
        for c in pycountry.countries:
            _COUNTRY_NAMES[c.alpha_2] = getattr(c, "common_name", None) or c.name
    return _COUNTRY_NAMES.get(code, code)
