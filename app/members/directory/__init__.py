"""The public directory: filters from the URL, one page of members, and the count of every
filter value.

Built to stay fast over tens of thousands of members:

* Everything a page reads that changes only when someone writes is a server-side cached
  fragment (`app.core.cache`, topic "members": any write to organisations, sectors or charter
  versions makes it stale after the commit):
  - "directory-context": the sectors, the charter version numbers and the version in force
    today (keyed by the date);
  - "directory-facets": for each filter (country, sector, category, status, year joined), how
    many members each value would give with the *other* filters applied, keyed by the
    normalised filters (never the page or the order); the total falls out of the status counts;
  - "directory-page": the rows of one page, keyed by the filters, the order and the page;
  - and, in members/views.py, the rendered filter form ("directory-filters") and results
    section ("directory-results": count, list of members, pages, open-data links), keyed as
    well by the language and the release.
* The counts are data, not a count: `directory_facets` holds, for every combination of the
  other filters, how many listed members each filter value gives; a session listener keeps
  it with every write to an organisation, in the same transaction (`facets`). A page's
  counts are one indexed read of at most six keys, whatever the number of members (issue 20:
  counting every listed member per filter set was most of a cold request, and grew with the
  alliance).
* The page reads one covering index,
  `ix_organisations_directory (name_key, status, joined_on, country, sector_id, category)`:
  a page in name order (page 1 or page 400) walks it without touching the wide table rows
  except for the rows it shows. On SQLite the statements name the index (`INDEXED BY`),
  because the planner would otherwise prefer a narrower index that orders the rows but then
  reads every table row.
* A name search is a substring match on `name_key` (lower case, runs of spaces made one),
  found through an index: on PostgreSQL a trigram GIN index (`pg_trgm`, migration 0002); on
  SQLite the trigram FTS5 table `organisations_fts` (migration 0011), the matches then read
  by id (searches of one or two characters, shorter than a trigram, walk the covering
  index). Its counts are those of the matches, counted in Python from one read of them
  (`statements.search_matches`, `pages.search_counts`; `counts_statement` says the same in
  SQL): their number, not the directory's size, is the cost. That read gives the matches
  in the page's order (the database sorts them, with its collation), so every page is then
  read by id (`page_by_ids`), not found and sorted a second time. Both databases give the
  same results, and whatever the visitor types is a literal string (no wildcard, no query
  syntax).

The HTML page, the JSON API and the CSV export all use these functions, so they agree on
what a filter means.

The package: `filters` (what the URL may ask for, checked), `statements` (the SQL), `facets`
(the counts kept as data), `pages` (one page: context, counts, rows, choices; the cache). Its public names are importable from
`app.members.directory` itself.
"""

from __future__ import annotations

from app.members.directory.filters import (
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    SORTS,
    Filters,
    SectorRef,
    normalise_query,
    parse_filters,
    parse_page,
    parse_per_page,
)
from app.members.directory.pages import (
    DirectoryContext,
    DirectoryPage,
    FacetValue,
    MemberRow,
    country_label,
    facet_counts,
    load_context,
    load_sectors,
    search,
)
from app.members.directory.statements import (
    DIRECTORY_INDEX,
    FACETS,
    counts_statement,
    escape_like,
    like_pattern,
    listed_condition,
    page_statement,
    rows_after,
)

# The statements under their former names (the query-plan tests read them).
_counts_statement = counts_statement
_page_statement = page_statement

__all__ = [
    "DIRECTORY_INDEX",
    "FACETS",
    "MAX_PAGE",
    "MAX_QUERY_LENGTH",
    "SORTS",
    "DirectoryContext",
    "DirectoryPage",
    "FacetValue",
    "Filters",
    "MemberRow",
    "SectorRef",
    "counts_statement",
    "country_label",
    "escape_like",
    "facet_counts",
    "like_pattern",
    "listed_condition",
    "load_context",
    "load_sectors",
    "normalise_query",
    "page_statement",
    "parse_filters",
    "parse_page",
    "parse_per_page",
    "rows_after",
    "search",
]
