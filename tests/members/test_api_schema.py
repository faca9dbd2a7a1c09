"""The API's resources are described once (app/members/schemas.py): the models that dump the
answers are the schemas the OpenAPI document publishes, and they refuse what they do not
describe."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from app.core.services import store_file
from app.members import api_query, openapi, schemas
from app.members.directory import FACETS
from app.members.models import Status
from tests.factories import make_org
from tests.members import builders


def test_the_document_publishes_the_models_schemas(client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    published = document["components"]["schemas"]
    assert {name: published[name] for name in schemas.components()} == schemas.components()
    # beside the members' resources, only those other domains registered (openapi.register_paths)
    others = {m.__name__ for paths in openapi.registered() for m in paths.models}
    assert set(published) == {m.__name__ for m in schemas.COMPONENTS} | others
    listed = document["paths"]["/members"]["get"]["parameters"]
    expected = [p.document() for p in api_query.LIST_PARAMETERS]
    assert listed == [*expected, api_query.language_parameter()]  # every operation takes `lang`


def test_every_facet_is_described():
    assert set(schemas.Facets.model_fields) == set(FACETS)


def test_a_member_reads_the_same_in_the_list_and_in_detail(app, client, db, version):
    org = make_org(name="Alpha Cloud", website="https://alpha.example", legal_name="Alpha SA")
    org.logo_sha256 = store_file(builders.image_bytes(), "image/png").sha256
    builders.endorse(org, version)
    db.session.commit()
    listed = client.get("/api/v1/members").get_json()["data"][0]
    detail = client.get("/api/v1/members/alpha-cloud").get_json()
    assert {key: detail[key] for key in listed} == listed
    assert listed["logo_url"].startswith(f"{app.config['SERVER_URL']}/members/alpha-cloud/logo?v=")
    assert list(detail) == sorted(detail)  # the JSON provider sorts keys, as it always did


def _member(**changes) -> dict:
    values = {
        "slug": "a",
        "name": "A",
        "legal_name": None,
        "country": "DE",
        "country_name": "Germany",
        "sector": None,
        "category": "company",
        "size_band": None,
        "website": None,
        "status": Status.ACTIVE,  # models hand in their enums
        "status_since": dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
        "joined_on": dt.date(2024, 1, 2),
        "endorsed_charter_version": None,
        "logo_url": None,
        "profile_url": "http://localhost/members/a",
        "api_url": "http://localhost/api/v1/members/a",
    }
    return {**values, **changes}


def test_dates_are_written_as_isoformat_does():
    dumped = schemas.Member.dump(_member())
    assert dumped["status_since"] == "2024-01-02T03:04:05.000006+00:00"
    assert dumped["joined_on"] == "2024-01-02"
    assert dumped["status"] == "active" and type(dumped["status"]) is str
    assert list(dumped) == list(schemas.Member.model_fields)


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "applicant"},  # never listed
        {"country": "de"},
        {"category": "spy"},
        {"size_band": "huge"},
        {"endorsed_charter_version": 0},
        {"extra": 1},
        {"name": None},
    ],
)
def test_an_answer_outside_its_schema_is_refused(changes):
    with pytest.raises(ValidationError):
        schemas.Member.dump(_member(**changes))


def test_errors_give_fields_only_when_there_are_some():
    assert schemas.Error.dump(404, "Page not found", "No.") == {
        "error": {"status": 404, "title": "Page not found", "message": "No."}
    }
    body = schemas.Error.dump(400, "Invalid input", "Bad.", {"sort": "Bad."})
    assert body["error"]["fields"] == {"sort": "Bad."}


# What the document says, the API does (issue 17) ------------------------------------------


def _parameter(document: dict, name: str) -> dict:
    parameters = document["paths"]["/members"]["get"]["parameters"]
    return next(p for p in parameters if p["name"] == name)


def test_country_is_a_code_that_exists(client, db, version):
    make_org(name="Kenyan Org", country="KE")
    db.session.commit()
    document = client.get("/api/v1/openapi.json").get_json()
    codes = _parameter(document, "country")["schema"]["enum"]
    assert {"DE", "KE", "FR"} <= set(codes) and "ZZ" not in codes and len(codes) > 200
    for code in ("KE", "ke"):
        assert client.get(f"/api/v1/members?country={code}").status_code == 200
    for code in ("ZZ", "Kenya", "K"):
        response = client.get(f"/api/v1/members?country={code}")
        assert response.status_code == 400
        assert code.upper() not in codes
        assert set(response.get_json()["error"]["fields"]) == {"country"}


def test_sort_is_its_enum_and_an_empty_sort_is_refused_like_a_bad_one(client, db, version):
    document = client.get("/api/v1/openapi.json").get_json()
    assert _parameter(document, "sort")["schema"]["enum"] == ["name", "newest", "oldest"]
    bad = client.get("/api/v1/members?sort=up")
    empty = client.get("/api/v1/members?sort=")
    assert bad.status_code == empty.status_code == 400
    assert empty.get_json() == bad.get_json()
    assert set(empty.get_json()["error"]["fields"]) == {"sort"}
    # Together with another error, in the order of the parameters.
    both = client.get("/api/v1/members?page=0&sort=").get_json()["error"]
    assert both["message"] == " ".join([both["fields"]["sort"], both["fields"]["page"]])
    for value in ("name", "newest", "oldest"):
        assert client.get(f"/api/v1/members?sort={value}").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/members", "/api/v1/members/x", "/api/v1/openapi.json"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_method_not_allowed_says_which_are(client, db, path, method):
    response = client.open(path, method=method)
    assert response.status_code == 405 and response.mimetype == "application/json"
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert response.get_json()["error"]["status"] == 405


@pytest.mark.parametrize("slug", ["%00", "a%00b", "Alpha-Cloud", "%C3%A9", "a%20b"])
def test_a_slug_no_member_can_have_is_404(client, db, version, slug):
    make_org(name="Alpha Cloud")
    db.session.commit()
    response = client.get(f"/api/v1/members/{slug}")
    assert response.status_code == 404
    assert response.get_json() == client.get("/api/v1/members/nobody").get_json()


def _refused(args: dict) -> set[str]:
    return set(api_query.parse_list_query(args, ())[3])


@pytest.mark.parametrize("parameter", api_query.LIST_PARAMETERS, ids=lambda p: p.name)
def test_the_parser_reads_each_parameter_as_the_table_documents_it(app, parameter):
    """Every value the table allows is read, values just outside it are refused: the table
    and the parser cannot drift apart."""
    name, schema = parameter.name, parameter.schema
    with app.test_request_context():
        for value in schema.get("enum", []):
            assert not _refused({name: value}), value
        if "enum" in schema:
            assert _refused({name: "zz-not-a-value"}) == {name}
        if schema["type"] == "integer":
            for value in (schema["minimum"], schema["maximum"]):
                assert not _refused({name: str(value)})
            for value in (schema["minimum"] - 1, schema["maximum"] + 1, "x"):
                assert _refused({name: str(value)}) == {name}
        if "maxLength" in schema:
            assert not _refused({name: "a" * schema["maxLength"]})
            assert _refused({name: "a" * (schema["maxLength"] + 1)}) == {name}
