"""The OpenAPI 3.1 description of the open data API (served at /api/v1/openapi.json).

The schemas are JSON Schema 2020-12, as OpenAPI 3.1 uses it; the tests validate real
responses against them.
"""

from __future__ import annotations

from app.core.labels import CATEGORY, SIZE_BAND
from app.members.directory import MAX_QUERY_LENGTH, SORTS
from app.members.models import PUBLIC_STATUSES, PledgeStatus, Status

NULLABLE_STRING = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
STATUSES = [s.value for s in PUBLIC_STATUSES]


def _param(name: str, description: str, schema: dict) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


FILTER_PARAMETERS = [
    _param(
        "q",
        "Part of the member's name (case-insensitive).",
        {"type": "string", "maxLength": MAX_QUERY_LENGTH},
    ),
    _param(
        "country",
        "ISO 3166-1 alpha-2 country code, such as DE.",
        {"type": "string", "pattern": "^[A-Za-z]{2}$"},
    ),
    _param("sector", "A sector's slug, as given in `sector.slug`.", {"type": "string"}),
    _param("category", "The kind of organisation.", {"type": "string", "enum": list(CATEGORY)}),
    _param("status", "Membership status.", {"type": "string", "enum": STATUSES}),
    _param(
        "year", "The year the member joined.", {"type": "integer", "minimum": 1900, "maximum": 2999}
    ),
    _param(
        "sort",
        "`name` (A–Z), `newest` or `oldest` (by the date joined).",
        {"type": "string", "enum": list(SORTS), "default": "name"},
    ),
]


