"""The open data API's resources, each described once: a pydantic model gives both the JSON
an endpoint answers (`Resource.dump`) and the JSON Schema the OpenAPI document publishes
(`components()`), so the two cannot drift apart.

The JSON is what the API has always sent: every key present (`null` when there is no
value), dates and times in ISO 8601 as `isoformat()` writes them. The schemas are JSON
Schema 2020-12 as OpenAPI 3.1 uses it, written the way the document always wrote them: no
generated titles, `null` as one more type, and only the named resources in `COMPONENTS` as
components (a nested model that is not one is written in place).

Nothing here needs a request: the view builds the absolute URLs (`Links`) and hands them in.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from app.core.labels import CATEGORY, SIZE_BAND
from app.core.languages import current_language
from app.core.templating import country_name
from app.members.api_query import LISTED_STATUSES, MAX_PER_PAGE
from app.members.directory import DirectoryPage, MemberRow
from app.members.models import Organisation, PledgeStatus, Status
from app.members.services import Profile

REF_TEMPLATE = "#/components/schemas/{model}"


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


# As `isoformat()` writes it (pydantic would write UTC as "Z"); dates are pydantic's own.
DateTime = Annotated[
    dt.datetime,
    PlainSerializer(_iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Uri = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]
# Literal[tuple] is Literal[*values]: the enums follow the app's own lists.
ListedStatus = Literal[LISTED_STATUSES]
AnyStatus = Literal[tuple(s.value for s in Status)]
PledgeState = Literal[tuple(s.value for s in PledgeStatus)]
CategoryCode = Literal[tuple(CATEGORY)]
SizeBand = Literal[tuple(SIZE_BAND)]
# A language code as PACTUM_LANGUAGES names them ("fr", "pt_BR").
LANGUAGE_PATTERN = "^[a-z]{2,3}(_[A-Za-z0-9]{2,8})*$"
Language = Annotated[str, Field(pattern=LANGUAGE_PATTERN)]
ANSWER_LANGUAGE = (
    "The language of the texts Pactum writes in this answer: labels, country names and "
    "the titles it makes up. Texts members wrote are as they wrote them."
)


class Resource(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # strict: no coercion, faster

    @classmethod
    def dump(cls, data: dict) -> dict:
        """`data` checked against the resource, as the JSON values the API sends."""
        return cls.model_validate(data).model_dump(mode="json")


@dataclass(frozen=True)
class Links:
    """Absolute URLs, built by the view once per answer. Slugs are URL-safe ([a-z0-9-]), so a
    member's URL is its prefix plus the slug."""

    profile: str  # a member's public profile, without the slug
    record: str  # a member's API record, without the slug
    report: Callable[[str, int], str | None] = lambda slug, year: None  # a yearly report PDF


# Members ------------------------------------------------------------------------------------


class Sector(Resource):
    slug: str
    name: str


class Member(Resource):
    slug: str = Field(description="Identifies the member in URLs.")
    name: str
    legal_name: str | None
    country: str = Field(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code.")
    country_name: str
    sector: Sector | None
    category: CategoryCode
    size_band: SizeBand | None = Field(description="Number of people working for the organisation.")
    website: Uri | None
    status: ListedStatus
    status_since: DateTime
    joined_on: dt.date | None
    endorsed_charter_version: Annotated[int, Field(ge=1)] | None = Field(
        description="The charter version this member last endorsed."
    )
    logo_url: Uri | None
    profile_url: Uri
    api_url: Uri

    @staticmethod
    def values(row: MemberRow, links: Links) -> dict:
        """A member as the directory reads it (`MemberRow`), in the API's terms."""
        return {
            "slug": row.slug,
            "name": row.name,
            "legal_name": row.legal_name or None,
            "country": row.country,
            "country_name": row.country_name,
            "sector": (
                {"slug": row.sector_slug, "name": row.sector_name} if row.sector_slug else None
            ),
            "category": row.category,
            "size_band": row.size_band or None,
            "website": row.website or None,
            "status": row.status,
            "status_since": row.status_since,
            "joined_on": row.joined_on,
            "endorsed_charter_version": row.endorsed_version,
            "logo_url": (
                f"{links.profile}{row.slug}/logo?v={row.logo_sha256[:12]}"
                if row.logo_sha256
                else None
            ),
            "profile_url": links.profile + row.slug,
            "api_url": links.record + row.slug,
        }


# The list of members ----------------------------------------------------------------------


class Meta(Resource):
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=MAX_PER_PAGE)
    total: int = Field(ge=0)
    pages: int = Field(ge=1)
    filters: Annotated[dict[str, str | int], WithJsonSchema({"type": "object"})] = Field(
        description="The filters applied, as query arguments."
    )
    lang: Language = Field(description=ANSWER_LANGUAGE)


