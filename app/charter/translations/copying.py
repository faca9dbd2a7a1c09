"""Carrying translations over to a new draft (used by `app.charter.drafts.start_draft`)."""

from __future__ import annotations

from sqlalchemy import select

from app.charter.models import CharterVersion
from app.charter.translations.entries import source_entries
from app.charter.translations.models import CharterTranslation
from app.db import db


def copy_into(base: CharterVersion, draft: CharterVersion) -> int:
    """A new draft starts with the translations of the version it copies, each still
    recording the source it translated: a source changed in the draft makes it outdated."""
    keys = {entry.key for entry in source_entries(base)}  # not those of removed principles
    rows = db.session.scalars(
        select(CharterTranslation).where(
            CharterTranslation.version_id == base.id, CharterTranslation.key.in_(keys)
        )
    ).all()
    for row in rows:
        db.session.add(
            CharterTranslation(
                version=draft,
                language=row.language,
                key=row.key,
                text=row.text,
                source_hash=row.source_hash,
                updated_at=row.updated_at,
                updated_by_id=row.updated_by_id,
            )
        )
    return len(rows)
