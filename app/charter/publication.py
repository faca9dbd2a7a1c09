"""Publishing a draft of the charter, and the guard that keeps a published version from
ever changing afterwards, whatever code path tries."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import User
from app.charter.drafts import clean, draft_for_change
from app.charter.models import CharterVersion, PrincipleText, VersionStatus
from app.charter.queries import load_version
from app.charter.translations.models import CharterTranslation
from app.core.glyphs import Undrawable, undrawable
from app.core.services import record
from app.core.signals import charter_published
from app.db import db
from app.errors import Conflict, ValidationFailed


def publication_problems(version: CharterVersion) -> list[tuple[str | None, str]]:
    """What stops this draft from being published, as (field, message) pairs. The
    effective date is checked by `publish`, which knows it."""
    problems: list[tuple[str | None, str]] = []
    if not clean(version.title):
        problems.append(("title", _("The charter has no title.")))
    if not version.texts:
        problems.append((None, _("The charter has no principles. Add at least one.")))
    untitled = [t.number for t in version.texts if not clean(t.title)]
    if untitled:
        problems.append(
            (
                None,
                _(
                    "Principle %(numbers)s has no title. Every principle needs one.",
                    numbers=", ".join(str(n) for n in untitled),
                ),
            )
        )
    seen: dict[int, int] = {}
    for text in version.texts:
        seen[text.number] = seen.get(text.number, 0) + 1
    duplicates = sorted(n for n, count in seen.items() if count > 1)
    if duplicates:
        problems.append(
            (
                None,
                _(
                    "Two or more principles have the number %(numbers)s. Each number must be used "
                    "once.",
                    numbers=", ".join(str(n) for n in duplicates),
                ),
            )
        )
    return problems


def _latest_published() -> CharterVersion | None:
    return db.session.scalar(
        select(CharterVersion)
        .where(CharterVersion.status == VersionStatus.PUBLISHED)
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )


def _refuse_if_unpublishable(
    version: CharterVersion, effective_date: dt.date | None, latest: CharterVersion | None
) -> None:
    """Every reason this draft cannot be published on that date, all at once."""
    errors: dict[str | None, list[str]] = {}
    for field, message in publication_problems(version):
        errors.setdefault(field, []).append(message)
    if effective_date is None:
        errors.setdefault("effective_date", []).append(
            _("Choose the date from which this version is in force.")
        )
    elif latest is not None and effective_date < latest.effective_date:
        errors.setdefault("effective_date", []).append(
            _(
                "The effective date cannot be before %(date)s, when version %(n)d took or "
                "takes effect.",
                date=format_date(latest.effective_date, "long"),
                n=latest.number,
            )
        )
    if errors:
        messages = [m for ms in errors.values() for m in ms]
        raise ValidationFailed(
            " ".join(messages),
            errors={k if k is not None else "": v for k, v in errors.items()},
        )


def fingerprint(version: CharterVersion, effective_date: dt.date) -> str:
    """What the secretariat confirmed: the draft's words, its translations and the date,
    hashed. A publication confirmed on one state of the draft is refused once the draft
    changed."""
    translated = db.session.execute(
        select(
            CharterTranslation.language,
            CharterTranslation.key,
            CharterTranslation.text,
            CharterTranslation.source_hash,
        )
        .where(CharterTranslation.version_id == version.id)
        .order_by(CharterTranslation.language, CharterTranslation.key)
    ).all()
    state = [
        version.id,
        effective_date.isoformat(),
        version.title,
        version.preamble_md or "",
        version.change_summary or "",
        [
            (t.principle.key, t.number, t.title, t.body_md or "", t.theme or "")
            for t in version.texts
        ],
        [list(row) for row in translated],
    ]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]


@dataclass
class PublicationPreview:
    """What publishing this draft on that date will do, for the confirmation page."""

    version: CharterVersion
    effective_date: dt.date
    supersedes: CharterVersion | None  # the latest published version
    fingerprint: str
    # Characters no shipped font can draw: they would print as empty boxes in the PDF.
    undrawable: list[Undrawable]

    @property
    def same_day(self) -> bool:
        """The version it supersedes takes (or took) effect the same day: that one would
        never be in force, or be replaced on its first day."""
        return self.supersedes is not None and self.supersedes.effective_date == self.effective_date

    @property
    def in_force_at_once(self) -> bool:
        return self.effective_date <= clock.today()


def publication_preview(
    actor: User, version_id: int, effective_date: dt.date | None
) -> PublicationPreview:
    """Check a publication without making it: the same refusals as `publish`, or what it
    will do. Changes nothing."""
    version = draft_for_change(actor, version_id)
    version = load_version(version.id)
    latest = _latest_published()
    _refuse_if_unpublishable(version, effective_date, latest)
    return PublicationPreview(
        version,
        effective_date,
        latest,
        fingerprint(version, effective_date),
        undrawable(printed_texts(version)),
    )


def printed_texts(version: CharterVersion):
    """(where, text) for every text of the version that its PDF prints."""
    yield _("Title"), version.title
    yield _("Preamble"), version.preamble_md
    yield _("Summary of changes"), version.change_summary
    for text in version.texts:
        where = _("Principle %(n)d", n=text.number)
        yield where, text.title
        yield where, text.body_md
        yield where, text.theme


def publish(
    actor: User,
    version_id: int,
    effective_date: dt.date | None,
    *,
    confirmed: str | None = None,
) -> CharterVersion:
    """Publish a draft. From now on it never changes. Refuses (and changes nothing) when the
    draft is incomplete or the date is before the latest published version's, and, when
    `confirmed` (the fingerprint the secretariat confirmed) is given, when the draft or the
    date is no longer what was confirmed."""
    version = draft_for_change(actor, version_id)
    version = load_version(version.id)
    _refuse_if_unpublishable(version, effective_date, _latest_published())
    if confirmed is not None and confirmed != fingerprint(version, effective_date):
        raise Conflict(
            _(
                "The draft or the date changed after you reviewed them. Nothing was "
                "published: check what will happen again."
            )
        )
    version.status = VersionStatus.PUBLISHED
    version.effective_date = effective_date
    version.published_at = clock.now()
    version.published_by_id = actor.id
    db.session.flush()
    record(
        actor,
        "charter.published",
        version,
        summary=f"Version {version.number} published, in force from {effective_date.isoformat()}",
        number=version.number,
        effective_date=effective_date.isoformat(),
        principles=len(version.texts),
    )
    charter_published.send(version, actor=actor)
    return version


# Immutability guard -------------------------------------------------------------------------


class PublishedVersionChanged(Conflict):
    pass


def _was_published(version: CharterVersion) -> bool:
    """Was this version published before the changes pending in this session?"""
    history = inspect(version).attrs.status.history
    if history.deleted:
        return history.deleted[0] == VersionStatus.PUBLISHED
    return version.status == VersionStatus.PUBLISHED


def _version_of(session, text: PrincipleText) -> CharterVersion | None:
    if text.version is not None:
        return text.version
    return session.get(CharterVersion, text.version_id) if text.version_id else None


@event.listens_for(Session, "before_flush")
def _guard_published(session, flush_context, instances):
    """Last line of defence: no flush may change or delete a published version or its
    principles, whatever code path tries (a draft's publication itself is allowed).
    Lazy loads here do not autoflush: the session is already flushing."""
    for obj in session.deleted:
        if isinstance(obj, CharterVersion) and _was_published(obj):
            raise PublishedVersionChanged(_("A published charter version cannot be deleted."))
        if (
            isinstance(obj, PrincipleText)
            and (version := _version_of(session, obj))
            and _was_published(version)
        ):
            raise PublishedVersionChanged(
                _("The principles of a published charter version cannot be changed.")
            )
    for obj in session.dirty:
        if (
            isinstance(obj, CharterVersion)
            and _was_published(obj)
            and session.is_modified(obj, include_collections=False)
        ):
            raise PublishedVersionChanged(_("A published charter version cannot be changed."))
        if (
            isinstance(obj, PrincipleText)
            and session.is_modified(obj)
            and (version := _version_of(session, obj))
            and _was_published(version)
        ):
            raise PublishedVersionChanged(
                _("The principles of a published charter version cannot be changed.")
            )
    for obj in session.new:
        if (
            isinstance(obj, PrincipleText)
            and (version := _version_of(session, obj))
            and version not in session.new
            and _was_published(version)
        ):
            raise PublishedVersionChanged(
                _("The principles of a published charter version cannot be changed.")
            )
