"""Which writes make which cache topics stale: domain signals (`app.core.signals`) and,
under them, ORM writes to the tables public pages show. Both queue the topics on the session;
`app.core.cache` bumps them after the commit (nothing on a rollback).

Imported once by the application factory, which connects the receivers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core import signals
from app.core.cache import cache

log = logging.getLogger(__name__)


def _org_topics(organisation) -> tuple[str, ...]:
    org_id = getattr(organisation, "id", None)
    return (f"org:{org_id}",) if org_id is not None else ()


SIGNAL_TOPICS: dict = {
    # profile, pledges or endorsements changed; the country (home figures) may have too
    signals.organisation_changed: lambda org: ("members", "home", *_org_topics(org)),
    # listed or not, counted or not, named in transparency pages
    signals.organisation_status_changed: lambda org: (
        "members",
        "home",
        "reports",
        *_org_topics(org),
    ),
    # the charter page, the home page's "charter in force", endorsement prompts in profiles
    signals.charter_published: lambda version: ("charter", "home", "members"),
    # a member's public reports (profile) and the transparency figures
    signals.report_accepted: lambda version: ("members", "reports"),
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
_MEMBERS = ("members", "home")
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
    "status_changes": (*_MEMBERS, "reports"),
    "endorsements": _MEMBERS,
    "pledges": _MEMBERS,
    "pledge_updates": _MEMBERS,
    "sectors": _MEMBERS,
    "charter_versions": ("charter", *_MEMBERS),
    "principles": ("charter", *_MEMBERS),
    "principle_texts": ("charter", *_MEMBERS),
    "charter_translations": ("charter",),
    "reporting_cycles": ("reports", "home"),
    "report_versions": ("reports", *_MEMBERS),
    "annual_reports": ("reports", "home"),
    "editions": ("reports", "home"),
}


def _topics_written(session: Session) -> set[str]:
    topics: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(obj), "__table__", None)
        found = TABLE_TOPICS.get(getattr(table, "name", ""))
        if found:
            topics.update(found)
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
