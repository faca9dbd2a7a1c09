"""The open-data API's resources (reports, answers, pledges, principles), each described
once as in `app.members.schemas`: the pydantic model checks and dumps the JSON an endpoint
answers, and gives the JSON Schema the OpenAPI document publishes (registered into
`app.members.openapi` by `opendata.api`).

Nothing here needs a request: the view builds the URL prefixes (`Urls`) and hands them in.
Never in these resources: evidence files, reviewers' notes, representatives' names or
addresses, drafts, versions that were not accepted, questions not marked public.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Literal

from flask import current_app
from pydantic import Field, WithJsonSchema

from app.core.languages import current_language, source_language
from app.members.schemas import (
    ANSWER_LANGUAGE,
    CategoryCode,
    DateTime,
    Language,
    Meta,
    PageLinks,
    PledgeState,
    Resource,
    Uri,
)
from app.reporting import titles
from app.transparency.opendata.lists import LoadedReport, Page

ANSWER_TYPES = (
    "yes_no",
    "single_choice",
    "multiple_choice",
    "number",
    "short_text",
    "long_text",
    "url",
    "date",
    "evidence",
)
AnswerType = Literal[ANSWER_TYPES]
Value = Annotated[
    bool | int | float | str | list[str] | None,
    WithJsonSchema(
        {
            "description": "yes_no: boolean; number: number; multiple_choice: array of "
            "strings; other types: string; unanswered (and evidence): null.",
            "type": ["boolean", "integer", "number", "string", "array", "null"],
            "items": {"type": "string"},
        }
    ),
]


@dataclass(frozen=True)
class Urls:
    """Absolute URL prefixes, built by the view once per answer."""

    site: str  # the site's root, without the trailing slash
    api: str  # the API's root (…/api/v1)

    def profile(self, slug: str) -> str:
        return f"{self.site}/members/{slug}"

    def report_pdf(self, slug: str, year: int) -> str:
        return f"{self.site}/members/{slug}/reports/{year}.pdf"

    def report(self, slug: str, year: int) -> str:
        return f"{self.api}/reports/{slug}/{year}"


class MemberRef(Resource):
    slug: str
    name: str
    country: str = Field(pattern="^[A-Z]{2}$")
    category: CategoryCode
    sector: str | None = Field(description="The sector's slug.")
    profile_url: Uri

    @staticmethod
    def values(row, urls: Urls) -> dict:
        return {
            "slug": row.member_slug,
            "name": row.member_name,
            "country": row.country,
            "category": row.category,
            "sector": row.sector_slug,
            "profile_url": urls.profile(row.member_slug),
        }


def _page(page: Page, per_page: int, filters: dict, page_url: Callable[[int], str]) -> dict:
    return {
        "meta": {
            "page": page.page,
            "per_page": per_page,
            "total": page.total,
            "pages": page.pages,
            "filters": filters,
            "lang": current_language(),
        },
        "links": {
            "self": page_url(page.page),
            "first": page_url(1),
            "last": page_url(page.pages),
            "prev": page_url(page.page - 1) if page.page > 1 else None,
            "next": page_url(page.page + 1) if page.page < page.pages else None,
        },
    }


def _iso(value: dt.date | None) -> str | None:
    """A date or time as `dump` writes it (`DateTime`: `isoformat()`; a date: pydantic's
    ISO 8601, the same)."""
    return None if value is None else value.isoformat()


def _dumped(model, data: list, values: Callable[[], dict], page: Page, *args) -> dict:
    """A list's JSON written directly: checking and dumping a page of 100 items through the
    model cost 1.1 ms of a 2.5 ms budget (docs/performance.md, "The open-data lists"). The
    rows come from typed columns, so only the dates need converting. Under test (`TESTING`)
    every answer is also checked and dumped by the model (`values()` through `dump`), and
    must be the same."""
    body = {"data": data, **_page(page, *args)}
    if current_app.testing and model.dump(values()) != body:
        raise AssertionError(f"{model.__name__}: the JSON differs from the model's dump")
    return body


# Reports ------------------------------------------------------------------------------------


class ReportSummary(Resource):
    member: MemberRef
    year: int
    version: int = Field(ge=1, description="The number of the accepted version.")
    submitted_at: DateTime
    accepted_at: DateTime | None
    is_late: bool
    pdf_url: Uri
    api_url: Uri

    @staticmethod
    def values(row, urls: Urls) -> dict:
        return {
            "member": MemberRef.values(row, urls),
            "year": row.year,
            "version": row.version,
            "submitted_at": row.submitted_at,
            "accepted_at": row.accepted_at,
            "is_late": row.is_late,
            "pdf_url": urls.report_pdf(row.member_slug, row.year),
            "api_url": urls.report(row.member_slug, row.year),
        }


class ReportList(Resource):
    data: list[ReportSummary]
    meta: Meta
    links: PageLinks

    @staticmethod
    def values(page: Page, per_page: int, filters: dict, urls: Urls, page_url) -> dict:
        return {
            "data": [ReportSummary.values(row, urls) for row in page.rows],
            **_page(page, per_page, filters, page_url),
        }

    @staticmethod
    def dumped(page: Page, per_page: int, filters: dict, urls: Urls, page_url) -> dict:
        """`dump(values(…))`, written directly (see `_dumped`); the rows' columns in the
        order `lists.list_reports` reads them, the URLs as `Urls` writes them."""
        site, api = urls.site, urls.api
        data = [
            {
                "member": _member_json(slug, name, country, category, sector, site),
                "year": year,
                "version": version,
                "submitted_at": _iso(submitted),
                "accepted_at": _iso(accepted),
                "is_late": late,
                "pdf_url": f"{site}/members/{slug}/reports/{year}.pdf",
                "api_url": f"{api}/reports/{slug}/{year}",
            }
            for slug, name, country, category, sector, year, version, submitted, accepted, late in (
                page.rows
            )
        ]
        values = partial(ReportList.values, page, per_page, filters, urls, page_url)
        return _dumped(ReportList, data, values, page, per_page, filters, page_url)


QUESTION_LANGUAGE = "The language of the question's text (the alliance's source language)."
WRITTEN_LANGUAGE = (
    "The language the member wrote the answer in, when known (null for answers saved before "
    "Pactum kept it, and for unanswered questions)."
)


class ReportAnswer(Resource):
    question: str
    question_lang: Language = Field(description=QUESTION_LANGUAGE)
    lineage: str
    type: AnswerType
    unit: str
    value: Value
    display: str
    lang: Language | None = Field(description=WRITTEN_LANGUAGE)


class ReportSection(Resource):
    title: str
    lang: Language = Field(
        description="The language of the title: the answer's for the titles Pactum makes up "
        "(“Principle 1: …”), else the alliance's source language."
    )
    principle: int | None = Field(description="The principle's number, if the section has one.")
    answers: list[ReportAnswer]


class ReportPledge(Resource):
    title: str
    status: PledgeState
    principles: list[str]


class ReportDetail(ReportSummary):
    sections: list[ReportSection] = Field(description="The answers to public questions.")
    pledges: list[ReportPledge] = Field(description="The public pledges, as reported.")
    lang: Language = Field(description=ANSWER_LANGUAGE)

    @staticmethod
    def values(detail: LoadedReport, urls: Urls) -> dict:  # type: ignore[override]
        snapshot = detail.snapshot
        sections = [_section(s) for s in snapshot.get("sections") or []]
        return {
            **ReportSummary.values(detail.row, urls),
            "lang": current_language(),
            "sections": [s for s in sections if s["answers"]],
            "pledges": [
                {
                    "title": str(p.get("title") or ""),
                    "status": p.get("status"),
                    "principles": [str(k) for k in p.get("principles") or []],
                }
                for p in snapshot.get("pledges") or []
                if p.get("is_public")
            ],
        }


def _answer(q: dict) -> dict:
    evidence = q.get("type") == "evidence"  # files are never published
    value = None if evidence else q.get("value")
    return {
        "question": str(q.get("text") or ""),
        "question_lang": source_language(),
        "lineage": str(q.get("lineage") or ""),
        "type": q.get("type"),
        "unit": q.get("unit") or "",
        "value": value,
        "display": "" if evidence else str(q.get("display") or ""),
        "lang": _written(q.get("lang"), value),
    }


def _written(language, value) -> str | None:
    if value is None or not isinstance(language, str) or not language:
        return None
    return language


def _section(section: dict) -> dict:
    """A snapshot's section with its answers to public questions that were shown."""
    principle = section.get("principle") or {}
    title = str(section.get("title") or "")
    generated = titles.is_generated_text(title)
    return {
        "title": titles.shown_section_text(title) if generated else title,
        "lang": current_language() if generated else source_language(),
        "principle": principle.get("number"),
        "answers": [
            _answer(q)
            for q in section.get("questions") or []
            if q.get("is_public") and q.get("shown") is not False
        ],
    }