class PageLinks(Resource):
    self: Uri
    first: Uri
    last: Uri
    prev: Uri | None
    next: Uri | None


class FacetValue(Resource):
    value: str
    label: str
    count: int = Field(ge=0)


class Facets(Resource):
    country: list[FacetValue]
    sector: list[FacetValue]
    category: list[FacetValue]
    status: list[FacetValue]
    year: list[FacetValue]


class MemberList(Resource):
    data: list[Member]
    meta: Meta
    links: PageLinks
    facets: Facets = Field(
        description="For each filter, the number of members each value would give with the "
        "other filters applied."
    )

    @staticmethod
    def values(
        result: DirectoryPage, per_page: int, links: Links, page_url: Callable[[int], str]
    ) -> dict:
        """One page of the directory; `page_url(n)` is the absolute URL of page n."""
        page, pages = result.page, result.pages
        return {
            "data": [Member.values(row, links) for row in result.rows],
            "meta": {
                "page": page,
                "per_page": per_page,
                "total": result.total,
                "pages": pages,
                "filters": result.filters.args(),
                "lang": current_language(),
            },
            "links": {
                "self": page_url(page),
                "first": page_url(1),
                "last": page_url(pages),
                "prev": page_url(page - 1) if page > 1 else None,
                "next": page_url(page + 1) if page < pages else None,
            },
            "facets": {
                name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                for name, values in result.facets.items()
            },
        }


# One member in detail ---------------------------------------------------------------------


class StatusChange(Resource):
    at: DateTime
    from_status: AnyStatus | None
    to_status: AnyStatus
    public_reason: str | None


class Endorsement(Resource):
    charter_version: int = Field(ge=1)
    signatory_name: str
    signatory_title: str
    endorsed_on: dt.date


class PledgeUpdate(Resource):
    at: DateTime
    status: PledgeState
    note: str | None
    verified: bool = Field(description="The secretariat has checked this entry.")
    verified_at: DateTime | None


class Pledge(Resource):
    id: int
    title: str
    description: str = Field(description="Markdown.")
    principles: list[str] = Field(description="Keys of the charter principles (P1, P2 …).")
    target_date: dt.date | None
    indicator: str
    status: PledgeState
    status_since: DateTime
    updates: list[PledgeUpdate]


class Report(Resource):
    year: int
    url: Uri | None


class MemberDetail(Member):
    """A member's fields, and its public record."""

    description: str = Field(description="Markdown.")
    status_history: list[StatusChange] = Field(description="Public status changes, newest first.")
    endorsements: list[Endorsement]
    pledges: list[Pledge]
    reports: list[Report] = Field(description="Yearly reports the member has made public.")
    lang: Language = Field(description=ANSWER_LANGUAGE)

    @staticmethod
    def values(profile: Profile, links: Links) -> dict:
        """A member's public profile in the API's terms."""
        org = profile.organisation
        return {
            **Member.values(_row(org), links),
            "lang": current_language(),
            "description": org.description_md or "",
            "status_history": [
                {
                    "at": c.at,
                    "from_status": c.from_status,
                    "to_status": c.to_status,
                    "public_reason": c.public_reason or None,
                }
                for c in profile.history
            ],
            "endorsements": [
                {
                    "charter_version": e.charter_version.number,
                    "signatory_name": e.signatory_name,
                    "signatory_title": e.signatory_title,
                    "endorsed_on": e.endorsed_on,
                }
                for e in profile.endorsements
            ],
            "pledges": [_pledge(p) for p in profile.pledges],
            "reports": [
                {"year": year, "url": links.report(org.slug, year)} for year in profile.reports
            ],
        }


