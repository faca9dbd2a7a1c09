"""Declarative base, naming convention, SQLite pragmas, small column helpers, the session that
sends anonymous public-page reads to a read replica, and the idle-connection check."""

from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager

from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import DateTime, MetaData, delete, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry
from sqlalchemy.types import TypeDecorator

from app import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


# Reads from a replica --------------------------------------------------------------------------
#
# With PACTUM_DATABASE_REPLICA_URL set, the app has a second engine (`SQLALCHEMY_BINDS`
# "replica"). `app.core.http_cache.public_page` marks the requests that may read from it:
# anonymous GETs of public pages whose topics did not change lately (a replica lags; a page
# rendered from stale rows must not be cached as new). Everything else reads and writes the
# primary, and so does the rest of a request once it has written anything.

REPLICA_BIND = "replica"
_READ_REPLICA = "pactum.read_replica"


def read_from_replica(allowed: bool = True) -> None:
    """Let (or stop) this request's reads go to the replica, if the app has one."""
    if has_request_context():
        request.environ[_READ_REPLICA] = allowed


def reads_from_replica() -> bool:
    return has_request_context() and bool(request.environ.get(_READ_REPLICA))


class RoutingSession(FlaskSession):
    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and not self._flushing and reads_from_replica():
            replica = self._db.engines.get(REPLICA_BIND)
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@event.listens_for(Session, "after_flush")
def _writes_go_on_reading_the_primary(session, flush_context) -> None:
    read_from_replica(False)


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})


def read(statement, params: dict | None = None):
    """The result of a SELECT of plain columns (no ORM entities), run on the session's
    connection, in its transaction, past the ORM's execution layer: that layer doubles the
    cost of such a statement (about 90 µs against 40, for the dashboard's statements built
    once at import, issue 20). Pending changes are flushed first, as `session.execute`
    would (unless autoflush is off), and the bind is chosen as for `session.execute`
    (the replica, when this request may read from it)."""
    session = db.session
    if session.autoflush and (session.new or session.deleted or session.dirty):
        session.flush()
    connection = session.connection(bind_arguments={"clause": statement})
    return connection.execute(statement, params or {})


def add_to_counts(connection, table, keys: tuple[str, ...], deltas, drop_empty: bool = True):
    """Add each of `deltas` ({key values: difference}) to the `n` column of `table`'s row with
    those `keys` (created when missing), in key order, in one upsert (`INSERT … ON CONFLICT DO
    UPDATE SET n = n + excluded.n`, safe for concurrent writers on both databases); with
    `drop_empty`, the rows left at zero or below are deleted. The read models' counts
    (answer tallies, answer filter counts, the open-data lists' counts) are kept so."""
    rows = [
        dict(zip((*keys, "n"), (*key, n), strict=True)) for key, n in sorted(deltas.items()) if n
    ]
    if not rows:
        return
    make = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = make(table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={"n": table.c.n + statement.excluded.n}
    )
    connection.execute(statement, rows)
    if drop_empty:
        connection.execute(delete(table).where(table.c.n <= 0))


@contextmanager
def indexes_set_aside(connection, table):
    """Around rewriting every row of `table` (a read model's rebuild): on SQLite its indexes
    are dropped first and created again after, one sort each instead of a b-tree insert
    (and, with foreign keys on, a b-tree delete) per row and index: `public_answers`' twelve
    indexes took 8 of its 11 s at 1,000 members (docs/performance.md). PostgreSQL keeps
    them: dropping an index there locks the table against readers until the commit, while
    with the indexes kept they read the old rows meanwhile."""
    if connection.dialect.name != "sqlite":
        yield
        return
    indexes = sorted(table.indexes, key=lambda index: index.name)
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


