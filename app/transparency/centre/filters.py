"""The filters of the answers lists, read from the URL: checked, with a message for each
value that cannot be used. Country, sector, category and status are read exactly as the
directory reads them (`app.members.directory.filters.parse_filters`)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from flask_babel import lazy_gettext as _l

from app.members.directory.filters import SectorRef, parse_filters, parse_page

SORTS = {
    "newest": _l("Year (newest first)"),
    "oldest": _l("Year (oldest first)"),
    "member": _l("Member (A–Z)"),
}
PER_PAGE = 20
_MEMBER_FILTERS = ("country", "sector", "category", "status")


@dataclass(frozen=True)
class AnswerFilters:
    year: int | None = None
    country: str = ""
    sector: str = ""  # a sector slug
    category: str = ""
    status: str = ""
    sort: str = "newest"
    page: int = 1

    def args(self, **changes) -> dict:
        """The non-default values (with `changes`), as URL query arguments."""
        out = {}
        for f in fields(self):
            value = changes.get(f.name, getattr(self, f.name))
            if value not in ("", None) and value != f.default:
                out[f.name] = value
        return out

    @property
    def active(self) -> bool:
        return bool(self.year or self.country or self.sector or self.category or self.status)

    def key(self) -> list:
        return [self.year, self.country, self.sector, self.category, self.status, self.sort]


def parse_answer_filters(
    args, sectors: list[SectorRef], years: list[int]
) -> tuple[AnswerFilters, dict[str, str]]:
    """Read the filters from URL arguments; invalid values are dropped and reported in
    `errors` (argument name -> message)."""
    member, errors = parse_filters({k: args.get(k) for k in _MEMBER_FILTERS}, sectors)
    values: dict = {k: getattr(member, k) for k in _MEMBER_FILTERS}
    raw_year = (args.get("year") or "").strip()
    if raw_year:
        year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() else None
        if year is None or len(raw_year) != 4:
            errors["year"] = str(_l("Give the year as four digits, such as 2024."))
        elif year not in years:
            errors["year"] = str(
                _l(
                    "There are no public answers for %(year)s. Choose one of the years listed.",
                    year=raw_year,
                )
            )
        else:
            values["year"] = year
    sort = (args.get("sort") or "newest").strip()
    if sort in SORTS:
        values["sort"] = sort
    else:
        errors["sort"] = str(_l("Sort by year (newest or oldest first) or by member."))
    values["page"] = parse_page(args, errors)
    return AnswerFilters(**values), errors
