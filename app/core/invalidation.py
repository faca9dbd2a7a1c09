"""Which writes make which cache topics stale: domain signals (`app.core.signals`) and,
under them, ORM writes to the tables public pages show. Both queue the topics on the session;
`app.core.cache` bumps them after the commit (nothing on a rollback).

Imported once by the application factory, which connects the receivers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event, inspect
from sqlalchemy.exc import NoInspectionAvailable
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.util import identity_key

from app.core import signals
from app.core.cache import PROFILES, cache, profile_topic

log = logging.getLogger(__name__)

ORGANISATIONS = "organisations"
# Rows whose member is found through another row: (relationship to follow, its table).
_THROUGH = {"pledge_updates": ("pledge", "pledges"), "report_versions": ("report", "reports")}


def _loaded(obj, name: str):
    """`obj.name` when it is loaded (never a query: this runs inside a flush)."""
    try:
        value = inspect(obj).attrs[name].loaded_value
    except (KeyError, NoInspectionAvailable):
        return None
    return None if value is NO_VALUE else value


def _row(session: Session, obj, relationship: str, table: str):
    """The row of `table` that `obj.relationship` (foreign key `<relationship>_id`) points
    to, when the session holds it (no query: this runs inside a flush)."""
    found = _loaded(obj, relationship)
    if found is not None:
        return found
    key = _loaded(obj, f"{relationship}_id")
    if key is None:
        return None
    mappers = inspect(obj).mapper.registry.mappers
    target = next((m.class_ for m in mappers if m.local_table.name == table), None)
    return session.identity_map.get(identity_key(target, key)) if target else None


def member_topics(session: Session, obj) -> tuple[str, ...]:
    """The topics of the member pages a written row shows on: its member's slug (both slugs
    when a rename is being written), or every member's (`PROFILES`) when the member is not
    known without a query."""
    table = type(obj).__table__.name
    if table == ORGANISATIONS:
        slugs = {_loaded(obj, "slug"), *(inspect(obj).attrs.slug.history.deleted or ())}
        return tuple(profile_topic(s) for s in slugs if s) or (PROFILES,)
    owner = obj
    if table in _THROUGH:
        name, through = _THROUGH[table]
        owner = _row(session, obj, name, through)
    org = _row(session, owner, "organisation", ORGANISATIONS) if owner is not None else None
    slug = _loaded(org, "slug") if org is not None else None
    topics = (profile_topic(slug),) if slug else (PROFILES,)
    if table == "organisation_slugs" and getattr(obj, "slug", None):
        topics += (profile_topic(obj.slug),)  # the old address: now a redirect
    return topics


def _one_member(org) -> tuple[str, ...]:
    slug = _loaded(org, "slug") if org is not None else None
    return (profile_topic(slug),) if slug else (PROFILES,)


def _accepted_member(version) -> tuple[str, ...]:
    report = _loaded(version, "report")
    org = _loaded(report, "organisation") if report is not None else None
    return _one_member(org)


SIGNAL_TOPICS: dict = {
    # profile, pledges or endorsements changed; the country (home figures) may have too
    signals.organisation_changed: lambda org: ("members", "home", *_one_member(org)),
    # listed or not, counted or not, named in transparency pages
    signals.organisation_status_changed: lambda org: (
        "members",
        "home",
        "reports",
        *_one_member(org),
    ),
    # the charter page, the home page's "charter in force", endorsement prompts in profiles
    # (member pages depend on "charter" as well)
    signals.charter_published: lambda version: ("charter", "home", "members"),
    # a member's public reports (its own pages) and the transparency figures
    signals.report_accepted: lambda version: ("members", "reports", *_accepted_member(version)),
    # lateness and "who has not reported" lists
    signals.report_submitted: lambda version: ("reports",),
}


# A safety net under the signals: an ORM write (insert, update, delete) to a table whose rows
# public pages show makes those pages' topics stale after the commit, whichever code path
# wrote it (a service, the CLI, the demo loader, a test's builder). Tables written on every
# request of a logged-in user (users: last login; reports/answers/report_edits: draft saves)
# are deliberately absent: their public effects are announced by signals (submission,
# acceptance, status changes), and a draft save must not empty the page cache during the
# deadline rush.
#
# Rows of the tables in `MEMBER_TABLES` show on one member's own pages: their writes also make
# that member's pages stale (`member_topics`), and no other member's.
_MEMBERS = ("members", "home")
MEMBER_TABLES = frozenset(
    {
        ORGANISATIONS,
        "organisation_slugs",
        "status_changes",
        "endorsements",
        "pledges",
        "pledge_updates",
        "report_versions",
    }
)
TABLE_TOPICS: dict[str, tuple[str, ...]] = {
    "organisations": _MEMBERS,
    # the directory's filter counts (members/directory/facets.py), written with organisations
    "directory_facets": _MEMBERS,
    # a rename: the old slug's pages turn into redirects, and every page linking the member
    # (the reports pages list members) must link the new one
    "organisation_slugs": (*_MEMBERS, "reports"),
    # the search index: rewritten by the events that change what it holds, and by
    # `flask pactum reindex`, after which /search must not answer from the old index
    "search_entries": ("reports",),
    # the public answers read model (transparency/answer_rows.py): written with the reports,
    # versions and organisations it copies, and by `flask pactum reindex`
    "public_answers": ("reports",),
    "answer_tallies": ("reports",),
    "answer_filter_counts": ("reports",),
    # the open-data lists' read model (opendata/list_rows.py): written with the reports,
    # versions, pledges and organisations it copies, and by `flask pactum reindex`
    "public_reports": ("reports",),
    "public_pledges": _MEMBERS,
    "public_list_counts": ("reports", *_MEMBERS),
    "status_changes": (*_MEMBERS, "reports"),
    "endorsements": _MEMBERS,
    "pledges": _MEMBERS,
    "pledge_updates": _MEMBERS,
    "sectors": (*_MEMBERS, PROFILES),  # a sector's name shows on its members' pages
    "charter_versions": ("charter", *_MEMBERS),
    "principles": ("charter", *_MEMBERS),
    "principle_texts": ("charter", *_MEMBERS),
    "charter_translations": ("charter",),
    "reporting_cycles": ("reports", "home"),
    # a submission or a review decision: the reports pages and the member's own pages (its
    # public reports); not the directory, which shows no report (the deadline rush submits)
    "report_versions": ("reports", "home"),
    "annual_reports": ("reports", "home"),
    "editions": ("reports", "home"),
}


def _topics_written(session: Session) -> set[str]:
    topics: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(obj), "__table__", None)
        name = getattr(table, "name", "")
        found = TABLE_TOPICS.get(name)
        if found:
            topics.update(found)
        if name in MEMBER_TABLES:
            topics.update(member_topics(session, obj))
    return topics


@event.listens_for(Session, "after_flush")
def _invalidate_written_tables(session: Session, flush_context) -> None:
    topics = _topics_written(session)
    if not topics:
        return
    try:
        cache.invalidate_after_commit(*topics, session=session)
    except RuntimeError:  # no app context (a script's own session): nothing cached here
        log.debug("cache flush listener outside an app context")


def _make_receiver(topics_for: Callable):
    def receive(sender, **kwargs):
        try:
            cache.invalidate_after_commit(*topics_for(sender))
        except RuntimeError:  # no app context: nothing is cached here either
            log.debug("cache receiver outside an app context")

    return receive


_RECEIVERS = [_make_receiver(fn) for fn in SIGNAL_TOPICS.values()]
for _signal, _receiver in zip(SIGNAL_TOPICS, _RECEIVERS, strict=True):
    _signal.connect(_receiver, weak=False)
