"""/reports/feed.atom: accepted member reports and published annual report editions,
newest first (RFC 4287); each entry links its page and, as an enclosure, its PDF. Public data only: the latest accepted version of each accepted
report of a listed member, and published editions."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from xml.etree import ElementTree as ET  # noqa: S405  (we only write XML, never parse it)

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import languages, links
from app.core.conditional import Validators, body_etag, cache_control, finish
from app.core.languages import current_language
from app.db import db
from app.members.models import Organisation
from app.reporting.models import Report, ReportingCycle, ReportVersion
from app.transparency.models import AnnualReport, Edition
from app.transparency.opendata.lists import accepted_versions, listed

ENTRIES = 50
NS = "http://www.w3.org/2005/Atom"


@dataclass
class Entry:
    key: str
    title: str
    summary: str
    href: str  # the page
    updated: dt.datetime
    pdf: str = ""  # the same document as a PDF


def _aware(moment: dt.datetime | None) -> dt.datetime:
    moment = moment or dt.datetime(2000, 1, 1)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def entries() -> list[Entry]:
    """The newest accepted member reports and annual report editions (two statements)."""
    reports = db.session.execute(
        select(
            Organisation.name,
            Organisation.slug,
            ReportingCycle.year,
            ReportVersion.id,
            ReportVersion.number,
            ReportVersion.reviewed_at,
            ReportVersion.submitted_at,
        )
        .select_from(ReportVersion)
        .join(Report, Report.id == ReportVersion.report_id)
        .join(ReportingCycle, ReportingCycle.id == Report.cycle_id)
        .join(Organisation, Organisation.id == Report.organisation_id)
        .where(ReportVersion.id.in_(accepted_versions()), listed())
        .order_by(ReportVersion.reviewed_at.desc(), ReportVersion.id.desc())
        .limit(ENTRIES)
    ).all()
    editions = db.session.execute(
        select(
            ReportingCycle.year, Edition.id, Edition.number, Edition.published_at, Edition.language
        )
        .join(AnnualReport, AnnualReport.id == Edition.annual_report_id)
        .join(ReportingCycle, ReportingCycle.id == AnnualReport.cycle_id)
        .order_by(Edition.published_at.desc(), Edition.id.desc())
        .limit(ENTRIES)
    ).all()
    found = [
        Entry(
            key=f"report-version/{r.id}",
            title=_("%(member)s: report %(year)d", member=r.name, year=r.year),
            summary=_(
                "Version %(number)d of the %(year)d report of %(member)s, accepted by the "
                "secretariat.",
                number=r.number,
                year=r.year,
                member=r.name,
            ),
            href=links.external_url("centre.member_report", slug=r.slug, year=r.year),
            updated=_aware(r.reviewed_at or r.submitted_at),
            pdf=links.external_url("transparency.member_report_pdf", slug=r.slug, year=r.year),
        )
        for r in reports
    ] + [
        Entry(
            key=f"edition/{e.id}",
            title=_edition_title(e),
            summary=_("The alliance's annual report for %(year)d was published.", year=e.year),
            href=links.external_url(
                "transparency.edition_html", year=e.year, number=e.number, **_lang_arg(e.language)
            ),
            updated=_aware(e.published_at),
            pdf=links.external_url(
                "transparency.edition_pdf", year=e.year, number=e.number, **_lang_arg(e.language)
            ),
        )
        for e in editions
    ]
    return sorted(found, key=lambda e: (e.updated, e.key), reverse=True)[:ENTRIES]


def _lang_arg(code: str) -> dict:
    return {} if code == languages.source_language() else {"lang": code}


def _edition_title(e) -> str:
    """The source language's editions as before; another language's names its language."""
    if e.language == languages.source_language():
        return _("Annual report %(year)d, edition %(number)d", year=e.year, number=e.number)
    return _(
        "Annual report %(year)d in %(language)s, edition %(number)d",
        year=e.year,
        number=e.number,
        language=languages.language_name(e.language),
    )


# The feed's language: its own texts' (titles, summaries); names are as members wrote them.
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def atom_response():
    found = entries()
    server = current_app.config["SERVER_URL"].rstrip("/")
    alliance = current_app.config["ALLIANCE_NAME"]
    ET.register_namespace("", NS)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{NS}}}feed", {XML_LANG: current_language()})
    sub(feed, "title", _("%(alliance)s: reports", alliance=alliance))
    sub(feed, "subtitle", _("Accepted member reports and published annual reports."))
    sub(feed, "id", uuid.uuid5(uuid.NAMESPACE_URL, server + "/reports/feed").urn)
    sub(feed, "updated", _stamp(found[0].updated if found else _aware(None)))
    sub(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=links.external_url("opendata.reports_feed"),
    )
    sub(
        feed,
        "link",
        rel="alternate",
        type="text/html",
        href=links.external_url("transparency.archive"),
    )
    author = sub(feed, "author")
    sub(author, "name", alliance)
    sub(feed, "generator", "Pactum")
    for item in found:
        entry = sub(feed, "entry")
        sub(entry, "id", uuid.uuid5(uuid.NAMESPACE_URL, f"{server}/{item.key}").urn)
        sub(entry, "title", item.title)
        sub(entry, "link", rel="alternate", type="text/html", href=item.href)
        sub(entry, "link", rel="enclosure", type="application/pdf", href=item.pdf)
        sub(entry, "updated", _stamp(item.updated))
        sub(entry, "summary", item.summary)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    response = current_app.response_class(body, mimetype="application/atom+xml")
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return finish(response, Validators.of(body_etag(body)), cache_control(max_age=300))
