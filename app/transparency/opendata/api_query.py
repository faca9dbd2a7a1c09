"""The open-data lists' query parameters, described once: the OpenAPI document lists them
and `parse` reads them with the same bounds. A value outside them is a message for its
parameter (a 400), never a 500."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.core.labels import CATEGORY
from app.members.api_query import COUNTRY_CODES, LISTED_STATUSES, QueryParameter
from app.members.models import PledgeStatus

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
PLEDGE_STATUSES = tuple(s.value for s in PledgeStatus)
_SLUG = re.compile(r"[a-z0-9-]{1,220}")
_LINEAGE = re.compile(r"[A-Za-z0-9_-]{1,40}")

YEAR = QueryParameter(
    "year", "The reporting year.", {"type": "integer", "minimum": 1900, "maximum": 2999}
)
MEMBER = QueryParameter(
    "member", "A member's slug, as in `member.slug`.", {"type": "string", "pattern": "^[a-z0-9-]+$"}
)
CATEGORY_P = QueryParameter(
    "category", "The kind of organisation.", {"type": "string", "enum": list(CATEGORY)}
)
COUNTRY = QueryParameter(
    "country",
    "ISO 3166-1 alpha-2 code of the member's country, such as DE.",
    {"type": "string", "enum": list(COUNTRY_CODES)},
)
MEMBER_STATUS = QueryParameter(
    "status", "The member's status today.", {"type": "string", "enum": list(LISTED_STATUSES)}
)
PLEDGE_STATUS = QueryParameter(
    "status", "The pledge's status.", {"type": "string", "enum": list(PLEDGE_STATUSES)}
)
PRINCIPLE = QueryParameter(
    "principle",
    "The number of a principle in the charter the cycle reported on.",
    {"type": "integer", "minimum": 1, "maximum": 999},
)
LINEAGE = QueryParameter(
    "lineage",
    "A question's lineage: the same question across cycles, as in `lineage`.",
    {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
)
PAGE = QueryParameter(
    "page",
    "Page number, from 1.",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
)
PER_PAGE = QueryParameter(
    "per_page",
    "Items per page.",
    {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
)

REPORT_FILTERS = (YEAR, MEMBER, CATEGORY_P, COUNTRY, MEMBER_STATUS)
ANSWER_FILTERS = (YEAR, PRINCIPLE, LINEAGE, MEMBER, CATEGORY_P, COUNTRY)
PLEDGE_FILTERS = (MEMBER, CATEGORY_P, COUNTRY, PLEDGE_STATUS)


@dataclass
class ListQuery:
    filters: dict[str, str | int] = field(default_factory=dict)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def args(self) -> dict:
        extra = {"per_page": self.per_page} if self.per_page != DEFAULT_PER_PAGE else {}
        return {**self.filters, **extra}


def _integer(raw: str, schema: dict) -> int | None:
    raw = raw.strip()
    if raw.isascii() and raw.isdigit() and schema["minimum"] <= int(raw) <= schema["maximum"]:
        return int(raw)
    return None


def _read(parameter: QueryParameter, raw: str):
    schema = parameter.schema
    if schema["type"] == "integer":
        return _integer(raw, schema)
    if parameter.name == "country":
        raw = raw.strip().upper()
    if "enum" in schema:
        return raw if raw in schema["enum"] else None
    pattern = _SLUG if parameter.name == "member" else _LINEAGE
    return raw if pattern.fullmatch(raw) else None


def parse(args, filters: tuple[QueryParameter, ...]) -> tuple[ListQuery, dict[str, str]]:
    """The filters and page a list request asks for, and a message per invalid argument."""
    query, errors = ListQuery(), {}
    for parameter in filters:
        raw = args.get(parameter.name)
        if raw is None:
            continue
        value = _read(parameter, raw)
        if value is None:
            errors[parameter.name] = _("%(name)s: this value is not allowed.", name=parameter.name)
        else:
            query.filters[parameter.name] = value
    for parameter in (PAGE, PER_PAGE):
        raw = args.get(parameter.name)
        if raw is None:
            continue
        value = _integer(raw, parameter.schema)
        if value is None:
            errors[parameter.name] = _(
                "%(name)s: a whole number from %(low)d to %(high)d.",
                name=parameter.name,
                low=parameter.schema["minimum"],
                high=parameter.schema["maximum"],
            )
        else:
            setattr(query, parameter.name, value)
    return query, errors