# Answers ------------------------------------------------------------------------------------


class AnswerRecord(Resource):
    member: MemberRef
    year: int
    principle: int | None
    lineage: str
    question: str
    question_lang: Language = Field(description=QUESTION_LANGUAGE)
    type: AnswerType
    unit: str
    value: Value
    lang: Language | None = Field(description=WRITTEN_LANGUAGE)
    report_url: Uri

    @staticmethod
    def values(row, urls: Urls) -> dict:
        return {
            "member": MemberRef.values(row, urls),
            "year": row.year,
            "principle": row.principle,
            "lineage": row.lineage,
            "question": row.question,
            "question_lang": source_language(),
            "type": row.type,
            "unit": row.unit or "",
            "value": None if row.type == "evidence" else row.value,
            "lang": _written(row.language, None if row.type == "evidence" else row.value),
            "report_url": urls.report(row.member_slug, row.year),
        }


class AnswerList(Resource):
    data: list[AnswerRecord]
    meta: Meta
    links: PageLinks

    @staticmethod
    def values(page: Page, per_page: int, filters: dict, urls: Urls, page_url) -> dict:
        return {
            "data": [AnswerRecord.values(row, urls) for row in page.rows],
            **_page(page, per_page, filters, page_url),
        }

    @staticmethod
    def dumped(page: Page, per_page: int, filters: dict, urls: Urls, page_url) -> dict:
        """`dump(values(…))`, written directly (see `_dumped`); the rows' columns in the
        order `list_statements.answers` reads them."""
        site, api, question_lang = urls.site, urls.api, source_language()
        data = [_answer_json(row, site, api, question_lang) for row in page.rows]
        values = partial(AnswerList.values, page, per_page, filters, urls, page_url)
        return _dumped(AnswerList, data, values, page, per_page, filters, page_url)


