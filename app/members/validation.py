"""What people type about an organisation, checked and cleaned: names (unique, compared
case- and space-insensitively), countries, websites, and the whole profile at once
(`validate_data`), so a form shows every problem in one answer."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

import pycountry
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.templating import local_country_name
from app.db import db
from app.errors import Conflict, ValidationFailed
from app.members.models import Category, Organisation, Sector, SizeBand
from app.members.slugs import change_slug, unique_slug

NAME_MAX = 200
URL_MAX = 500
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@dataclass
class OrganisationData:
    name: str
    country: str
    category: str
    legal_name: str = ""
    sector_id: int | None = None
    size_band: str = ""
    website: str = ""
    description_md: str = ""


def clean_text(text: str | None) -> str:
    """Text as typed, without control characters (NUL and friends; PostgreSQL refuses NUL)
    but with line breaks and tabs, stripped."""
    text = text or ""
    if not text.isprintable():
        text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    return text.strip()


def name_key(name: str) -> str:
    """Names are unique compared case- and space-insensitively."""
    return " ".join((name or "").casefold().split())


def country_choices() -> list[tuple[str, str]]:
    """(ISO 3166 alpha-2 code, name) for every country, sorted by name."""
    return sorted(
        ((c.alpha_2, local_country_name(c.alpha_2)) for c in pycountry.countries),
        key=lambda pair: unicodedata.normalize("NFKD", pair[1]).lower(),
    )


def validate_country(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 2 or not code.isascii() or pycountry.countries.get(alpha_2=code) is None:
        raise ValidationFailed(_("Choose a country from the list."), field="country")
    return code


def _valid_host(host: str) -> bool:
    """A real host name: at least two labels, each a DNS label (or punycode), and a top
    level that is not a number (no bare IP addresses)."""
    labels = host.split(".")
    return (
        len(labels) >= 2
        and all(labels)
        and all(_HOST_LABEL.fullmatch(lbl) or lbl.startswith("xn--") for lbl in labels)
        and not labels[-1].isdigit()
    )


def _acceptable_website(parts: SplitResult, port: int | None) -> bool:
    return (
        parts.scheme.lower() in ("http", "https")
        and _valid_host((parts.hostname or "").rstrip("."))
        and not parts.username
        and not parts.password
        and (port is None or 0 < port < 65536)
    )


def normalise_website(value: str) -> str:
    """An http(s) address with a real host name; "example.org" gets "https://" added.
    Empty stays empty. Raises ValidationFailed otherwise."""
    url = (value or "").strip()
    if not url:
        return ""
    message = _("Enter the full address of a website, such as https://www.example.org.")
    if len(url) > URL_MAX or any(ch.isspace() for ch in url) or any(ord(ch) < 32 for ch in url):
        raise ValidationFailed(message, field="website")
    if "://" not in url and not url.lower().startswith(("javascript:", "data:", "mailto:")):
        url = "https://" + url
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a malformed port
    except ValueError as exc:
        raise ValidationFailed(message, field="website") from exc
    if not _acceptable_website(parts, port):
        raise ValidationFailed(message, field="website")
    return url


class _Errors(dict):
    """Messages by field name."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def _check_name(org: Organisation, name: str, key: str, errors: _Errors) -> bool:
    """Checks the name; True when it is taken by another organisation."""
    if not name:
        errors.add("name", _("Please fill in the organisation's name."))
        return False
    if len(name) > NAME_MAX:
        errors.add("name", _("Use at most %(n)d characters.", n=NAME_MAX))
        return False
    clash = db.session.scalar(
        select(Organisation.id).where(
            Organisation.name_key == key, Organisation.id != (org.id or 0)
        )
    )
    if clash is None:
        return False
    errors.add(
        "name",
        _(
            "An organisation with this name is already a member or has "
            "applied. If it is yours, please contact the secretariat."
        ),
    )
    return True


def _checked(check, value: str, field: str, errors: _Errors) -> str:
    """`check(value)`, or "" with its message noted under `field`."""
    try:
        return check(value)
    except ValidationFailed as error:
        errors.add(field, error.message)
        return ""


def validate_data(org: Organisation, data: OrganisationData) -> tuple[dict, dict, bool]:
    """Check organisation data. Returns (clean values, errors by field, name taken)."""
    errors = _Errors()
    name = " ".join(clean_text(data.name).split())
    key = name_key(name)
    duplicate = _check_name(org, name, key, errors)
    country = _checked(validate_country, data.country, "country", errors)
    if data.category not in {c.value for c in Category}:
        errors.add("category", _("Choose a category from the list."))
    if data.size_band and data.size_band not in {s.value for s in SizeBand}:
        errors.add("size_band", _("Choose a size from the list."))
    if data.sector_id is not None and db.session.get(Sector, data.sector_id) is None:
        errors.add("sector_id", _("Choose a sector from the list."))
    website = _checked(normalise_website, data.website, "website", errors)
    legal_name = " ".join(clean_text(data.legal_name).split())
    if len(legal_name) > 300:
        errors.add("legal_name", _("Use at most %(n)d characters.", n=300))
    description = clean_text(data.description_md)
    if len(description) > 5000:
        errors.add("description_md", _("Use at most %(n)d characters.", n=5000))
    values = {
        "name": name,
        "name_key": key,
        "legal_name": legal_name,
        "country": country,
        "category": data.category,
        "size_band": data.size_band or "",
        "sector_id": data.sector_id,
        "website": website,
        "description_md": description,
    }
    return values, dict(errors), duplicate


def raise_invalid(errors: dict[str, list[str]], duplicate: bool) -> None:
    """A duplicate name alone is a conflict (409); anything else is invalid input (422)."""
    first = next(iter(errors.values()))[0]
    if duplicate and list(errors) == ["name"]:
        raise Conflict(first, errors=errors)
    raise ValidationFailed(first, errors=errors)


def apply_data(org: Organisation, data: OrganisationData) -> None:
    """Validate everything first, then change the organisation: all or nothing."""
    values, errors, duplicate = validate_data(org, data)
    if errors:
        raise_invalid(errors, duplicate)
    if org.name != values["name"] or not org.slug:
        change_slug(org, unique_slug(values["name"], exclude_id=org.id))
    for key, value in values.items():
        setattr(org, key, value)
