import pytest

from tests.members import builders


@pytest.fixture
def version(db):
    """Version 1 of the charter, published and in force, with three principles."""
    return builders.make_version(1)


@pytest.fixture
def principles(version):
    return builders.principles_of(version)