def _answer_json(row, site: str, api: str, question_lang: str) -> dict:
    slug, name, country, category, sector, year, principle, lineage, question = row[:9]
    kind, unit, value, language = row[9:]
    if kind == "evidence":
        value = None
    return {
        "member": _member_json(slug, name, country, category, sector, site),
        "year": year,
        "principle": principle,
        "lineage": lineage,
        "question": question,
        "question_lang": question_lang,
        "type": kind,
        "unit": unit or "",
        "value": value,
        "lang": _written(language, value),
        "report_url": f"{api}/reports/{slug}/{year}",
    }


# Pledges ------------------------------------------------------------------------------------


class PledgeRecord(Resource):
    member: MemberRef
    title: str
    description_md: str
    indicator: str
    status: PledgeState
    status_since: DateTime
    target_date: dt.date | None
    principles: list[str] = Field(description="The keys of the principles it serves.")

    @staticmethod
    def values(row, keys: list[str], urls: Urls) -> dict:
        return {
            "member": MemberRef.values(row, urls),
            "title": row.title,
            "description_md": row.description_md or "",
            "indicator": row.indicator or "",
            "status": row.status,
            "status_since": row.status_since,
            "target_date": row.target_date,
            "principles": keys,
        }


class PledgeList(Resource):
    data: list[PledgeRecord]
    meta: Meta
    links: PageLinks

    @staticmethod
    def values(page: Page, keys: dict, per_page: int, filters: dict, urls: Urls, page_url):
        return {
            "data": [PledgeRecord.values(row, keys.get(row.id, []), urls) for row in page.rows],
            **_page(page, per_page, filters, page_url),
        }

    @staticmethod
    def dumped(page: Page, keys: dict, per_page: int, filters: dict, urls: Urls, page_url):
        """`dump(values(…))`, written directly (see `_dumped`); the rows' columns in the
        order `lists.list_pledges` reads them."""
        data = [_pledge_json(row, urls.site, keys) for row in page.rows]
        values = partial(PledgeList.values, page, keys, per_page, filters, urls, page_url)
        return _dumped(PledgeList, data, values, page, per_page, filters, page_url)


def _member_json(slug, name, country, category, sector, site: str) -> dict:
    """A list item's `member`, as `MemberRef` dumps it."""
    return {
        "slug": slug,
        "name": name,
        "country": country,
        "category": category,
        "sector": sector,
        "profile_url": f"{site}/members/{slug}",
    }


def _pledge_json(row, site: str, keys: dict) -> dict:
    slug, name, country, category, sector, pledge_id, title, description, indicator = row[:9]
    status, since, target = row[9:]
    return {
        "member": _member_json(slug, name, country, category, sector, site),
        "title": title,
        "description_md": description or "",
        "indicator": indicator or "",
        "status": status,
        "status_since": _iso(since),
        "target_date": _iso(target),
        "principles": keys.get(pledge_id, []),
    }


# Principles ---------------------------------------------------------------------------------


class PrincipleRecord(Resource):
    key: str
    number: int = Field(ge=1)
    title: str
    text_md: str
    theme: str
    charter_version: int = Field(ge=1)
    lang: Language = Field(description="The language of the title and text.")


class PrincipleList(Resource):
    data: list[PrincipleRecord]
    meta: Meta
    links: PageLinks

    @staticmethod
    def values(page: Page, per_page: int, filters: dict, page_url) -> dict:
        return {
            "data": [
                {
                    "key": row.key,
                    "number": row.number,
                    "title": row.title,
                    "text_md": row.body_md or "",
                    "theme": row.theme or "",
                    "charter_version": row.charter_version,
                    "lang": source_language(),
                }
                for row in page.rows
            ],
            **_page(page, per_page, filters, page_url),
        }


COMPONENTS = (
    MemberRef,
    ReportSummary,
    ReportList,
    ReportDetail,
    AnswerRecord,
    AnswerList,
    PledgeRecord,
    PledgeList,
    PrincipleRecord,
    PrincipleList,
)
