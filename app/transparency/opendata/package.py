"""The open data of one reporting year as a Frictionless Data Package in a zip: CSVs of the
members, their accepted reports, the year's public questions, the public answers of the
accepted versions, and the public pledges, with `datapackage.json` describing each field
(type, constraints), the primary and foreign keys, the licence and the sources.

Built once per change: `build_zip` writes the zip to a file, row by row (the rows are read in
batches of `BATCH`, so memory stays flat however many members there are); the view keeps
one file per year and topic generation and streams it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import and_, select

from app import clock
from app.charter.models import Principle, PrincipleText
from app.core.languages import languages, source_language
from app.db import db
from app.errors import NotFound
from app.members.models import Organisation, Pledge, Sector
from app.members.models import pledge_principles as pledge_principles_table
from app.reporting import titles
from app.reporting.models import (
    Question,
    Report,
    ReportingCycle,
    ReportVersion,
    Section,
    SubmittedAnswer,
)
from app.transparency.opendata.lists import accepted_versions, listed

BATCH = 1000
FORMULA_STARTS = ("=", "+", "-", "@")
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


def _f(name: str, type_: str, description: str, **constraints) -> dict:
    field = {"name": name, "type": type_, "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    fields: tuple[dict, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict, ...] = ()

    def resource(self) -> dict:
        schema = {"fields": list(self.fields), "primaryKey": list(self.primary_key)}
        if self.foreign_keys:
            schema["foreignKeys"] = list(self.foreign_keys)
        return {
            "name": self.name,
            "path": f"{self.name}.csv",
            "title": self.title,
            "description": self.description,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }


def _member_fk(field: str = "member") -> dict:
    return {"fields": [field], "reference": {"resource": "members", "fields": ["slug"]}}


TABLES = (
    Table(
        "members",
        "Members",
        "Every listed member: its slug identifies it in the other tables.",
        (
            _f("slug", "string", "Identifies the member in URLs.", required=True, unique=True),
            _f("name", "string", "The member's name.", required=True),
            _f("country", "string", "ISO 3166-1 alpha-2 code.", required=True, pattern="[A-Z]{2}"),
            _f("category", "string", "The kind of organisation.", required=True),
            _f("sector", "string", "The sector's name, if any."),
            _f("status", "string", "The member's status when the file was built.", required=True),
            _f("joined_on", "date", "The day it became a member."),
        ),
        ("slug",),
    ),
    Table(
        "reports",
        "Accepted reports",
        "The year's member reports the secretariat accepted (the accepted version).",
        (
            _f("member", "string", "The member's slug.", required=True),
            _f("year", "integer", "The reporting year.", required=True),
            _f("version", "integer", "The accepted version's number.", required=True, minimum=1),
            _f("submitted_at", "datetime", "When that version was submitted.", required=True),
            _f("accepted_at", "datetime", "When it was accepted."),
            _f("is_late", "boolean", "Submitted after the due date.", required=True),
        ),
        ("member", "year"),
        (_member_fk(),),
    ),
    Table(
        "questions",
        "Public questions",
        "The year's questions marked public; the lineage links a question across years.",
        (
            _f("question_id", "integer", "Identifies the question.", required=True, unique=True),
            _f("lineage", "string", "The same question in every year.", required=True),
            _f("year", "integer", "The reporting year.", required=True),
            _f("section", "string", "The section it is asked in.", required=True),
            _f("principle", "integer", "The number of the principle of that section, if any."),
            _f("text", "string", "The question as asked.", required=True),
            _f("type", "string", "The kind of answer.", required=True),
            _f("unit", "string", "The unit of a number."),
            _f("choices", "string", "The choices offered, separated by ' | '."),
        ),
        ("question_id",),
    ),
    Table(
        "answers",
        "Public answers",
        "Each accepted report's answers to the public questions. Yes/no as true/false, "
        "numbers as numbers, several choices separated by ' | ', empty when unanswered.",
        (
            _f("member", "string", "The member's slug.", required=True),
            _f("year", "integer", "The reporting year.", required=True),
            _f("question_id", "integer", "The question answered.", required=True),
            _f("value", "string", "The answer."),
            _f(
                "lang",
                "string",
                "The language the member wrote the answer in, when known (a code such as fr).",
            ),
        ),
        ("member", "question_id"),
        (
            _member_fk(),
            {
                "fields": ["question_id"],
                "reference": {"resource": "questions", "fields": ["question_id"]},
            },
            {
                "fields": ["member", "year"],
                "reference": {"resource": "reports", "fields": ["member", "year"]},
            },
        ),
    ),
    Table(
        "pledges",
        "Public pledges",
        "The members' public pledges and where they stand.",
        (
            _f("pledge_id", "integer", "Identifies the pledge.", required=True, unique=True),
            _f("member", "string", "The member's slug.", required=True),
            _f("title", "string", "The pledge.", required=True),
            _f("status", "string", "Where it stands.", required=True),
            _f("target_date", "date", "When it should be met."),
            _f("principles", "string", "The keys of the principles it serves, space-separated."),
        ),
        ("pledge_id",),
        (_member_fk(),),
    ),
)


def datapackage(year: int, site_url: str, created: dt.datetime) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": f"pactum-open-data-{year}",
        "title": f"Pactum open data {year}",
        "description": "What the members reported in public for the year, as accepted by the "
        "secretariat: members, reports, public questions, public answers and pledges.",
        "version": created.strftime("%Y%m%d%H%M%S"),
        # The language of the alliance's texts in the data (sections, questions); each answer
        # says its own (answers.csv `lang`); members' names and pledges are as they wrote them.
        "language": source_language(),
        "languages": list(languages()),
        "created": created.replace(microsecond=0).isoformat(),
        "homepage": f"{site_url}/open-data",
        "licenses": [LICENCE],
        "sources": [
            {"title": "Pactum transparency centre", "path": f"{site_url}/reports"},
            {"title": "Pactum open data API", "path": f"{site_url}/api/v1/openapi.json"},
        ],
        "resources": [table.resource() for table in TABLES],
    }


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " | ".join(str(v) for v in value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="seconds")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text[:1] in FORMULA_STARTS and not isinstance(value, int | float) and not _number(text):
        return "'" + text  # a spreadsheet would run it as a formula (as members.csv does)
    return text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _batches(statement) -> Iterator:
    yield from db.session.execute(statement.execution_options(yield_per=BATCH))


def _members() -> Iterator[tuple]:
    return _batches(
        select(
            Organisation.slug,
            Organisation.name,
            Organisation.country,
            Organisation.category,
            Sector.name,
            Organisation.status,
            Organisation.joined_on,
        )
        .outerjoin(Sector, Sector.id == Organisation.sector_id)
        .where(listed())
        .order_by(Organisation.slug)
    )


def _accepted(cycle_id: int):
    return and_(
        ReportVersion.id.in_(accepted_versions()),
        Report.cycle_id == cycle_id,
        listed(),
    )


def _reports(cycle: ReportingCycle) -> Iterator[tuple]:
    return _batches(
        select(
            Organisation.slug,
            ReportingCycle.year,
            ReportVersion.number,
            ReportVersion.submitted_at,
            ReportVersion.reviewed_at,
            Report.is_late,
        )
        .select_from(ReportVersion)
        .join(Report, Report.id == ReportVersion.report_id)
        .join(ReportingCycle, ReportingCycle.id == Report.cycle_id)
        .join(Organisation, Organisation.id == Report.organisation_id)
        .where(_accepted(cycle.id))
        .order_by(Organisation.slug)
    )


def _questions(cycle: ReportingCycle) -> Iterator[tuple]:
    rows = _batches(
        select(
            Question.id,
            Question.lineage,
            Section.title,
            PrincipleText.number,
            PrincipleText.title.label("principle_title"),
            Question.text,
            Question.type,
            Question.unit,
            Question.choices,
        )
        .join(Section, Section.id == Question.section_id)
        .outerjoin(
            PrincipleText,
            and_(
                PrincipleText.version_id == cycle.charter_version_id,
                PrincipleText.principle_id == Section.principle_id,
            ),
        )
        .where(Section.cycle_id == cycle.id, Question.is_public.is_(True))
        .order_by(Section.position, Question.position, Question.id)
    )
    for qid, lineage, section, principle, principle_title, text, type_, unit, choices in rows:
        # A principle's section is titled when shown: the open data, in the source language.
        section = titles.section_title(
            section, principle, principle_title, locale=source_language()
        )
        yield qid, lineage, cycle.year, section, principle, text, type_, unit, choices or []


def _answers(cycle: ReportingCycle) -> Iterator[tuple]:
    rows = _batches(
        select(
            Organisation.slug,
            SubmittedAnswer.question_id,
            Question.type,
            SubmittedAnswer.value,
            SubmittedAnswer.language,
        )
        .select_from(SubmittedAnswer)
        .join(Question, Question.id == SubmittedAnswer.question_id)
        .join(ReportVersion, ReportVersion.id == SubmittedAnswer.version_id)
        .join(Report, Report.id == ReportVersion.report_id)
        .join(Organisation, Organisation.id == Report.organisation_id)
        .where(_accepted(cycle.id), Question.is_public.is_(True))
        .order_by(Organisation.slug, SubmittedAnswer.question_id)
    )
    for slug, question_id, type_, value, language in rows:
        # evidence: files are never published
        value = None if type_ == "evidence" else value
        yield slug, cycle.year, question_id, value, language if value is not None else None


def _pledges() -> Iterator[tuple]:
    keys: dict[int, list[str]] = {}
    for pledge_id, key in db.session.execute(
        select(pledge_principles_table.c.pledge_id, Principle.key)
        .join(Principle, Principle.id == pledge_principles_table.c.principle_id)
        .join(Pledge, Pledge.id == pledge_principles_table.c.pledge_id)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(Pledge.is_public.is_(True), listed())
        .order_by(Principle.key)
    ):
        keys.setdefault(pledge_id, []).append(key)
    rows = _batches(
        select(Pledge.id, Organisation.slug, Pledge.title, Pledge.status, Pledge.target_date)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(Pledge.is_public.is_(True), listed())
        .order_by(Pledge.id)
    )
    for pledge_id, slug, title, status, target in rows:
        yield pledge_id, slug, title, status, target, " ".join(keys.get(pledge_id, []))


def _write_csv(archive: zipfile.ZipFile, table: Table, rows: Iterable[tuple]) -> None:
    with archive.open(f"{table.name}.csv", "w", force_zip64=True) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow([field["name"] for field in table.fields])
        for row in rows:
            writer.writerow([_cell(value) for value in row])
        text.flush()
        text.detach()


def published_years() -> list[int]:
    """The years with at least one accepted report, newest first: the packages worth a
    download link (any year with a cycle has one)."""
    return list(
        db.session.scalars(
            select(ReportingCycle.year)
            .where(
                select(Report.id)
                .where(Report.cycle_id == ReportingCycle.id, Report.state == "accepted")
                .exists()
            )
            .order_by(ReportingCycle.year.desc())
        )
    )


def cycle_for(year: int) -> ReportingCycle:
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year))
    if cycle is None:
        raise NotFound(_("There is no reporting cycle for %(year)d.", year=year))
    return cycle


def build_zip(cycle: ReportingCycle, target: Path, site_url: str) -> Path:
    """Write the year's data package to `target` (atomically: a reader never sees half)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            package = datapackage(cycle.year, site_url, clock.now())
            archive.writestr("datapackage.json", json.dumps(package, indent=2, ensure_ascii=False))
            sources = (
                _members(),
                _reports(cycle),
                _questions(cycle),
                _answers(cycle),
                _pledges(),
            )
            for table, rows in zip(TABLES, sources, strict=True):
                _write_csv(archive, table, rows)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target
