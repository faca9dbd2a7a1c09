"""A schemathesis run of the open-data lists against the OpenAPI document (as
tests/members/test_api_conformance.py does for the members): generated requests, valid and
not, each answer checked against the document. Derandomized and bounded."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.members.test_api_conformance import CHECKS, RUN

LISTS = ("/reports", "/answers", "/pledges", "/principles")


@pytest.fixture
def schema(app, world):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "mode, statuses",
    [(GenerationMode.POSITIVE, {200}), (GenerationMode.NEGATIVE, {400})],
)
def test_lists_conform_to_the_document(schema, path, mode, statuses):
    seen = set()

    @RUN
    @given(case=schema[path]["GET"].as_strategy(mode))
    def run(case):
        seen.add(case.call_and_validate(checks=CHECKS).status_code)

    run()
    assert statuses <= seen


def test_reports_conform_to_the_document(schema):
    seen = set()

    @RUN
    @given(
        case=schema["/reports/{slug}/{year}"]["GET"].as_strategy(),
        slug=st.one_of(st.sampled_from(["alpha-security", "zeta-payments"]), st.text(min_size=1)),
        year=st.one_of(st.sampled_from([2024, 2025]), st.integers(0, 9999)),
    )
    def run(case, slug, year):
        case.path_parameters = {"slug": slug, "year": year}
        seen.add(case.call_and_validate(checks=CHECKS).status_code)

    run()
    assert seen == {200, 404}
