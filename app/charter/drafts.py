"""Drafting the charter: one draft at a time, copied from the latest published version;
its principles added, edited, moved and removed under a row lock. Services take the acting
user explicitly, flush, and never commit."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.charter.models import CharterVersion, Principle, PrincipleText, VersionStatus
from app.charter.queries import draft_in_progress, load_version, with_texts
from app.charter.translations.copying import copy_into as copy_translations
from app.core.services import record
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.security import ensure_secretariat

MAX_NUMBER = 999  # highest principle number
_KEY = re.compile(r"^P(\d+)$")


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


def draft_for_change(actor: User, version_id: int) -> CharterVersion:
    ensure_secretariat(actor)
    version = _lock_version(version_id)
    _ensure_draft(version)
    return version


def ensure_editable(actor: User, version_id: int) -> None:
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


def clean(value: str | None) -> str:
    return (value or "").strip()


def start_draft(actor: User, *, copy: bool = True) -> CharterVersion:
    """A new draft, copied from the latest published version (empty when there is none).
    With `copy=False` it keeps that version's title and preamble but no principle: a
    charter being replaced rather than amended (imported principles whose text an earlier
    version has may still keep their stable reference, see `importing`)."""
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
        .options(with_texts())
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
            for text in base.texts if base is not None and copy else []:
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
            if base is not None and copy:
                copy_translations(base, draft)
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
        + (
            (" from version " if copy else " (empty) after version ") + str(base.number)
            if base
            else ""
        ),
    )
    return draft


def update_draft(
    actor: User, version_id: int, *, title: str, preamble_md: str, change_summary: str
) -> CharterVersion:
    version = draft_for_change(actor, version_id)
    title, change_summary = clean(title), " ".join(clean(change_summary).split())
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


def next_key_number() -> int:
    """The number of the next free stable reference ("P<n>")."""
    keys = db.session.scalars(select(Principle.key)).all()
    numbers = [int(m.group(1)) for k in keys if (m := _KEY.match(k))]
    return max(numbers, default=0) + 1


def _next_key() -> str:
    return f"P{next_key_number()}"


def renumber_positions(version: CharterVersion) -> None:
    """Keep positions in reading order: by number, ties kept in their current order."""
    ordered = sorted(version.texts, key=lambda t: (t.number, t.position, t.id or 0))
    for position, text in enumerate(ordered):
        text.position = position
    version.texts.sort(key=lambda t: t.position)


def add_principle(
    actor: User, version_id: int, *, number: int | None, title: str, body_md: str, theme: str = ""
) -> PrincipleText:
    """A new principle (with a new identity) in a draft. Without a number it goes last."""
    version = draft_for_change(actor, version_id)
    title, theme = clean(title), clean(theme)
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
    renumber_positions(version)
    db.session.flush()
    return text


def update_principle(
    actor: User,
    version_id: int,
    text_id: int,
    *,
    number: int,
    title: str,
    body_md: str,
    theme: str = "",
) -> PrincipleText:
    version = draft_for_change(actor, version_id)
    text = _text_of(version, text_id)
    title, theme = clean(title), clean(theme)
    _validate_principle(number, title, theme)
    text.number, text.title, text.theme = number, title, theme
    text.body_md = (body_md or "").strip()
    renumber_positions(version)
    db.session.flush()
    return text


def move_principle(actor: User, version_id: int, text_id: int, direction: str) -> PrincipleText:
    """Swap a principle with its neighbour above ("up") or below ("down"). The two also swap
    numbers, so the numbering keeps following the reading order."""
    if direction not in ("up", "down"):
        raise ValidationFailed(_("Choose to move the principle up or down."))
    version = draft_for_change(actor, version_id)
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


def remove_principle(actor: User, version_id: int, text_id: int) -> str:
    """Retire a principle in this draft. A principle that existed only in this draft loses its
    identity too (unless something already refers to it). Returns its title."""
    version = draft_for_change(actor, version_id)
    text = _text_of(version, text_id)
    principle = text.principle
    title = text.title
    version.texts.remove(text)
    db.session.flush()
    _drop_if_orphan(principle)
    renumber_positions(version)
    db.session.flush()
    return title


def remove_principles(actor: User, version_id: int, text_ids: list[int]) -> list[str]:
    """Retire several principles of a draft at once (see `remove_principle`). Refuses, and
    removes none, when one of them is not part of the draft. Returns their titles."""
    version = draft_for_change(actor, version_id)
    wanted = list(dict.fromkeys(text_ids))
    if not wanted:
        raise ValidationFailed(_("Select the principles to remove."), field="text_ids")
    texts = [_text_of(version, text_id) for text_id in wanted]
    principles = [t.principle for t in texts]
    for text in texts:
        version.texts.remove(text)
    db.session.flush()
    for principle in principles:
        _drop_if_orphan(principle)
    renumber_positions(version)
    db.session.flush()
    return [t.title for t in texts]


def _drop_if_orphan(principle: Principle) -> None:
    others = db.session.scalar(
        select(func.count(PrincipleText.id)).where(PrincipleText.principle_id == principle.id)
    )
    if not others and not _is_referenced(principle.id):
        db.session.delete(principle)
        db.session.flush()


def delete_draft(actor: User, version_id: int) -> int:
    """Delete a draft and the identities of principles that only it had. Returns its number."""
    version = draft_for_change(actor, version_id)
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
