"""The directory's filters, read from the URL: what a visitor may ask for, checked, with a
message for each value that cannot be used (the page says what was wrong)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pycountry
from flask_babel import lazy_gettext as _l

from app.members.models import PUBLIC_STATUSES, Category

SORTS = {
    "name": _l("Name (A–Z)"),
    "newest": _l("Joined (newest first)"),
    "oldest": _l("Joined (oldest first)"),
}
MAX_QUERY_LENGTH = 100
MAX_PAGE = 1_000_000
# Part of every cache key: bump it when the shape of a cached value changes.
CACHE_FORMAT = 1
_CATEGORIES = frozenset(c.value for c in Category)
_PUBLIC_STATUSES = frozenset(s.value for s in PUBLIC_STATUSES)


@dataclass(frozen=True)
class SectorRef:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Filters:
    q: str = ""
    country: str = ""
    sector: str = ""  # a sector slug
    category: str = ""
    status: str = ""
    year: int | None = None
    sort: str = "name"

    def args(self) -> dict:
        """The non-default values, as URL query arguments."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "sort":
                if value != "name":
                    out["sort"] = value
            elif value not in ("", None):
                out[f.name] = value
        return out

    @property
    def active(self) -> bool:
        return bool(
            self.q or self.country or self.sector or self.category or self.status or self.year
        )

    def count_key(self) -> list:
        """What the counts depend on: the filters, normalised (not the order or the page)."""
        return [
            CACHE_FORMAT,
            normalise_query(self.q),
            self.country,
            self.sector,
            self.category,
            self.status,
            self.year,
        ]


def normalise_query(text: str) -> str:
    """Searches compare like names do: lower case, runs of spaces made one."""
    return " ".join((text or "").lower().split())


def _positive_int(raw: str, low: int, high: int) -> int | None:
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _known_country(code: str) -> str | None:
    code = code.upper()
    if len(code) == 2 and code.isascii() and pycountry.countries.get(alpha_2=code):
        return code
    return None


def _pick(args, name: str, parse, message, values: dict, errors: dict[str, str]) -> None:
    """Put `parse(value)` of the argument `name` into `values`, or `message` into `errors`
    when it cannot be used (`parse` returns None). An absent or empty argument is no filter."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return
    value = parse(raw)
    if value is None:
        errors[name] = str(message)
    else:
        values[name] = value


def parse_filters(args, sectors: list[SectorRef]) -> tuple[Filters, dict[str, str]]:
    """Read the filters from URL arguments. Invalid values are dropped and reported in
    `errors` (argument name -> message), so the page can say what was wrong."""
    errors: dict[str, str] = {}
    values: dict = {}

    q = " ".join("".join(ch for ch in (args.get("q") or "") if ch.isprintable()).split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = str(_l("Search for at most %(n)d characters.", n=MAX_QUERY_LENGTH))
    else:
        values["q"] = q

    slugs = {s.slug for s in sectors}
    _pick(
        args,
        "country",
        _known_country,
        _l("Unknown country code. Use a two-letter ISO 3166 code, such as DE or KE."),
        values,
        errors,
    )
    _pick(
        args,
        "sector",
        lambda raw: raw.lower() if raw.lower() in slugs else None,
        _l("Unknown sector."),
        values,
        errors,
    )
    _pick(
        args,
        "category",
        lambda raw: raw if raw in _CATEGORIES else None,
        _l("Unknown category."),
        values,
        errors,
    )
    _pick(
        args,
        "status",
        lambda raw: raw if raw in _PUBLIC_STATUSES else None,
        _l("Unknown status."),
        values,
        errors,
    )
    _pick(
        args,
        "year",
        lambda raw: _positive_int(raw, 1900, 2999),
        _l("Give the year as four digits, such as 2024."),
        values,
        errors,
    )

    sort = (args.get("sort") or "name").strip()
    if sort in SORTS:
        values["sort"] = sort
    else:
        errors["sort"] = str(_l("Sort by name, or by the date members joined."))

    return Filters(**values), errors


def parse_page(args, errors: dict[str, str]) -> int:
    raw = args.get("page")
    if raw in (None, ""):
        return 1
    page = _positive_int(raw, 1, MAX_PAGE)
    if page is None:
        errors["page"] = str(_l("The page must be a whole number from 1."))
        return 1
    return page


def parse_per_page(args, errors: dict[str, str], default: int, maximum: int) -> int:
    raw = args.get("per_page")
    if raw in (None, ""):
        return default
    value = _positive_int(raw, 1, maximum)
    if value is None:
        errors["per_page"] = str(_l("per_page must be a whole number from 1 to %(n)d.", n=maximum))
        return default
    return value