def utcnow() -> dt.datetime:
    # Looked up at each call, so tests (and `pactum tick --now`) can move the clock.
    return clock.now()


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# A writer on SQLite waits this long for another's write lock before "database is locked".
# Write transactions are kept short (nothing slow is laid out inside them: a receipt's PDF is
# rendered by the mail deliverer after the commit), so 15 s covers a deadline day's queue of
# writers; past it the request answers 503 with Retry-After (`is_busy_error`), never a 500.
SQLITE_BUSY_TIMEOUT_MS = 15_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - driver glue
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_takes_the_write_lock(conn, name) -> None:  # pragma: no cover - glue
    """A SAVEPOINT outside a transaction begins a *deferred* one on SQLite: the reads after
    it hold a snapshot, and the first write then has to upgrade it, which fails at once
    ("database is locked", SQLITE_BUSY_SNAPSHOT, no busy wait) if anyone committed since.
    A submission whose attestation had not changed did exactly that on deadline day (its
    first write, the revision claim, comes after the SAVEPOINT and the report's reads).
    Savepoints are only used on write paths, so one outside a transaction begins it with
    BEGIN IMMEDIATE: the writer queues for the lock (busy_timeout) before reading."""
    if conn.dialect.name != "sqlite":
        return
    dbapi_connection = conn.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


# The database is busy -----------------------------------------------------------------------
#
# A write that could not get its lock in time (SQLite's busy timeout, PostgreSQL's lock or
# statement timeout) or lost a serialization race was not applied: the request rolls back
# and answers 503 with Retry-After (`app.factory`), and trying again a moment later works.

_BUSY_SQLITE_NAMES = ("SQLITE_BUSY", "SQLITE_LOCKED")  # and their extended codes
_BUSY_SQLITE_MESSAGES = ("database is locked", "database table is locked", "database is busy")
# serialization_failure, deadlock_detected, lock_not_available, query_canceled (a timeout)
_BUSY_SQLSTATES = {"40001", "40P01", "55P03", "57014"}


def is_busy_error(error: BaseException | None) -> bool:
    """True when `error` (or what it wraps) says the database was busy or locked."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        orig = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
        for candidate in (error, orig):
            if candidate is None:
                continue
            name = getattr(candidate, "sqlite_errorname", None)
            if name is not None and name.startswith(_BUSY_SQLITE_NAMES):
                return True
            if type(candidate).__module__.startswith("sqlite3") and str(candidate).startswith(
                _BUSY_SQLITE_MESSAGES
            ):
                return True
            sqlstate = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
            if sqlstate in _BUSY_SQLSTATES:
                return True
        error = getattr(error, "original_exception", None) or error.__cause__ or error.__context__
    return False


# Connections that sat idle are checked before use ----------------------------------------------
#
# SQLAlchemy's `pool_pre_ping` checks every connection on every checkout: one more round trip to
# the database for every request (and a draft save is only a handful of them). A connection
# that was used a moment ago is as good as the request that just used it, so only one that
# has been idle in the pool for IDLE_PING_SECONDS or more is pinged first (the database may
# have restarted or a firewall dropped it meanwhile); a dead one is replaced before the request
# sees it (SQLAlchemy's "custom pessimistic ping" recipe). A database restarting under full
# load still costs the requests that were using their connections at that moment, as with
# pool_pre_ping; after a disconnect SQLAlchemy discards every older connection of the pool.

IDLE_PING_SECONDS = 10.0
_IDLE_SINCE = "pactum_idle_since"


def ping_connections_after_idle(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    dialect = engine.dialect

    def checkin(dbapi_connection, record):
        record.info[_IDLE_SINCE] = time.monotonic()

    def checkout(dbapi_connection, record, proxy):
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means: use another connection
            raise exc.DisconnectionError(f"idle connection failed its ping: {error}") from error

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


# Tables the ORM does not describe ----------------------------------------------------------

# SQLite's full-text index of the search (migration 0007) is a virtual FTS5 table with
# shadow tables of its own, made and queried with plain SQL (app/transparency/opendata).
UNMAPPED_TABLE_PREFIXES = ("search_fts", "organisations_fts")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: leave alone the tables the ORM does not map on purpose."""
    return not (type_ == "table" and reflected and name.startswith(UNMAPPED_TABLE_PREFIXES))
