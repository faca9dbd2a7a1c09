"""Open data files: the directory as CSV (streamed) and the Atom feed of new signatories."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from xml.etree import ElementTree as ET  # noqa: S405  (we only write XML, never parse it)

from flask import current_app
from flask_babel import gettext as _

from app.core import formats, links
from app.core.conditional import Validators, body_etag, cache_control, finish
from app.core.labels import label
from app.core.languages import current_language
from app.core.templating import country_name
from app.errors import DomainError
from app.markdown import to_plain
from app.members import services
from app.members.directory import load_sectors, parse_filters, rows_after

CSV_COLUMNS = [
    "name",
    "slug",
    "profile_url",
    "legal_name",
    "country",
    "country_name",
    "sector",
    "category",
    "size_band",
    "website",
    "status",
    "status_since",
    "joined_on",
    "endorsed_charter_version",
]
BATCH_SIZE = 1000
# Spreadsheets run cells that start with these as formulas.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _csv_record(row, profile_base: str) -> list[str]:
    return [
        neutralise(v)
        for v in (
            row.name,
            row.slug,
            profile_base + row.slug,
            row.legal_name,
            row.country,
            country_name(row.country),
            row.sector_name or "",
            row.category,
            row.size_band,
            row.website,
            row.status,
            row.status_since.isoformat() if row.status_since else "",
            row.joined_on.isoformat() if row.joined_on else "",
            row.endorsed_version or "",
        )
    ]


def csv_response(args):
    """Every member matching the filters, streamed in batches: memory stays flat however
    many members there are. The rows are read in an app context of the generator's own,
    so the response can be streamed after the view has returned."""
    sectors = load_sectors()
    filters, errors = parse_filters(args, sectors)
    if errors:
        raise DomainError(" ".join(errors.values()))
    app = current_app._get_current_object()
    profile_base = links.external_url("members.profile", slug="-")[:-1]

    def generate():
        # Contexts are pushed and popped between yields, never across one: the server may
        # stop iterating (client gone) at any yield.
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        last = None
        while True:
            with app.app_context():
                batch = rows_after(filters, sectors, last, BATCH_SIZE)
                for row in batch:
                    writer.writerow(_csv_record(row, profile_base))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(batch) < BATCH_SIZE:
                return
            last = batch[-1]

    response = current_app.response_class(generate(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="members.csv"'
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


def _entry_id(organisation_id: int) -> str:
    server = current_app.config["SERVER_URL"].rstrip("/")
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{server}/organisations/{organisation_id}").urn


def _stamp(day: dt.date | None) -> str:
    moment = dt.datetime.combine(day or dt.date(2000, 1, 1), dt.time(0), dt.UTC)
    return moment.isoformat().replace("+00:00", "Z")


# The feed's language: its own texts' (titles, summaries); names are as members wrote them.
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def atom_response():
    """The latest members to join, newest first (RFC 4287)."""
    organisations = services.new_signatories(50)
    alliance = current_app.config["ALLIANCE_NAME"]
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ns}}}feed", {XML_LANG: current_language()})
    sub(feed, "title", _("%(alliance)s: new signatories", alliance=alliance))
    sub(feed, "subtitle", _("Organisations that have joined the alliance, newest first."))
    sub(
        feed,
        "id",
        uuid.uuid5(uuid.NAMESPACE_URL, current_app.config["SERVER_URL"] + "/members/feed").urn,
    )
    sub(feed, "updated", _stamp(organisations[0].joined_on if organisations else None))
    sub(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=links.external_url("members.feed"),
    )
    sub(
        feed,
        "link",
        rel="alternate",
        type="text/html",
        href=links.external_url("members.directory", sort="newest"),
    )
    author = sub(feed, "author")
    sub(author, "name", alliance)
    sub(feed, "generator", "Pactum")
    for org in organisations:
        entry = sub(feed, "entry")
        sub(entry, "id", _entry_id(org.id))
        sub(entry, "title", org.name)
        sub(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=links.external_url("members.profile", slug=org.slug),
        )
        sub(entry, "published", _stamp(org.joined_on))
        sub(entry, "updated", _stamp(org.joined_on))
        details = [country_name(org.country), label("category", org.category)]
        if org.sector is not None:
            details.append(org.sector.name)
        summary = _(
            "%(org)s (%(details)s) joined the alliance on %(date)s.",
            org=org.name,
            details=", ".join(details),
            date=formats.shown_date(org.joined_on),
        )
        description = to_plain(org.description_md, limit=300)
        sub(entry, "summary", f"{summary} {description}".strip())
        sub(entry, "category", term=org.category, label=label("category", org.category))
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    response = current_app.response_class(body, mimetype="application/atom+xml")
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return finish(response, Validators.of(body_etag(body)), cache_control(max_age=300))
