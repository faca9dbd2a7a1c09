"""A schemathesis run against the API's own OpenAPI document: generated requests (valid
filters and pages, invalid ones, and slugs known or not), each answer checked against the document: its
status is one the operation lists, its content type too, and its body matches the schema
of that status. Derandomized and bounded, so it is the same run every time, in seconds."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.core.services import store_file
from app.members.services import change_status
from tests.factories import make_org
from tests.members import builders

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
RUN = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def members(db, version, principles, secretariat) -> list[str]:
    """A small directory with every kind of value the answers carry (and one applicant, who
    is never listed)."""
    alpha = make_org(
        name="Alpha Cloud",
        country="DE",
        sector="Cloud",
        joined_on=dt.date(2023, 5, 1),
        website="https://alpha.example",
        legal_name="Alpha Cloud GmbH",
        size_band="50-249",
        description_md="We host *things*.",
    )
    alpha.logo_sha256 = store_file(builders.image_bytes(), "image/png").sha256
    builders.endorse(alpha, version)
    builders.make_pledge(alpha, principles[:2], title="Public pledge")
    make_org(name="Beta Rights", country="FR", sector=None, category="civil_society")
    gamma = make_org(
        name="Gamma Uni", country="KE", category="academia", joined_on=dt.date(2024, 9, 1)
    )
    change_status(secretariat, gamma, "suspended", reason="internal", public_reason="Review.")
    make_org(name="Hidden Applicant", status="applicant")
    db.session.commit()
    return ["alpha-cloud", "beta-rights", "gamma-uni", "hidden-applicant"]


@pytest.fixture
def schema(app, db):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize(
    "mode, statuses",
    [(GenerationMode.POSITIVE, {200, 400}), (GenerationMode.NEGATIVE, {400})],
)
def test_member_lists_conform_to_the_document(schema, members, mode, statuses):
    # Positive: values the document allows (an unknown sector slug is one, and is a 400).
    # Negative: values it does not (the answer, whatever it is, must still be documented).
    seen = set()

    @RUN
    @given(case=schema["/members"]["GET"].as_strategy(mode))
    def run(case):
        seen.add(case.call_and_validate(checks=CHECKS).status_code)

    run()
    assert statuses <= seen


def test_member_records_conform_to_the_document(schema, members):
    seen = set()

    @RUN
    @given(
        case=schema["/members/{slug}"]["GET"].as_strategy(),
        slug=st.one_of(st.sampled_from(members), st.text(min_size=1)),  # NUL included
    )
    def run(case, slug):
        case.path_parameters = {"slug": slug}
        seen.add(case.call_and_validate(checks=CHECKS).status_code)

    run()
    assert seen == {200, 404}