def document(server_url: str) -> dict:
    member_properties = {
        "slug": {"type": "string", "description": "Identifies the member in URLs."},
        "name": {"type": "string"},
        "legal_name": NULLABLE_STRING,
        "country": {
            "type": "string",
            "pattern": "^[A-Z]{2}$",
            "description": "ISO 3166-1 alpha-2 code.",
        },
        "country_name": {"type": "string"},
        "sector": {"oneOf": [{"$ref": "#/components/schemas/Sector"}, {"type": "null"}]},
        "category": {"type": "string", "enum": list(CATEGORY)},
        "size_band": {
            "type": ["string", "null"],
            "enum": [*SIZE_BAND, None],
            "description": "Number of people working for the organisation.",
        },
        "website": {"type": ["string", "null"], "format": "uri"},
        "status": {"type": "string", "enum": STATUSES},
        "status_since": DATETIME,
        "joined_on": {"type": ["string", "null"], "format": "date"},
        "endorsed_charter_version": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "The charter version this member last endorsed.",
        },
        "logo_url": {"type": ["string", "null"], "format": "uri"},
        "profile_url": {"type": "string", "format": "uri"},
        "api_url": {"type": "string", "format": "uri"},
    }
    facet_value = {
        "type": "object",
        "required": ["value", "label", "count"],
        "additionalProperties": False,
        "properties": {
            "value": {"type": "string"},
            "label": {"type": "string"},
            "count": {"type": "integer", "minimum": 0},
        },
    }
    nullable_link = {"type": ["string", "null"], "format": "uri"}
    schemas = {
        "Sector": {
            "type": "object",
            "required": ["slug", "name"],
            "additionalProperties": False,
            "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
        },
        "Member": {
            "type": "object",
            "required": list(member_properties),
            "additionalProperties": False,
            "properties": member_properties,
        },
        "MemberList": {
            "type": "object",
            "required": ["data", "meta", "links", "facets"],
            "additionalProperties": False,
            "properties": {
                "data": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
                "meta": {
                    "type": "object",
                    "required": ["page", "per_page", "total", "pages", "filters"],
                    "additionalProperties": False,
                    "properties": {
                        "page": {"type": "integer", "minimum": 1},
                        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                        "total": {"type": "integer", "minimum": 0},
                        "pages": {"type": "integer", "minimum": 1},
                        "filters": {
                            "type": "object",
                            "description": "The filters applied, as query arguments.",
                        },
                    },
                },
                "links": {
                    "type": "object",
                    "required": ["self", "first", "last", "prev", "next"],
                    "additionalProperties": False,
                    "properties": {
                        "self": {"type": "string", "format": "uri"},
                        "first": {"type": "string", "format": "uri"},
                        "last": {"type": "string", "format": "uri"},
                        "prev": nullable_link,
                        "next": nullable_link,
                    },
                },
                "facets": {
                    "type": "object",
                    "description": "For each filter, the number of members each value would "
                    "give with the other filters applied.",
                    "required": ["country", "sector", "category", "status", "year"],
                    "additionalProperties": False,
                    "properties": {
                        name: {"type": "array", "items": facet_value}
                        for name in ("country", "sector", "category", "status", "year")
                    },
                },
            },
        },
        "StatusChange": {
            "type": "object",
            "required": ["at", "from_status", "to_status", "public_reason"],
            "additionalProperties": False,
            "properties": {
                "at": DATETIME,
                "from_status": {
                    "type": ["string", "null"],
                    "enum": [*(s.value for s in Status), None],
                },
                "to_status": {"type": "string", "enum": [s.value for s in Status]},
                "public_reason": NULLABLE_STRING,
            },
        },
        "Endorsement": {
            "type": "object",
            "required": ["charter_version", "signatory_name", "signatory_title", "endorsed_on"],
            "additionalProperties": False,
            "properties": {
                "charter_version": {"type": "integer", "minimum": 1},
                "signatory_name": {"type": "string"},
                "signatory_title": {"type": "string"},
                "endorsed_on": DATE,
            },
        },
        "PledgeUpdate": {
            "type": "object",
            "required": ["at", "status", "note", "verified", "verified_at"],
            "additionalProperties": False,
            "properties": {
                "at": DATETIME,
                "status": {"type": "string", "enum": [s.value for s in PledgeStatus]},
                "note": NULLABLE_STRING,
                "verified": {
                    "type": "boolean",
                    "description": "The secretariat has checked this entry.",
                },
                "verified_at": {"type": ["string", "null"], "format": "date-time"},
            },
        },
        "Pledge": {
            "type": "object",
            "required": [
                "id",
                "title",
                "description",
                "principles",
                "target_date",
                "indicator",
                "status",
                "status_since",
                "updates",
            ],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "description": {"type": "string", "description": "Markdown."},
                "principles": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Keys of the charter principles (P1, P2 …).",
                },
                "target_date": {"type": ["string", "null"], "format": "date"},
                "indicator": {"type": "string"},
                "status": {"type": "string", "enum": [s.value for s in PledgeStatus]},
                "status_since": DATETIME,
                "updates": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/PledgeUpdate"},
                },
            },
        },
        "Report": {
            "type": "object",
            "required": ["year", "url"],
            "additionalProperties": False,
            "properties": {"year": {"type": "integer"}, "url": nullable_link},
        },
        "MemberDetail": {
            "type": "object",
            "description": "A member's fields, and its public record.",
            "required": [
                *member_properties,
                "description",
                "status_history",
                "endorsements",
                "pledges",
                "reports",
            ],
            "additionalProperties": False,
            "properties": {
                **member_properties,
                "description": {"type": "string", "description": "Markdown."},
                "status_history": {
                    "type": "array",
                    "description": "Public status changes, newest first.",
                    "items": {"$ref": "#/components/schemas/StatusChange"},
                },
                "endorsements": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Endorsement"},
                },
                "pledges": {"type": "array", "items": {"$ref": "#/components/schemas/Pledge"}},
                "reports": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Report"},
                    "description": "Yearly reports the member has made public.",
                },
            },
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["status", "message"],
                    "properties": {
                        "status": {"type": "integer"},
                        "title": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                            "description": "Message per query argument.",
                        },
                    },
                },
            },
        },
    }

    def error_response(description: str) -> dict:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pactum open data API",
            "version": "1.0.0",
            "summary": "The signatories of the charter, their status, endorsements and pledges.",
            "description": "Public data, free to reuse. The same filters as the directory at "
            "/members. No authentication. Statuses `applicant` and `rejected` "
            "are never listed.",
            "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/members": {
                "get": {
                    "operationId": "listMembers",
                    "summary": "List members, filtered, sorted and paginated",
                    "parameters": [
                        *FILTER_PARAMETERS,
                        _param(
                            "page",
                            "Page number, from 1.",
                            {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 1},
                        ),
                        _param(
                            "per_page",
                            "Members per page.",
                            {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of members, with filter counts.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/MemberList"}
                                }
                            },
                        },
                        "400": error_response("A filter has an invalid value."),
                    },
                },
            },
            "/members/{slug}": {
                "get": {
                    "operationId": "getMember",
                    "summary": "One member with its history, endorsements, pledges and reports",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The member.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/MemberDetail"}
                                }
                            },
                        },
                        "404": error_response("No listed member has this slug."),
                    },
                },
            },
        },
        "components": {"schemas": schemas},
    }
