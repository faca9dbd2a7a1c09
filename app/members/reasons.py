"""The public reasons Pactum itself writes on status changes ("Did not report for 2025").

They are stored in English, whoever triggers them (the nightly `pactum tick`, a French-speaking
secretariat approving an application), so the API, the CSV and the feeds say the same thing
in one language. Pages show them in the visitor's language: `shown` recognises a stored text
made from one of these templates and translates it; anything a person typed is shown as typed.
"""

from __future__ import annotations

import functools
import re

from flask_babel import gettext


def N_(message: str) -> str:  # noqa: N802 - the conventional name of a no-op gettext marker
    """Marks a message for the catalog without translating it here."""
    return message


JOINED = N_("Joined the alliance.")
DID_NOT_REPORT = N_("Did not report for %(year)s")
DELISTED_DID_NOT_REPORT = N_("Delisted: did not report for %(year)s")
REPORTED = N_("Reported for %(year)s")
GIVEN_MORE_TIME = N_("Given more time to report for %(year)s")

TEMPLATES = (JOINED, DID_NOT_REPORT, DELISTED_DID_NOT_REPORT, REPORTED, GIVEN_MORE_TIME)


def stored(template: str, **params) -> str:
    """The text to store: the English template filled in."""
    if template not in TEMPLATES:
        raise ValueError(f"not a system reason: {template!r}")
    return template % params


@functools.cache
def _patterns() -> tuple[tuple[str, re.Pattern], ...]:
    patterns = []
    for template in TEMPLATES:
        regex = re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+?)", re.escape(template))
        patterns.append((template, re.compile(regex)))
    return tuple(patterns)


def shown(text: str | None) -> str:
    """A stored public reason in the visitor's language (as typed when a person wrote it)."""
    if not text:
        return ""
    for template, pattern in _patterns():
        match = pattern.fullmatch(text.strip())
        if match:
            return gettext(template, **match.groupdict())
    return text
