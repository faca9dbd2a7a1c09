"""The charter's figure on the home page: the version in force."""

from __future__ import annotations

from app.charter.queries import current_version
from app.core.home import figure


@figure(20)
def charter_in_force() -> dict:
    # The version in force, not merely the latest published (which may be upcoming).
    return {"charter": current_version()}
