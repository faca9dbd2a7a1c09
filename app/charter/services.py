"""Charter versions and principles: drafting, publishing, reading and comparing.

Rules kept here (the views only parse and render):

* At most one draft exists at a time. It carries the number it will get when published.
  A new draft starts as a copy of the latest published version (the current one, or an
  upcoming one when a version has been published with a future effective date).
* A `Principle` is the identity of a principle across versions. A copied principle keeps
  its identity; a principle added to a draft gets a new identity with the next free key
  ("P<n>"); removing it from a draft retires it in that version.
* A published version never changes. Every mutating service loads the version with a row
  lock and refuses unless it is a draft; a flush-time guard (`_guard_published`) refuses
  any change that slips past, whatever the route.
* The current version is the published one in force: the highest number whose effective
  date is today or earlier. A published version with a later date is "upcoming".

Services take the acting user explicitly, flush, and never commit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import event, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app import clock
from app.charter.diff import Comparison, PrincipleRecord, compare
from app.charter.models import CharterVersion, Principle, PrincipleText, VersionStatus
from app.core.services import record
from app.core.signals import charter_published
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.security import ensure_secretariat

MAX_NUMBER = 999  # highest principle number
MAX_VERSION_NUMBER = 2**31 - 1  # version numbers from URLs beyond this are simply not found
_KEY = re.compile(r"^P(\d+)$")


# Reading ------------------------------------------------------------------------------------


def current_version(on: dt.date | None = None) -> CharterVersion | None:
    """The version in force on `on` (default: today): the published version with the highest
    number whose effective date is on or before that day."""
    day = on or clock.today()
    return db.session.scalar(
        select(CharterVersion)
        .where(
            CharterVersion.status == VersionStatus.PUBLISHED, CharterVersion.effective_date <= day
        )
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )


def published_versions() -> list[CharterVersion]:
    """Every published version, newest first (without their principles)."""
    return list(
        db.session.scalars(
            select(CharterVersion)
            .where(CharterVersion.status == VersionStatus.PUBLISHED)
            .order_by(CharterVersion.number.desc())
        )
    )


def all_versions() -> list[tuple[CharterVersion, int]]:
    """Drafts and published versions, newest first, each with its number of principles."""
    counts = dict(
        db.session.execute(
            select(PrincipleText.version_id, func.count(PrincipleText.id)).group_by(
                PrincipleText.version_id
            )
        ).all()
    )
    versions = db.session.scalars(
        select(CharterVersion)
        .options(selectinload(CharterVersion.published_by))
        .order_by(CharterVersion.number.desc())
    )
    return [(version, counts.get(version.id, 0)) for version in versions]


def draft_in_progress() -> CharterVersion | None:
    return db.session.scalar(
        select(CharterVersion)
        .where(CharterVersion.status == VersionStatus.DRAFT)
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )


def _with_texts():
    return selectinload(CharterVersion.texts).joinedload(PrincipleText.principle)


def load_version(version_id: int) -> CharterVersion:
    """A version (draft or published) with its principles, for the secretariat."""
    version = db.session.scalar(
        select(CharterVersion).options(_with_texts()).where(CharterVersion.id == version_id)
    )
    if version is None:
        raise NotFound(_("There is no such charter version."))
    return version


def get_published(number: int) -> CharterVersion:
    """A published version by its public number, with its principles. Drafts are not found."""
    if not 0 < number <= MAX_VERSION_NUMBER:
        raise NotFound(_("There is no version %(n)d of the charter.", n=number))
    version = db.session.scalar(
        select(CharterVersion)
        .options(_with_texts())
        .where(CharterVersion.number == number, CharterVersion.status == VersionStatus.PUBLISHED)
    )
    if version is None:
        raise NotFound(_("There is no version %(n)d of the charter.", n=number))
    return version


@dataclass
class Timeline:
    """Where published versions stand today. Built from one query; versions are few."""

    versions: list[CharterVersion]  # published, newest first
    today: dt.date

    @property
    def current(self) -> CharterVersion | None:
        return next((v for v in self.versions if v.effective_date <= self.today), None)

    @property
    def upcoming(self) -> list[CharterVersion]:
        """Published versions not yet in force, soonest first."""
        return sorted(
            (v for v in self.versions if v.effective_date > self.today), key=lambda v: v.number
        )

    @property
    def latest(self) -> CharterVersion | None:
        return self.versions[0] if self.versions else None

    def status(self, version: CharterVersion) -> str:
        """ "current", "upcoming", "superseded" (or "draft")."""
        if not version.is_published:
            return "draft"
        if version.effective_date > self.today:
            return "upcoming"
        current = self.current
        return "current" if current is not None and current.id == version.id else "superseded"

    def previous(self, version: CharterVersion) -> CharterVersion | None:
        return next((v for v in self.versions if v.number < version.number), None)

    def next(self, version: CharterVersion) -> CharterVersion | None:
        later = [v for v in self.versions if v.number > version.number]
        return later[-1] if later else None

    def superseded_on(self, version: CharterVersion) -> dt.date | None:
        """The day a later version took effect, for a version no longer in force."""
        if self.status(version) != "superseded":
            return None
        later = [
            v.effective_date
            for v in self.versions
            if v.number > version.number and v.effective_date <= self.today
        ]
        return min(later) if later else None

    def by_number(self, number: int) -> CharterVersion | None:
        return next((v for v in self.versions if v.number == number), None)


def timeline(on: dt.date | None = None) -> Timeline:
    return Timeline(published_versions(), on or clock.today())


# Comparing ----------------------------------------------------------------------------------


def records(version: CharterVersion) -> list[PrincipleRecord]:
    return [
        PrincipleRecord(t.principle.key, t.number, t.title, t.body_md or "", t.theme or "")
        for t in version.texts
    ]


def compare_versions(old: CharterVersion, new: CharterVersion) -> Comparison:
    """What changed from `old` to `new` (both loaded with their principles)."""
    return compare(
        records(old),
        records(new),
        old_title=old.title,
        new_title=new.title,
        old_preamble=old.preamble_md or "",
        new_preamble=new.preamble_md or "",
    )


def versions_for_comparison(a: int, b: int) -> tuple[CharterVersion, CharterVersion]:
    """Two published versions by number, with their principles, in two queries."""
    for n in (a, b):
        if not 0 < n <= MAX_VERSION_NUMBER:
            raise NotFound(_("There is no version %(n)d of the charter.", n=n))
    found = {
        v.number: v
        for v in db.session.scalars(
            select(CharterVersion)
            .options(_with_texts())
            .where(
                CharterVersion.number.in_({a, b}), CharterVersion.status == VersionStatus.PUBLISHED
            )
        )
    }
    for n in (a, b):
        if n not in found:
            raise NotFound(_("There is no version %(n)d of the charter.", n=n))
    return found[a], found[b]


# Drafting -----------------------------------------------------------------------------------


def _lock_version(version_id: int) -> CharterVersion:
    """Load a version for a change, locking its row (PostgreSQL) so a publication running
    at the same time is either fully before or fully after this change."""
    version = db.session.scalar(
        select(CharterVersion)
        .where(CharterVersion.id == version_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if version is None:
        raise NotFound(_("There is no such charter version."))
    return version


def _ensure_draft(version: CharterVersion) -> None:
    if not version.is_draft:
        raise Conflict(
            _(
                "Version %(n)d is published and can no longer be changed. To change the charter, "
                "start a new version.",
                n=version.number,
            )
        )


def _draft_for_change(actor, version_id: int) -> CharterVersion:
    ensure_secretariat(actor)
    version = _lock_version(version_id)
    _ensure_draft(version)
    return version


def ensure_editable(actor, version_id: int) -> None:
    """Refuse early (403, 404 or 409) a change to anything but an existing draft. The
    services that change a draft check again, under a row lock."""
    ensure_secretariat(actor)
    version = db.session.get(CharterVersion, version_id)
    if version is None:
        raise NotFound(_("There is no such charter version."))
    _ensure_draft(version)


def _text_of(version: CharterVersion, text_id: int) -> PrincipleText:
    text = db.session.scalar(
        select(PrincipleText)
        .options(selectinload(PrincipleText.principle))
        .where(PrincipleText.id == text_id)
    )
    if text is None or text.version_id != version.id:
        raise NotFound(_("This principle is not part of version %(n)d.", n=version.number))
    return text


def _clean(value: str | None) -> str:
    return (value or "").strip()


def start_draft(actor) -> CharterVersion:
    """A new draft, copied from the latest published version (empty when there is none)."""
    ensure_secretariat(actor)
    existing = draft_in_progress()
    if existing is not None:
        raise Conflict(
            _(
                "A draft of version %(n)d is already in progress. Continue it, or delete it "
                "before starting another.",
                n=existing.number,
            )
        )
    latest_number = db.session.scalar(select(func.max(CharterVersion.number))) or 0
    base = db.session.scalar(
        select(CharterVersion)
        .options(_with_texts())
        .where(CharterVersion.status == VersionStatus.PUBLISHED)
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )
    draft = CharterVersion(
        number=latest_number + 1,
        title=base.title if base else _("Charter"),
        preamble_md=base.preamble_md if base else "",
        change_summary="",
        status=VersionStatus.DRAFT,
        based_on_id=base.id if base else None,
        created_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(draft)
            for text in base.texts if base is not None else []:
                draft.texts.append(
                    PrincipleText(
                        principle=text.principle,
                        number=text.number,
                        position=text.position,
                        title=text.title,
                        body_md=text.body_md,
                        theme=text.theme,
                    )
                )
            db.session.flush()
    except IntegrityError as error:  # another secretariat user started one at the same time
        raise Conflict(
            _("Someone else has just started a new draft. Reload the page to continue it.")
        ) from error
    record(
        actor,
        "charter.draft_started",
        draft,
        summary=f"Draft of version {draft.number}"
        + (f" from version {base.number}" if base else ""),
    )
    return draft


def update_draft(
    actor, version_id: int, *, title: str, preamble_md: str, change_summary: str
) -> CharterVersion:
    version = _draft_for_change(actor, version_id)
    title, change_summary = _clean(title), " ".join(_clean(change_summary).split())
    if not title:
        raise ValidationFailed(_("Please give the charter a title."), field="title")
    if len(title) > 200:
        raise ValidationFailed(_("Keep the title under 200 characters."), field="title")
    if len(change_summary) > 300:
        raise ValidationFailed(
            _("Keep the summary to one line (300 characters at most)."), field="change_summary"
        )
    version.title = title
    version.preamble_md = (preamble_md or "").strip()
    version.change_summary = change_summary
    db.session.flush()
    return version


def _validate_principle(number, title: str, theme: str) -> None:
    if not isinstance(number, int) or isinstance(number, bool) or not 0 < number <= MAX_NUMBER:
        raise ValidationFailed(_("Use a number from 1 to %(max)d.", max=MAX_NUMBER), field="number")
    if not title:
        raise ValidationFailed(_("Every principle needs a short title."), field="title")
    if len(title) > 200:
        raise ValidationFailed(_("Keep the title under 200 characters."), field="title")
    if len(theme) > 100:
        raise ValidationFailed(_("Keep the theme under 100 characters."), field="theme")


def _next_key() -> str:
    keys = db.session.scalars(select(Principle.key)).all()
    numbers = [int(m.group(1)) for k in keys if (m := _KEY.match(k))]
    return f"P{max(numbers, default=0) + 1}"


def _renumber_positions(version: CharterVersion) -> None:
    """Keep positions in reading order: by number, ties kept in their current order."""
    ordered = sorted(version.texts, key=lambda t: (t.number, t.position, t.id or 0))
    for position, text in enumerate(ordered):
        text.position = position
    version.texts.sort(key=lambda t: t.position)


def add_principle(
    actor, version_id: int, *, number: int | None, title: str, body_md: str, theme: str = ""
) -> PrincipleText:
    """A new principle (with a new identity) in a draft. Without a number it goes last."""
    version = _draft_for_change(actor, version_id)
    title, theme = _clean(title), _clean(theme)
    if number is None:
        number = max((t.number for t in version.texts), default=0) + 1
    _validate_principle(number, title, theme)
    text = PrincipleText(
        number=number,
        title=title,
        body_md=(body_md or "").strip(),
        theme=theme,
        position=len(version.texts),
    )
    try:
        with db.session.begin_nested():
            text.principle = Principle(key=_next_key())
            db.session.add(text.principle)
            version.texts.append(text)
            db.session.flush()
    except IntegrityError as error:  # the same key taken by a request running at the same time
        raise Conflict(
            _("This draft was changed at the same moment by someone else. Please try again.")
        ) from error
    _renumber_positions(version)
    db.session.flush()
    return text


def update_principle(
    actor, version_id: int, text_id: int, *, number: int, title: str, body_md: str, theme: str = ""
) -> PrincipleText:
    version = _draft_for_change(actor, version_id)
    text = _text_of(version, text_id)
    title, theme = _clean(title), _clean(theme)
    _validate_principle(number, title, theme)
    text.number, text.title, text.theme = number, title, theme
    text.body_md = (body_md or "").strip()
    _renumber_positions(version)
    db.session.flush()
    return text


def move_principle(actor, version_id: int, text_id: int, direction: str) -> PrincipleText:
    """Swap a principle with its neighbour above ("up") or below ("down"). The two also swap
    numbers, so the numbering keeps following the reading order."""
    if direction not in ("up", "down"):
        raise ValidationFailed(_("Choose to move the principle up or down."))
    version = _draft_for_change(actor, version_id)
    text = _text_of(version, text_id)
    ordered = sorted(version.texts, key=lambda t: t.position)
    index = ordered.index(text)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(ordered):
        return text  # already first / last: nothing to do
    other = ordered[other_index]
    text.position, other.position = other.position, text.position
    text.number, other.number = other.number, text.number
    version.texts.sort(key=lambda t: t.position)
    db.session.flush()
    return text


def _is_referenced(principle_id: int) -> bool:
    """Does any other table (pledges, questionnaire sections …) point at this principle?"""
    target = Principle.__table__.c.id
    for table in db.metadata.sorted_tables:
        if table.name == PrincipleText.__tablename__:
            continue
        for fk in table.foreign_keys:
            if fk.column is target:
                found = db.session.execute(
                    select(fk.parent).where(fk.parent == principle_id).limit(1)
                ).first()
                if found is not None:
                    return True
    return False


def remove_principle(actor, version_id: int, text_id: int) -> str:
    """Retire a principle in this draft. A principle that existed only in this draft loses its
    identity too (unless something already refers to it). Returns its title."""
    version = _draft_for_change(actor, version_id)
    text = _text_of(version, text_id)
    principle = text.principle
    title = text.title
    version.texts.remove(text)
    db.session.flush()
    _drop_if_orphan(principle)
    _renumber_positions(version)
    db.session.flush()
    return title


def _drop_if_orphan(principle: Principle) -> None:
    others = db.session.scalar(
        select(func.count(PrincipleText.id)).where(PrincipleText.principle_id == principle.id)
    )
    if not others and not _is_referenced(principle.id):
        db.session.delete(principle)
        db.session.flush()


def delete_draft(actor, version_id: int) -> int:
    """Delete a draft and the identities of principles that only it had. Returns its number."""
    version = _draft_for_change(actor, version_id)
    number = version.number
    loaded = load_version(version.id)
    principles = [t.principle for t in loaded.texts]
    record(
        actor,
        "charter.draft_deleted",
        loaded,
        summary=f"Draft of version {number} deleted",
        number=number,
    )
    db.session.delete(loaded)
    db.session.flush()
    for principle in principles:
        _drop_if_orphan(principle)
    return number


# Publishing ---------------------------------------------------------------------------------


def publication_problems(version: CharterVersion) -> list[tuple[str | None, str]]:
    """What stops this draft from being published, as (field, message) pairs. The
    effective date is checked by `publish`, which knows it."""
    problems: list[tuple[str | None, str]] = []
    if not _clean(version.title):
        problems.append(("title", _("The charter has no title.")))
    if not version.texts:
        problems.append((None, _("The charter has no principles. Add at least one.")))
    untitled = [t.number for t in version.texts if not _clean(t.title)]
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


def publish(actor, version_id: int, effective_date: dt.date | None) -> CharterVersion:
    """Publish a draft. From now on it never changes. Refuses (and changes nothing) when the
    draft is incomplete or the date is before the latest published version's."""
    version = _draft_for_change(actor, version_id)
    version = load_version(version.id)
    errors: dict[str | None, list[str]] = {}
    for field, message in publication_problems(version):
        errors.setdefault(field, []).append(message)
    if effective_date is None:
        errors.setdefault("effective_date", []).append(
            _("Choose the date from which this version is in force.")
        )
    else:
        latest = db.session.scalar(
            select(CharterVersion)
            .where(CharterVersion.status == VersionStatus.PUBLISHED)
            .order_by(CharterVersion.number.desc())
            .limit(1)
        )
        if latest is not None and effective_date < latest.effective_date:
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
