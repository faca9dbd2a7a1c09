"""The OpenAPI 3.1 description of the open data API (served at /api/v1/openapi.json).

Assembled from the resources' own models (`app.members.schemas`) and the query
parameters' table (`app.members.api_query`): the schemas are those the answers are checked against and dumped
by, JSON Schema 2020-12 as OpenAPI 3.1 uses it; the tests validate real responses against
them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from app.members.api_query import LIST_PARAMETERS, language_parameter
from app.members.schemas import (
    REF_TEMPLATE,
    Error,
    MemberDetail,
    MemberList,
    components,
)

INFO = {
    "title": "Pactum open data API",
    "version": "1.0.0",
    "summary": "The signatories of the charter, their status, endorsements, pledges and "
    "public reports.",
    "description": "Public data, free to reuse. The same filters as the directory at "
    "/members. No authentication. Statuses `applicant` and `rejected` "
    "are never listed.",
    "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}


@dataclass(frozen=True)
class ApiPaths:
    """Paths another domain serves under the same API, with the models their answers are."""

    paths: dict[str, dict]
    models: tuple[type[BaseModel], ...]


# Other domains' paths (`register_paths`), by the name they registered under.
_REGISTERED: dict[str, ApiPaths] = {}


def register_paths(name: str, paths: dict[str, dict], models: tuple[type[BaseModel], ...]) -> None:
    """Add `paths` (built with `operation`) and their models' schemas to the document."""
    _REGISTERED[name] = ApiPaths(paths, models)


def registered() -> tuple[ApiPaths, ...]:
    return tuple(_REGISTERED.values())


def operation(
    operation_id: str,
    summary: str,
    parameters: list[dict],
    responses: dict[str, tuple[str, type[BaseModel]] | dict],
) -> dict:
    """A GET operation; `responses` maps a status to its description and the resource sent,
    or to a response object written out (a redirect has no body)."""
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters,
            "responses": {
                status: answer if isinstance(answer, dict) else _response(*answer)
                for status, answer in responses.items()
            },
        }
    }


def _response(description: str, model: type[BaseModel]) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": REF_TEMPLATE.format(model=model.__name__)}}
        },
    }


MOVED = {
    "description": "The member was renamed: this was its slug. `Location` gives its record "
    "under the current one.",
    "headers": {
        "Location": {
            "description": "The member's record under its current slug.",
            "schema": {"type": "string"},
        }
    },
}


def _with_language(paths: dict[str, dict]) -> dict[str, dict]:
    """Every operation takes `lang` (the alliance's languages are configured, so it is added
    when the document is made, not when the paths are registered)."""
    lang = language_parameter()
    return {
        path: {
            method: {**op, "parameters": [*op.get("parameters", []), lang]}
            for method, op in item.items()
        }
        for path, item in paths.items()
    }


def document(server_url: str) -> dict:
    paths, schemas = {}, dict(components())
    for other in registered():
        paths.update(other.paths)
        schemas.update(components(other.models))
    return _document(server_url, paths, schemas)


def _document(server_url: str, paths: dict, schemas: dict) -> dict:
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "servers": [{"url": server_url}],
        "paths": _with_language(
            {
                "/members": operation(
                    "listMembers",
                    "List members, filtered, sorted and paginated",
                    [parameter.document() for parameter in LIST_PARAMETERS],
                    {
                        "200": ("A page of members, with filter counts.", MemberList),
                        "400": ("A filter has an invalid value.", Error),
                    },
                ),
                "/members/{slug}": operation(
                    "getMember",
                    "One member with its history, endorsements, pledges and reports",
                    [SLUG],
                    {
                        "200": ("The member.", MemberDetail),
                        "301": MOVED,
                        "404": ("No listed member has this slug.", Error),
                    },
                ),
                **paths,
            }
        ),
        "components": {"schemas": schemas},
    }
