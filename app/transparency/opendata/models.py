"""The public search index: one row per searchable thing (a public answer of an accepted
report, a public pledge of a listed member, a principle of the charter in force), with the
filters' values copied in, so a search reads one table.

Each entry knows the language its text is written in (`lang`: an answer's as its author
wrote it, "" when not known; a pledge's and a principle's the alliance's source language, or
the charter translation's), so search stems its words in that language (`stemming.py`).

Full text: on SQLite an FTS5 table `search_fts` over `title`, `body` and `stems` (the
entry's Snowball stems, made in Python) and `facets` (tokens for the filters' values,
`facet_tokens`; external content: the view `search_entries_fts` of this table; triggers
keep it current); on PostgreSQL the `document` tsvector column (the words as they are, plus
their stems in the entry's language, plus the facet tokens) with a GIN index (on SQLite that column stays empty and its
index is an empty partial index, as in migration 0002, so both databases hold the schema
the models describe; on PostgreSQL `stems` stays empty).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DDL, ForeignKey, Index, String, Text, event, false
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from app.db import db


class Document(TypeDecorator):
    """A tsvector on PostgreSQL; unused text elsewhere (SQLite searches with FTS5)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


class SearchEntry(db.Model):
    __tablename__ = "search_entries"
    __table_args__ = (
        Index(
            "ix_search_entries_document",
            "document",
            postgresql_using="gin",
            sqlite_where=false(),
        ),
        Index("ix_search_entries_org_year", "organisation_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # answer, pledge, principle
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    member_name: Mapped[str] = mapped_column(String(200), default="")
    member_slug: Mapped[str] = mapped_column(String(220), default="")
    category: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    sector_slug: Mapped[str] = mapped_column(String(120), default="")
    year: Mapped[int | None]
    principle_number: Mapped[int | None]
    lineage: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    # The language `body` is written in ("" when not known: stemmed as the source language).
    lang: Mapped[str] = mapped_column(String(12), default="")
    stems: Mapped[str] = mapped_column(Text, default="")  # SQLite only: see stemming.py
    document: Mapped[str | None] = mapped_column(Document)


FTS_TABLE = "search_fts"
FTS_CONTENT = "search_entries_fts"  # SQLite: the view the FTS table reads its columns from


def _facets_sql(row: str) -> str:
    """SQLite: an entry's facet tokens (see `facet_tokens`), from the columns of `row`."""
    return (
        f"'k' || hex({row}.kind) || ' g' || hex({row}.category) || ' c' || hex({row}.country)"
        f" || ' s' || hex({row}.sector_slug) || coalesce(' y' || {row}.year, '')"
    )


# SQLite: the FTS5 index and the triggers that keep it equal to search_entries. The same
# statements as migration 0019 (which cannot import the app; 0014 made them without facets).
# Its rank is bm25 over the words only (the facets column weighs 0).
SQLITE_CREATE = (
    f"CREATE VIEW {FTS_CONTENT} AS SELECT id, title, body, stems, {_facets_sql('e')} AS facets "
    "FROM search_entries AS e",
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, stems, facets, "
    f"content='{FTS_CONTENT}', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('rank', 'bm25(1.0, 1.0, 1.0, 0.0)')",
    f"CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, title, body, stems, facets) "
    f"VALUES (new.id, new.title, new.body, new.stems, {_facets_sql('new')}); END",
    f"CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body, stems, facets) "
    f"VALUES ('delete', old.id, old.title, old.body, old.stems, {_facets_sql('old')}); END",
    f"CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body, stems, facets) "
    f"VALUES ('delete', old.id, old.title, old.body, old.stems, {_facets_sql('old')}); "
    f"INSERT INTO {FTS_TABLE}(rowid, title, body, stems, facets) "
    f"VALUES (new.id, new.title, new.body, new.stems, {_facets_sql('new')}); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_entries_au",
    "DROP TRIGGER IF EXISTS search_entries_ad",
    "DROP TRIGGER IF EXISTS search_entries_ai",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
    f"DROP VIEW IF EXISTS {FTS_CONTENT}",
)
# PostgreSQL: the facet tokens are lexemes of `document` too, each after a "~" (no word a
# visitor types, and no word of a text, can begin with it: words are letters and digits).
PG_FACETS_SQL = (
    "array_to_tsvector(array_remove(ARRAY['~k' || encode(convert_to({row}kind, 'UTF8'), 'hex'), "
    "'~g' || encode(convert_to({row}category, 'UTF8'), 'hex'), "
    "'~c' || encode(convert_to({row}country, 'UTF8'), 'hex'), "
    "'~s' || encode(convert_to({row}sector_slug, 'UTF8'), 'hex'), "
    "'~y' || {row}year::text], NULL))"
)


def facet_tokens(
    *, kind: str = "", category: str = "", country: str = "", sector: str = "", year=None
) -> list[str]:
    """The index tokens that stand for these filter values (issue 15: a filter is part of
    the full-text match, so a filtered search never reads an entry it will not show): a
    letter for the filter, then the value's UTF-8 bytes in hex (letters and digits only, so
    FTS5 keeps each token whole, and equal tokens mean equal values), the year as it is.
    SQLite holds them in the FTS table's `facets` column (`_facets_sql`), PostgreSQL in
    `document` after a "~" (`PG_FACETS_SQL`). Empty values are not asked for."""
    tokens = [
        letter + value.encode().hex()
        for letter, value in (("k", kind), ("g", category), ("c", country), ("s", sector))
        if value
    ]
    if year is not None:
        tokens.append(f"y{int(year)}")
    return tokens


for _statement in SQLITE_CREATE:
    event.listen(
        SearchEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
for _statement in SQLITE_DROP:
    event.listen(SearchEntry.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))


# The open-data lists' read model (opendata/list_rows.py keeps it; docs/performance.md, "The
# open-data lists"). No foreign keys: a deleted report, pledge or member leaves its row to
# the flush listener, which takes it out of the counts as it deletes it.


class PublicReportRow(db.Model):
    """An accepted report (accepted current version) of a listed member: what the API's
    report list filters, orders and pages by. Its rows for a year, in the list's order, are
    a walk of `ix_public_reports_order`, which also holds the filters' columns."""

    __tablename__ = "public_reports"
    __table_args__ = (
        Index(
            "ix_public_reports_order",
            "year",
            "name_key",
            "report_id",
            "country",
            "category",
            "status",
        ),
        Index("ix_public_reports_organisation", "organisation_id", "year"),
    )

    report_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    organisation_id: Mapped[int]
    year: Mapped[int]
    name_key: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # the member's
    # The accepted version's, as the list shows them (reading the version's row would read
    # its snapshot's overflow pages on SQLite: 1 ms a page of 100).
    version: Mapped[int]
    submitted_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]
    is_late: Mapped[bool]


class PublicPledgeRow(db.Model):
    """A public pledge of a listed member: what the API's pledge list filters, orders and
    pages by (`ix_public_pledges_order`: the list's order, then the filters' columns)."""

    __tablename__ = "public_pledges"
    __table_args__ = (
        Index("ix_public_pledges_order", "name_key", "pledge_id", "country", "category", "status"),
        Index("ix_public_pledges_organisation", "organisation_id"),
    )

    pledge_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    organisation_id: Mapped[int]
    name_key: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # the pledge's


class PublicListCount(db.Model):
    """How many rows of a list (`kind`: `reports`, `pledges`) match a set of filters (`filter_key`,
    as `list_rows.filter_key` writes it), per year (0: every year)."""

    __tablename__ = "public_list_counts"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    filter_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(default=0)