def _row(org: Organisation) -> MemberRow:
    """An organisation as a directory row, so that a member reads the same in both answers."""
    return MemberRow(
        id=org.id,
        slug=org.slug,
        name=org.name,
        name_key=org.name_key,
        country=org.country,
        category=org.category,
        status=org.status,
        joined_on=org.joined_on,
        logo_sha256=org.logo_sha256,
        country_name=country_name(org.country),
        sector_slug=org.sector.slug if org.sector else None,
        sector_name=org.sector.name if org.sector else None,
        endorsed_version=org.endorsed_version.number if org.endorsed_version else None,
        legal_name=org.legal_name,
        size_band=org.size_band,
        website=org.website,
        status_since=org.status_since,
    )


def _pledge(p) -> dict:
    return {
        "id": p.id,
        "title": p.title,
        "description": p.description_md or "",
        "principles": [pr.key for pr in p.principles],
        "target_date": p.target_date,
        "indicator": p.indicator,
        "status": p.status,
        "status_since": p.status_since,
        "updates": [
            {
                "at": u.at,
                "status": u.status,
                "note": u.note or None,
                "verified": u.verified_at is not None,
                "verified_at": u.verified_at,
            }
            for u in p.updates
        ],
    }


# Errors ------------------------------------------------------------------------------------


class ErrorBody(BaseModel):  # open: the app's error pages may say more
    status: int
    title: str = ""
    message: str
    fields: dict[str, str] = Field(default=None, description="Message per query argument.")


class Error(BaseModel):
    error: ErrorBody

    @classmethod
    def dump(cls, status: int, title: str, message: str, fields: dict | None = None) -> dict:
        error = {"status": status, "title": title, "message": message}
        if fields:
            error["fields"] = fields
        return cls.model_validate({"error": error}).model_dump(mode="json", exclude_none=True)


# The schemas -------------------------------------------------------------------------------

# The resources the document names, in its order; other models are written where used.
COMPONENTS = (
    Sector,
    Member,
    MemberList,
    StatusChange,
    Endorsement,
    PledgeUpdate,
    Pledge,
    Report,
    MemberDetail,
    Error,
)


class _DocumentSchema(GenerateJsonSchema):
    """JSON Schema as the document writes it: no titles pydantic would make up from names,
    `null` as one more type (`oneOf` beside a reference), and no defaults (the schemas
    describe answers, where every key is sent)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def model_schema(self, schema):
        json_schema = super().model_schema(schema)
        json_schema.pop("title", None)
        return json_schema

    def nullable_schema(self, schema):
        inner = self.generate_inner(schema["schema"])
        if "$ref" in inner:
            return {"oneOf": [inner, {"type": "null"}]}
        nullable = {**inner, "type": [inner["type"], "null"]}
        if "enum" in inner:
            nullable["enum"] = [*inner["enum"], None]
        return nullable

    def default_schema(self, schema):
        return self.generate_inner(schema["schema"])


def _inline(node, schemas: dict[str, dict]):
    """`node` with every reference to a schema of `schemas` replaced by that schema."""
    if isinstance(node, list):
        return [_inline(value, schemas) for value in node]
    if not isinstance(node, dict):
        return node
    name = node.get("$ref", "").rpartition("/")[2]
    if name in schemas:
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return {**_inline(schemas[name], schemas), **rest}
    return {key: _inline(value, schemas) for key, value in node.items()}


@functools.cache
def components(models: tuple[type[BaseModel], ...] = COMPONENTS) -> dict[str, dict]:
    """The JSON Schemas of `models` (by default the members' resources), for the document's
    `components.schemas`: each named model is a component, nested ones are written in place."""
    _, top = models_json_schema(
        [(model, "serialization") for model in models],
        ref_template=REF_TEMPLATE,
        schema_generator=_DocumentSchema,
    )
    named = [model.__name__ for model in models]
    nested = {name: s for name, s in top["$defs"].items() if name not in named}
    return {name: _inline(top["$defs"][name], nested) for name in named}
