"""Importing several principles into a draft at once, from a pasted Markdown list, a CSV, or
the JSON that `/charter.json` publishes (a round trip).

`parse` is pure: text in, the principles read and an error per line out. `plan_import`
adds what only the database knows: numbers already used in the draft, and for each
principle the stable reference it may keep (the key its JSON carries, or the key of a
principle with the same text in an earlier version), so that the comparison shows
"unchanged" instead of "removed and added". `import_principles` saves a plan that has no
error, all or nothing. Services take the acting user, flush, never commit.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.charter.drafts import MAX_NUMBER, draft_for_change, next_key_number, renumber_positions
from app.charter.models import CharterVersion, Principle, PrincipleText, VersionStatus
from app.db import db
from app.errors import ValidationFailed

MAX_SOURCE = 200_000  # characters pasted
MAX_PRINCIPLES = 300
_ITEM = re.compile(r"^(?:[-*+]|(\d{1,4})[.)])\s+(.*)$")
_CSV_COLUMNS = {
    "number": "number",
    "no": "number",
    "title": "title",
    "text": "body",
    "body": "body",
    "body_md": "body",
    "theme": "theme",
    "key": "key",
}


@dataclass
class Imported:
    """One principle read from the pasted text."""

    where: str  # "Line 4", "Principle 2 of the JSON"
    number: int | None
    title: str
    body_md: str = ""
    theme: str = ""
    key: str = ""  # the stable reference the JSON names
    errors: list[str] = field(default_factory=list)
    keep_key: str = ""  # the reference it may keep, found by `plan_import`
    keep_reason: str = ""


@dataclass
class Parsed:
    kind: str  # "markdown", "csv", "json"
    items: list[Imported]
    errors: list[str]  # not tied to one principle (or "Line 1: …")

    @property
    def all_errors(self) -> list[str]:
        return self.errors + [f"{i.where}: {e}" for i in self.items for e in i.errors]


# Reading -----------------------------------------------------------------------------------


def parse(text: str) -> Parsed:
    text = (text or "").replace("\r\n", "\n").strip("\n")
    if not text.strip():
        return Parsed("markdown", [], [_("Paste the principles to import.")])
    if len(text) > MAX_SOURCE:
        return Parsed("markdown", [], [_("The text is too long to import at once.")])
    start = text.lstrip()[:1]
    if start in "{[":
        parsed = _parse_json(text)
    elif "title" in text.split("\n", 1)[0].lower() and re.search(r"[,;\t]", text.split("\n")[0]):
        parsed = _parse_csv(text)
    else:
        parsed = _parse_markdown(text)
    for item in parsed.items:
        _check(item)
    if not parsed.items and not parsed.errors:
        parsed.errors.append(_("No principle was found in the text."))
    if len(parsed.items) > MAX_PRINCIPLES:
        parsed.errors.append(_("Import at most %(n)d principles at once.", n=MAX_PRINCIPLES))
    return parsed


def _line(n: int) -> str:
    return _("Line %(n)d", n=n)


def _parse_markdown(text: str) -> Parsed:
    items: list[Imported] = []
    errors: list[str] = []
    body: list[str] = []

    def close():
        if items:
            items[-1].body_md = _dedent("\n".join(body)).strip()
        body.clear()

    for n, line in enumerate(text.split("\n"), 1):
        match = _ITEM.match(line)
        if match:
            close()
            number = int(match.group(1)) if match.group(1) else None
            items.append(Imported(_line(n), number, match.group(2).strip()))
        elif items:
            body.append(line)
        elif line.strip():
            errors.append(
                _(
                    "%(where)s: not a list item. Start each principle with “- ” or “1. ”, "
                    "and indent its text under it.",
                    where=_line(n),
                )
            )
    close()
    return Parsed("markdown", items, errors)


def _dedent(text: str) -> str:
    lines = text.split("\n")
    indents = [len(x) - len(x.lstrip(" ")) for x in lines if x.strip()]
    cut = min(indents, default=0)
    return "\n".join(x[cut:] for x in lines)


def _number(value, item: Imported) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()):
        item.errors.append(_("The number “%(value)s” is not a whole number.", value=text[:20]))
        return None
    return int(text)


def _parse_csv(text: str) -> Parsed:
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [_CSV_COLUMNS.get(h.strip().lower(), "") for h in next(reader)]
    if "title" not in header:
        return Parsed("csv", [], [_("%(where)s: the CSV needs a “title” column.", where=_line(1))])
    items = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        values = {name: cell for name, cell in zip(header, row, strict=False) if name}
        item = Imported(_line(reader.line_num), None, values.get("title", "").strip())
        item.number = _number(values.get("number"), item)
        item.body_md = values.get("body", "").strip()
        item.theme = values.get("theme", "").strip()
        item.key = values.get("key", "").strip()
        if len(row) > len(header):
            item.errors.append(_("The line has more cells than the header has columns."))
        items.append(item)
    return Parsed("csv", items, [])


def _parse_json(text: str) -> Parsed:
    try:
        data = json.loads(text)
    except ValueError as error:
        return Parsed("json", [], [_("The JSON cannot be read (line %(n)d).", n=error.lineno)])
    principles = data.get("principles") if isinstance(data, dict) else data
    if not isinstance(principles, list):
        return Parsed("json", [], [_("The JSON has no list of “principles”.")])
    items = []
    for n, entry in enumerate(principles, 1):
        item = Imported(_("Principle %(n)d of the JSON", n=n), None, "")
        if not isinstance(entry, dict):
            item.errors.append(_("Each principle must be an object with a title."))
            items.append(item)
            continue
        body = entry.get("body")
        body = body.get("markdown") if isinstance(body, dict) else body
        item.title = str(entry.get("title") or "").strip()
        item.number = _number(entry.get("number"), item)
        item.body_md = str(body or "").strip()
        item.theme = str(entry.get("theme") or "").strip()
        item.key = str(entry.get("key") or "").strip()
        items.append(item)
    return Parsed("json", items, [])


def _check(item: Imported) -> None:
    if not item.title and not item.errors:
        item.errors.append(_("The principle has no title."))
    elif len(item.title) > 200:
        item.errors.append(_("Keep the title under 200 characters."))
    if len(item.theme) > 100:
        item.errors.append(_("Keep the theme under 100 characters."))
    if len(item.body_md) > 20000:
        item.errors.append(_("Keep the text under 20,000 characters."))
    if item.number is not None and not 0 < item.number <= MAX_NUMBER:
        item.errors.append(_("Use a number from 1 to %(max)d.", max=MAX_NUMBER))


# Planning ----------------------------------------------------------------------------------


def _same(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _earlier_texts(version: CharterVersion) -> list[tuple[str, int, int, str, str]]:
    """(key, version number, principle number, title, body) of every published principle,
    newest version first (one query)."""
    rows = db.session.execute(
        select(Principle.key, CharterVersion.number, PrincipleText.number)
        .add_columns(PrincipleText.title, PrincipleText.body_md)
        .join(PrincipleText.principle)
        .join(PrincipleText.version)
        .where(CharterVersion.status == VersionStatus.PUBLISHED, CharterVersion.id != version.id)
        .order_by(CharterVersion.number.desc(), PrincipleText.number)
    )
    return [tuple(row) for row in rows]


def _offer_keys(version: CharterVersion, items: list[Imported]) -> None:
    # One statement, not a lazy load per principle of the draft (how many of those ran
    # depended on what the session still held: the query-scaling test saw 0 or 3).
    taken = set(
        db.session.scalars(
            select(Principle.key)
            .join(PrincipleText, PrincipleText.principle_id == Principle.id)
            .where(PrincipleText.version_id == version.id)
        )
    )
    earlier = _earlier_texts(version)
    known = {row[0] for row in earlier}
    for item in items:
        if item.key and item.key in known and item.key not in taken:
            item.keep_key, item.keep_reason = item.key, _("the reference the import names")
        else:
            wanted = _same(item.body_md) or _same(item.title)
            for key, v_number, p_number, title, body in earlier:
                if key not in taken and wanted == (_same(body) or _same(title)):
                    item.keep_key = key
                    item.keep_reason = _(
                        "same text as principle %(p)d of version %(v)d", p=p_number, v=v_number
                    )
                    break
        if item.keep_key:
            taken.add(item.keep_key)


def _number_all(version: CharterVersion, items: list[Imported]) -> None:
    """Give numberless principles the next free numbers; refuse a number used twice."""
    used = {t.number: _("principle %(n)d of this draft", n=t.number) for t in version.texts}
    following = max([*used, *(i.number or 0 for i in items)], default=0)
    for item in items:
        if item.number is None and not item.errors:
            following += 1
            item.number = following
        if item.number is None:
            continue
        if item.number in used:
            item.errors.append(
                _(
                    "Number %(n)d is already used by %(other)s.",
                    n=item.number,
                    other=used[item.number],
                )
            )
        else:
            used[item.number] = item.where


def plan_import(actor: User, version_id: int, text: str) -> tuple[CharterVersion, Parsed]:
    """What importing `text` into the draft would add, with an error per line. Changes
    nothing."""
    version = draft_for_change(actor, version_id)
    parsed = parse(text)
    _number_all(version, parsed.items)
    _offer_keys(version, parsed.items)
    return version, parsed


def import_principles(
    actor: User, version_id: int, text: str, keep: set[int]
) -> list[PrincipleText]:
    """Add every principle of `text` to the draft, or none when a line has an error. The
    principles whose index is in `keep` keep the stable reference the plan offered."""
    version, parsed = plan_import(actor, version_id, text)
    if parsed.all_errors:
        raise ValidationFailed(" ".join(parsed.all_errors), field="source")
    keys = {
        k.key: k
        for k in db.session.scalars(
            select(Principle).where(
                Principle.key.in_([i.keep_key for i in parsed.items if i.keep_key])
            )
        )
    }
    fresh = next_key_number()
    added = []
    for index, item in enumerate(parsed.items):
        principle = keys.get(item.keep_key) if index in keep else None
        if principle is None:
            principle = Principle(key=f"P{fresh}")
            fresh += 1
            db.session.add(principle)
        text_row = PrincipleText(
            principle=principle,
            number=item.number,
            title=item.title,
            body_md=item.body_md,
            theme=item.theme,
            position=len(version.texts),
        )
        version.texts.append(text_row)
        added.append(text_row)
    db.session.flush()
    renumber_positions(version)
    db.session.flush()
    return added
