"""Searching the public index: what a visitor typed, made safe, and the page of hits.

What is typed is never handed to the full-text engine as syntax: it is cut into words
(letters and digits; operators, quotes, emoji and punctuation are separators), each word
becomes a quoted prefix term or one of its stems in the alliance's languages (SQLite FTS5:
`("word"* OR "stem" …)`, the stems made by `stemming.py` and matched against the stems the
index stores; PostgreSQL: `word:*` in a tsquery built from that word only, OR'ed with
`websearch_to_tsquery(<language's configuration>, word)` for each configured language),
and every word must match. So "rapport" finds "rapports", "Bericht" finds "Berichte",
"reports" finds "report". Too long a query or a filter that names nothing is refused with a
message for its field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import reduce

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import (
    String,
    and_,
    cast,
    column,
    func,
    literal,
    literal_column,
    null,
    select,
    table,
    union_all,
)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY

from app.core.labels import CATEGORY
from app.core.languages import languages, source_language
from app.db import db
from app.members.models import DirectoryFacet, Sector
from app.reporting.models import Report, ReportingCycle
from app.transparency.opendata.models import FTS_TABLE, SearchEntry, facet_tokens
from app.transparency.opendata.stemming import algorithm, fold, query_stems, regconfigs, stem

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_TERM_LENGTH = 40
MAX_PAGE = 500
PER_PAGE = 20
# Matches counted at most (as mature search pages do: "more than 10,000 results"): a common
# word matches a large share of the index, and counting them all cost more than the page.
# Every page a visitor can reach (MAX_PAGE of PER_PAGE) is within it.
MAX_COUNTED = MAX_PAGE * PER_PAGE
# Matches ranked at most (issue 15): ranking reads every match (bm25, ts_rank), ~1 µs a
# match on SQLite and more on PostgreSQL; past this many the hits are the most relevant
# among the MAX_RANKED most recent matches (highest ids: what was indexed last, and a
# rebuild writes the newest reports last), read in the index's own order, and the page
# says so. Chosen by measurement (docs/performance.md).
MAX_RANKED = 1_000
SNIPPET = 220  # characters around the first match
KIND_FILTERS = ("answer", "pledge", "principle")
_WORD = re.compile(r"[^\W_]+")
_SLUG = re.compile(r"[a-z0-9-]{1,120}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_fts = table(FTS_TABLE, column("rowid"), column("rank"))


@dataclass
class Query:
    q: str = ""
    terms: tuple[str, ...] = ()
    year: int | None = None
    category: str = ""
    country: str = ""
    sector: str = ""
    kind: str = ""
    page: int = 1

    def args(self) -> dict:
        """The query as URL arguments (without the page)."""
        values = {
            "q": self.q,
            "year": self.year,
            "category": self.category,
            "country": self.country,
            "sector": self.sector,
            "kind": self.kind,
        }
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class Hit:
    kind: str
    title: str
    snippet: Markup
    member_name: str
    member_slug: str
    year: int | None
    principle_number: int | None
    country: str
    category: str
    lang: str = ""  # the language the snippet is written in, when known
    read_in: str = ""  # a principle found in a translation: the charter's page in it


@dataclass
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # at most MAX_COUNTED
    pages: int = 1
    more: bool = False  # more than MAX_COUNTED matches (`total` is then MAX_COUNTED)
    bounded: bool = False  # more than MAX_RANKED: the best of the `ranked` most recent
    ranked: int = 0  # when bounded: how many of the most recent matches were ranked


def terms_of(text: str) -> tuple[str, ...]:
    """The words of `text`, lower case, each at most MAX_TERM_LENGTH, at most MAX_TERMS."""
    words: list[str] = []
    for word in _WORD.findall(text.casefold()):
        word = word[:MAX_TERM_LENGTH]
        if word not in words:
            words.append(word)
        if len(words) == MAX_TERMS:
            break
    return tuple(words)


def _integer(args, name: str, low: int, high: int, errors: dict, message: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
        return int(raw)
    errors[name] = message
    return None


def parse_query(args) -> tuple[Query, dict[str, str]]:
    """The query a request asks for, and a message per field it cannot be read from."""
    errors: dict[str, str] = {}
    query = Query()
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = _(
            "Search for at most %(n)d characters; shorten your search.", n=MAX_QUERY_LENGTH
        )
        q = ""
    query.q = q
    query.terms = terms_of(q)
    query.year = _integer(args, "year", 1900, 2999, errors, _("Choose a year from the list."))
    category = (args.get("category") or "").strip()
    if category and category not in CATEGORY:
        errors["category"] = _("Choose a category from the list.")
    else:
        query.category = category
    country = (args.get("country") or "").strip().upper()
    if country and not _COUNTRY.fullmatch(country):
        errors["country"] = _("Choose a country from the list.")
    else:
        query.country = country
    sector = (args.get("sector") or "").strip()
    if sector and not _SLUG.fullmatch(sector):
        errors["sector"] = _("Choose a sector from the list.")
    else:
        query.sector = sector
    kind = (args.get("kind") or "").strip()
    if kind and kind not in KIND_FILTERS:
        errors["kind"] = _("Choose what to search from the list.")
    else:
        query.kind = kind
    query.page = (
        _integer(args, "page", 1, MAX_PAGE, errors, _("There is no such page of results.")) or 1
    )
    return query, errors


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts_expression(terms: tuple[str, ...], codes) -> str:
    """SQLite: every word, as a quoted prefix or as one of its stems in these languages."""
    return " AND ".join(
        "(" + " OR ".join([_quoted(t) + "*"] + [_quoted(s) for s in query_stems(t, codes)]) + ")"
        for t in terms
    )


def _tsquery(terms: tuple[str, ...], codes):
    """PostgreSQL: every word, as a prefix ('simple') or stemmed by each language's
    configuration. Constant for the statement, so the GIN index answers it."""
    configs = regconfigs(codes)

    def word(t: str):
        alternatives = [func.to_tsquery("simple", f"{t}:*")]
        alternatives += [func.websearch_to_tsquery(cast(c, REGCONFIG), t) for c in configs]
        return reduce(lambda a, b: a.op("||")(b).self_group(), alternatives)

    return reduce(lambda a, b: a.op("&&")(b).self_group(), map(word, terms))


def _facets(query: Query) -> list[str]:
    return facet_tokens(
        kind=query.kind,
        category=query.category,
        country=query.country,
        sector=query.sector,
        year=query.year,
    )


def fts_match(query: Query, codes) -> str:
    """SQLite: the words, in the text columns only, and the filters' facet tokens, in the
    `facets` column (so the FTS table alone answers a filtered search)."""
    words = "{title body stems} : (" + fts_expression(query.terms, codes) + ")"
    facets = _facets(query)
    if not facets:
        return words
    return words + " AND facets : (" + " AND ".join(map(_quoted, facets)) + ")"


def _matches(query: Query, dialect: str, recent: bool):
    """A statement of the matching entries' ids, and their score (lower is better), the
    filters inside the full-text match on both databases. SQLite: the FTS table's rowids,
    ranked inside it (bm25 over the words: the facets column weighs 0); PostgreSQL: the
    entries whose `document` the words and the facet lexemes match (the GIN index), by
    ts_rank of the words. With `recent`, only the MAX_RANKED most recent matches (highest
    ids first: the index's own order), whose score the statement then gives."""
    codes = list(languages())
    if dialect == "postgresql":
        words = _tsquery(query.terms, codes)
        match = words
        facets = _facets(query)
        if facets:
            wanted = " & ".join("'~" + token + "'" for token in facets)
            match = words.op("&&")(cast(literal(wanted), TSQUERY)).self_group()
        statement = select(SearchEntry.id.label("id")).where(SearchEntry.document.op("@@")(match))
        if not recent:
            return statement, -func.ts_rank(SearchEntry.document, words)
        newest = (
            statement.add_columns(SearchEntry.document)
            .order_by(SearchEntry.id.desc())
            .limit(MAX_RANKED)
            .subquery()
        )
        return select(newest.c.id), -func.ts_rank(newest.c.document, words)
    statement = select(_fts.c.rowid.label("id")).where(
        literal_column(FTS_TABLE).op("MATCH")(fts_match(query, codes))
    )
    if not recent:
        return statement, _fts.c.rank
    newest = (
        statement.add_columns(_fts.c.rank)
        .order_by(_fts.c.rowid.desc())
        .limit(MAX_RANKED)
        .subquery()
    )
    return select(newest.c.id), newest.c.rank


def _lang(row: SearchEntry) -> str:
    """The language of the text a hit shows ("" when not known): an answer shown by its
    question (no body) is in the source language."""
    if row.kind == "answer" and not row.body:
        return source_language()
    return row.lang


def search(query: Query) -> Results:
    """A page of hits, best first (two statements; none without words to look for): the
    number of matches, counted up to MAX_COUNTED + 1 from the full-text index alone (the
    filters are in it), then the page's ids ranked, joined to their entries. Past
    MAX_RANKED matches, the hits are the best of the MAX_RANKED most recent (`bounded`)."""
    results = Results(query)
    if not query.terms:
        return results
    dialect = db.session.get_bind().dialect.name
    matches, _score = _matches(query, dialect, recent=False)
    counted = db.session.scalar(
        select(func.count()).select_from(matches.limit(MAX_COUNTED + 1).subquery())
    )
    results.more = (counted or 0) > MAX_COUNTED
    results.total = min(counted or 0, MAX_COUNTED)
    results.bounded = results.total > MAX_RANKED
    if results.bounded:
        results.ranked = MAX_RANKED
        matches, score = _matches(query, dialect, recent=True)
    else:
        score = _score
    shown = min(results.total, MAX_RANKED)
    results.pages = max(1, math.ceil(shown / PER_PAGE))
    if query.page > results.pages:
        return results
    page = (
        matches.add_columns(score.label("score"))
        .order_by(score, matches.selected_columns.id)
        .limit(PER_PAGE)
        .offset((query.page - 1) * PER_PAGE)
        .subquery()
    )
    rows = db.session.scalars(
        select(SearchEntry)
        .join(page, page.c.id == SearchEntry.id)
        .order_by(page.c.score, page.c.id)
    ).all()
    wanted = [s for t in query.terms for s in query_stems(t, languages())]
    source = source_language()  # how a text whose language is not known is stemmed
    results.hits = [
        Hit(
            kind=row.kind,
            title=row.title,
            snippet=highlight(
                row.body or row.title, query.terms, lang=_lang(row) or source, stems=wanted
            ),
            member_name=row.member_name,
            member_slug=row.member_slug,
            year=row.year,
            principle_number=row.principle_number,
            country=row.country,
            category=row.category,
            lang=_lang(row),
            read_in=row.lang if row.kind == "principle" and row.lang != source else "",
        )
        for row in rows
    ]
    return results


def _matcher(terms: tuple[str, ...], lang: str | None, stems):
    """Whether a word of a text in `lang` is one the search matched: it starts with a typed
    word, or its stem (in `lang`) is one of the typed words' stems, as the index matches.
    Only words starting like a wanted stem are stemmed (cheap on long texts)."""
    prefixes = tuple(fold(t) for t in terms)
    wanted = frozenset(stems)
    name = algorithm(lang)
    heads = {w[:2] for w in (*wanted, *prefixes)}

    def matches(word: str) -> bool:
        folded = fold(word)
        if folded.startswith(prefixes) or folded in wanted:
            return True
        if name is None or (folded[:2] not in heads and folded[:1] not in heads):
            return False
        stemmed = stem(name, word.casefold())
        return stemmed in wanted or stemmed.startswith(prefixes)

    return matches


def highlight(
    text: str,
    terms: tuple[str, ...],
    width: int = SNIPPET,
    *,
    lang: str | None = None,
    stems=(),
) -> Markup:
    """`text` around its first match, escaped, each matched word in <mark>: a word starting
    with a term, or (with `lang`, the text's language) one whose stem is in `stems`."""
    text = " ".join(text.split())
    if not terms:
        return escape(text[:width])
    matches = _matcher(terms, lang, stems)
    first = next((m for m in _WORD.finditer(text) if matches(m.group())), None)
    start = max(0, (first.start() if first else 0) - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (first.start() if first else start + 20) else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    window = text[start:end]
    parts: list[str] = ["…"] if start else []
    position = 0
    for match in _WORD.finditer(window):
        if not matches(match.group()):
            continue
        parts.append(str(escape(window[position : match.start()])))
        # a word is letters and digits only (`_WORD`): nothing in it to escape
        parts.append(f"<mark>{match.group()}</mark>")
        position = match.end()
    parts.append(str(escape(window[position:])))
    if end < len(text):
        parts.append("…")
    return Markup("".join(parts))  # noqa: S704  (text escaped; marked words are letters only)


@dataclass
class Choices:
    years: list[int]
    countries: list[str]
    sectors: list[tuple[str, str]]  # (slug, name)


def choices() -> Choices:
    """The values the filters offer, from small tables (one statement; issue 15: reading
    them from the index scanned every entry): the years with an accepted report
    (`ix_reports_public_list`), and the countries and sectors of listed members as the
    directory counts them (`directory_facets`, no filter applied). The index holds the
    entries of listed members only, so these are the values a search can find; a listed
    member without public answers or pledges yet makes its country a choice too (as in the
    directory)."""
    facets = DirectoryFacet.__table__
    years = select(literal("year").label("kind"), cast(ReportingCycle.year, String), null()).where(
        select(Report.id)
        .where(Report.cycle_id == ReportingCycle.id, Report.state == "accepted")
        .exists()
    )
    countries = select(literal("country"), facets.c.value, null()).where(
        facets.c.filter_key == "", facets.c.facet == "country", facets.c.n > 0
    )
    sectors = select(literal("sector"), Sector.slug, Sector.name).join(
        facets,
        and_(
            facets.c.filter_key == "",
            facets.c.facet == "sector",
            facets.c.n > 0,
            facets.c.value == cast(Sector.id, String),
        ),
    )
    found: dict[str, list] = {"year": [], "country": [], "sector": []}
    for kind, value, name in db.session.execute(union_all(years, countries, sectors)):
        found[kind].append((value, name))
    return Choices(
        years=sorted((int(value) for value, _name in found["year"]), reverse=True),
        countries=sorted(value for value, _name in found["country"] if value),
        sectors=sorted(
            ((slug, name) for slug, name in found["sector"] if slug and name),
            key=lambda item: item[1].casefold(),
        ),
    )
