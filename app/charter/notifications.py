"""When a charter version is published, its PDF is laid out and stored in every language
of the site, after the commit, so the first reader is served stored bytes (issue 16): the
layout takes seconds, and a reader used to wait for it on the first request.

The same after-commit hand-off as the annual report's builds (`app.transparency.jobs`):
the receiver only notes the version on the session; once the transaction commits, a
thread of this process (with its own app context and session) lays the PDFs out, and
nothing happens if it rolls back. `CHARTER_PDF_ON_PUBLISH`: "thread" (the default),
"inline" (the committing thread waits: the demo loader, tests) or "off". A PDF that is not
stored yet (a thread cut short, a new language) is laid out on request and stored then.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.charter import present
from app.charter.queries import load_version
from app.charter.translations import languages
from app.charter.translations import services as translations
from app.core.signals import charter_published
from app.db import db

_PENDING = "pactum_charter_pdfs_to_store"
_threads: list[threading.Thread] = []


def store_after_commit(version_id: int) -> None:
    """Lay out and store this published version's PDFs once the transaction commits (the
    receiver below; the demo, whose versions are published without the signal)."""
    db.session.info.setdefault(_PENDING, []).append(version_id)


@charter_published.connect
def _note_published(version, **_kwargs) -> None:
    store_after_commit(version.id)


@event.listens_for(Session, "after_commit")
def _store_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released; the real commit comes later
    version_ids = session.info.pop(_PENDING, [])
    if not version_ids:
        return
    mode = current_app.config.get("CHARTER_PDF_ON_PUBLISH", "thread")
    if mode == "off":
        return
    app = current_app._get_current_object()
    thread = threading.Thread(
        target=_store_in_thread, args=(app, version_ids), name="pactum-charter-pdf", daemon=True
    )
    _threads.append(thread)
    thread.start()
    if mode == "inline":
        wait()


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


def store_pdfs(version_id: int) -> int:
    """Lay out and store the published version's PDF in every language; how many."""
    version = load_version(version_id)
    count = 0
    for language in languages.languages():
        if present.stored_version_pdf(version, language) is None:
            text, _complete = translations.reader_view(version, language)
            present.store_version_pdf(version, text)
            count += 1
    return count


def _store_in_thread(app: Flask, version_ids: list[int]) -> None:
    with app.app_context():
        try:
            for version_id in version_ids:
                store_pdfs(version_id)
        except Exception:  # noqa: BLE001 - the request will lay it out instead; say why
            app.logger.exception("storing the PDF of charter versions %s failed", version_ids)
        finally:
            db.session.remove()


def wait(timeout: float = 300) -> None:
    """Wait for the PDFs being stored by this process (the demo loader, tests)."""
    while _threads:
        thread = _threads.pop()
        thread.join(timeout)
