"""The charter's figure on the home page: the version in force, and its title in the
reader's language (from its translation when current; one query, none in the source
language)."""

from __future__ import annotations

from app.charter.queries import current_version
from app.charter.translations import services as translations
from app.core import languages
from app.core.home import figure


@figure(20)
def charter_in_force() -> dict:
    # The version in force, not merely the latest published (which may be upcoming).
    version = current_version()
    if version is None:
        return {"charter": None, "charter_title": None}
    title, _summary = translations.headings_in([version], languages.current_language())[version.id]
    return {"charter": version, "charter_title": title}
