"""Titles Pactum makes up itself, rendered when shown, in the reader's language.

A cycle's title and a principle section's title are stored only when a person wrote them;
when left empty, the title is made from the data each time it is shown: "2025 reporting
cycle" from the year, "Principle 1: Protect users" from the principle's number and title
(the principle's title as the charter version gives it). Readers in French then read
"Cycle de rapport 2025" and "Principe 1 : …".

Rows written before titles were rendered hold the English text Pactum generated then; a
stored title that is exactly that text is taken as generated too (no data migration needed).

No request is needed: outside one (CLI, jobs, exports) the title is in the default locale;
pass `locale` (or wrap the call in `flask_babel.force_locale`) for another.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from flask_babel import force_locale, get_locale, gettext


def N_(message: str) -> str:  # noqa: N802 - the conventional name of a no-op gettext marker
    return message


CYCLE_TITLE = N_("%(year)d reporting cycle")
PRINCIPLE_SECTION_TITLE = N_("Principle %(n)d: %(title)s")


def _in(locale: str | None, message: str, **params) -> str:
    if locale is None:
        return gettext(message, **params)
    with force_locale(locale):
        return gettext(message, **params)


def is_generated_cycle_title(year: int, title: str | None) -> bool:
    title = (title or "").strip()
    return not title or title == CYCLE_TITLE % {"year": year}


def cycle_title(year: int, title: str | None = "", locale: str | None = None) -> str:
    """The cycle's title as written, or "2025 reporting cycle" in the reader's language."""
    if not is_generated_cycle_title(year, title):
        return (title or "").strip()
    return _in(locale, CYCLE_TITLE, year=year)


def is_generated_section_title(
    title: str | None, principle_number: int | None, principle_title: str | None
) -> bool:
    title = (title or "").strip()
    if principle_number is None:
        return False
    return not title or title == PRINCIPLE_SECTION_TITLE % {
        "n": principle_number,
        "title": principle_title or "",
    }


def may_be_generated(section_title: str | None) -> bool:
    """Whether a stored section title may be a generated one (empty, or the English text
    written before titles were rendered): else it is shown as written, with no look-up."""
    title = (section_title or "").strip()
    return not title or title.startswith(PRINCIPLE_SECTION_TITLE.split("%", 1)[0])


def section_title(
    title: str | None,
    principle_number: int | None = None,
    principle_title: str | None = "",
    locale: str | None = None,
) -> str:
    """A section's title as written, or "Principle 1: …" in the reader's language for a
    section on a principle whose title was left empty."""
    if not is_generated_section_title(title, principle_number, principle_title):
        return (title or "").strip()
    return _in(locale, PRINCIPLE_SECTION_TITLE, n=principle_number, title=principle_title or "")


def english_cycle_title(year: int, title: str | None) -> str:
    """What a report snapshot keeps (a frozen record in one language, like the API's)."""
    return cycle_title(year, title, locale="en")


@functools.cache
def _section_pattern() -> re.Pattern:
    return re.compile(
        re.escape(PRINCIPLE_SECTION_TITLE)
        .replace(re.escape("%(n)d"), r"(?P<n>\d+)")
        .replace(re.escape("%(title)s"), r"(?P<title>.+)")
    )


def generated_match(text: str | None) -> re.Match | None:
    """The parts ("n", "title") of a section title kept as text that Pactum made up
    ("Principle 1: …", in English), else None."""
    return _section_pattern().fullmatch((text or "").strip())


def is_generated_text(text: str | None) -> bool:
    """Whether a section title kept as text is one Pactum made up ("Principle 1: …")."""
    return bool(_section_pattern().fullmatch((text or "").strip()))


def generated_parts(text: str | None) -> tuple[int, str] | None:
    """(the principle's number, its title) of a section title kept as text that Pactum made
    up ("Principle 1: Protect users"), else None."""
    match = _section_pattern().fullmatch((text or "").strip())
    return (int(match["n"]), match["title"]) if match else None


def shown_section_text(
    text: str | None, locale: str | None = None, principle_title: str | None = None
) -> str:
    """A section title kept as text in English (a submitted report's snapshot), in the
    reader's language when it is a generated one ("Principle 1: …"; `principle_title`:
    the principle's title in that language, when known)."""
    parts = generated_parts(text)
    if parts is None:
        return (text or "").strip()
    number, title = parts
    return _in(locale, PRINCIPLE_SECTION_TITLE, n=number, title=principle_title or title)


def shown_cycle_title(cycle, locale: str | None = None) -> str:
    """For a ReportingCycle or the `cycle` entry of a report snapshot (a dict)."""
    if isinstance(cycle, Mapping):
        year = cycle.get("year")
        if not isinstance(year, int):
            return str(cycle.get("title") or "")
        return cycle_title(year, cycle.get("title"), locale)
    return cycle_title(cycle.year, cycle.title, locale)


SHOWN_TITLES_MEMO_SIZE = 4096
_shown_titles: dict = {}


def template_cycle_title(cycle) -> str:
    """`cycle|cycle_title`: `shown_cycle_title` in the current locale, remembered per
    (year, stored title, locale): a dashboard shows a title per past report, the same words
    on every request (issue 20)."""
    if isinstance(cycle, Mapping):
        return shown_cycle_title(cycle)
    key = (cycle.year, cycle.title, str(get_locale()))
    found = _shown_titles.get(key)
    if found is None:
        found = cycle_title(cycle.year, cycle.title)
        if len(_shown_titles) >= SHOWN_TITLES_MEMO_SIZE:
            _shown_titles.clear()
        _shown_titles[key] = found
    return found


def shown_section_title(section, locale: str | None = None) -> str:
    """For a Section, a section entry of a report snapshot (a dict) or its title as text."""
    if section is None:
        return ""
    if isinstance(section, str):
        return shown_section_text(section, locale)
    if isinstance(section, Mapping):
        return shown_section_text(str(section.get("title") or ""), locale)
    if hasattr(section, "title_in"):
        return section.title_in(locale)
    return shown_section_text(str(getattr(section, "title", "") or ""), locale)
