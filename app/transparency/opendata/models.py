"""The public search index: one row per searchable thing (a public answer of an accepted
report, a public pledge of a listed member, a principle of the charter in force), with the
filters' values copied in, so a search reads one table.

Full text: on SQLite an FTS5 table `search_fts` over `title` and `body` (external content:
this table; triggers keep it current); on PostgreSQL the `document` tsvector column with a
GIN index (on SQLite that column stays empty and its index is an empty partial index, as in
migration 0002, so both databases hold the schema the models describe).
"""

from __future__ import annotations

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
    document: Mapped[str | None] = mapped_column(Document)


FTS_TABLE = "search_fts"
# SQLite: the FTS5 index and the triggers that keep it equal to search_entries. The same
# statements as migration 0007 (which cannot import the app).
SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, content='search_entries', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    f"CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    f"CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_entries_au",
    "DROP TRIGGER IF EXISTS search_entries_ad",
    "DROP TRIGGER IF EXISTS search_entries_ai",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)

for _statement in SQLITE_CREATE:
    event.listen(
        SearchEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
for _statement in SQLITE_DROP:
    event.listen(SearchEntry.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))
