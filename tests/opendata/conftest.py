"""The transparency tests' alliance (two closed cycles, accepted, returned and submitted
reports, public and private pledges), indexed for search."""

from __future__ import annotations

import pytest

from app.transparency.opendata.indexing import reindex_all
from tests.transparency.conftest import build_world


@pytest.fixture
def world(db):
    w = build_world(db)
    reindex_all()
    db.session.commit()
    return w
