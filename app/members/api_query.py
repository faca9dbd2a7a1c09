"""The open data API's query parameters, described once: the table documents them (the
OpenAPI document lists `LIST_PARAMETERS`) and gives the bounds `parse_list_query` reads them
with. The filters themselves are read by the directory's own parser, so the API, the
directory page and the CSV agree on what a filter means."""

from __future__ import annotations

from dataclasses import dataclass

import pycountry
from flask_babel import gettext as _

from app.core import languages
from app.core.labels import CATEGORY
from app.members.directory import (
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    SORTS,
    Filters,
    SectorRef,
    parse_filters,
    parse_page,
    parse_per_page,
)
from app.members.models import PUBLIC_STATUSES

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
LISTED_STATUSES = tuple(s.value for s in PUBLIC_STATUSES)
# The codes the directory's parser knows (ISO 3166-1 alpha-2, as pycountry lists them).
COUNTRY_CODES = tuple(sorted(country.alpha_2 for country in pycountry.countries))


@dataclass(frozen=True)
class QueryParameter:
    name: str
    description: str
    schema: dict

    def document(self) -> dict:
        """The parameter as an OpenAPI operation lists it."""
        return {
            "name": self.name,
            "in": "query",
            "required": False,
            "description": self.description,
            "schema": self.schema,
        }


# The directory's filters, as `directory.parse_filters` reads them.
FILTERS = (
    QueryParameter(
        "q",
        "Part of the member's name (case-insensitive).",
        {"type": "string", "maxLength": MAX_QUERY_LENGTH},
    ),
    QueryParameter(
        "country",
        "ISO 3166-1 alpha-2 code of a country, such as DE (lower case is read as upper case). "
        "Any other value is refused.",
        {"type": "string", "enum": list(COUNTRY_CODES)},
    ),
    QueryParameter("sector", "A sector's slug, as given in `sector.slug`.", {"type": "string"}),
    QueryParameter(
        "category", "The kind of organisation.", {"type": "string", "enum": list(CATEGORY)}
    ),
    QueryParameter(
        "status", "Membership status.", {"type": "string", "enum": list(LISTED_STATUSES)}
    ),
    QueryParameter(
        "year", "The year the member joined.", {"type": "integer", "minimum": 1900, "maximum": 2999}
    ),
    QueryParameter(
        "sort",
        "`name` (A–Z), `newest` or `oldest` (by the date joined). Any other value, an empty "
        "one included, is refused.",
        {"type": "string", "enum": list(SORTS), "default": "name"},
    ),
)
PAGE = QueryParameter(
    "page",
    "Page number, from 1.",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
)
PER_PAGE = QueryParameter(
    "per_page",
    "Members per page.",
    {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
)
LIST_PARAMETERS = (*FILTERS, PAGE, PER_PAGE)


def language_parameter() -> dict:
    """`lang`, as every operation of the API lists it: one of the alliance's languages
    (`PACTUM_LANGUAGES`), read when the document is asked for."""
    codes = list(languages.languages())
    return QueryParameter(
        "lang",
        "The language of the texts Pactum writes in the answer (labels, country names, "
        "titles it makes up) and of the alliance's texts where it has them translated: one "
        f"of the alliance's languages, {', '.join(codes)}. By default the browser's "
        f"preference among them, else {languages.source_language()}. Each answer says in "
        "`lang` which one it is in; texts members wrote are as they wrote them.",
        {"type": "string", "enum": codes},
    ).document()


def language_errors(args) -> dict[str, str]:
    """A message for a `lang` that is not one of the alliance's languages (the pages fall
    back politely; the API says so)."""
    if "lang" not in args or languages.is_language(args.get("lang")):
        return {}
    return {"lang": _("lang must be one of %(codes)s.", codes=", ".join(languages.languages()))}


def parse_list_query(
    args, sectors: tuple[SectorRef, ...]
) -> tuple[Filters, int, int, dict[str, str]]:
    """The filters, page and page size a list request asks for, and a message per invalid
    argument (in the order of `LIST_PARAMETERS`). Read by the directory's own parsers, so the
    API, the page and the CSV agree on what a filter means.

    An empty `sort=` is refused like an unknown order (the document says `sort` is one of
    its values; the directory page reads it as the default): handed to the parser as a
    value outside `SORTS`, it gets the parser's own message."""
    if args.get("sort") == "":
        args = args.copy()
        args["sort"] = " "
    filters, errors = parse_filters(args, sectors)
    page = parse_page(args, errors)
    per_page = parse_per_page(args, errors, PER_PAGE.schema["default"], PER_PAGE.schema["maximum"])
    return filters, page, per_page, errors
