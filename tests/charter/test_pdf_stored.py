"""A published version's PDF is laid out when it is published, after the commit, in every
language of the alliance (`PACTUM_LANGUAGES`), and stored (issue 16): the first request is served those bytes and lays nothing
out (it used to take seconds). Nothing is stored for a publication that rolls back."""

from __future__ import annotations

import datetime as dt

import pytest

from app.charter import present, services
from app.charter.queries import load_version
from app.charter.translations import languages
from app.core.cache import cache
from app.demo import charter as demo_charter
from tests.charter.builders import confirm_and_publish, publish_charter
from tests.conftest import login_as


@pytest.fixture
def on_publish(app):
    app.config["CHARTER_PDF_ON_PUBLISH"] = "inline"
    yield
    app.config["CHARTER_PDF_ON_PUBLISH"] = "off"


@pytest.fixture
def layouts(monkeypatch):
    """Counts the layouts of published versions' PDFs (as they really happen)."""
    calls = []
    real = present.render_version_pdf

    def counting(version, preview=False, *, text=None):
        calls.append((version.number, text.language if text else languages.source_language()))
        return real(version, preview, text=text)

    monkeypatch.setattr(present, "render_version_pdf", counting)
    return calls


def _stored(version_id: int, language: str) -> bytes | None:
    return cache.get(present.stored_pdf_key(load_version(version_id), language))


def _every_language(*numbers: int) -> list[tuple[int, str]]:
    return sorted((n, language) for n in numbers for language in languages.languages())


def test_publication_stores_the_pdf_and_the_first_request_lays_nothing_out(
    app, client, db, secretariat, on_publish, layouts
):
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    draft = services.start_draft(secretariat)
    services.update_draft(
        secretariat, draft.id, title="The Stored Accord", preamble_md="", change_summary="Two."
    )
    db.session.commit()
    login_as(client, secretariat)
    response = confirm_and_publish(client, draft.id, "2024-09-01")
    assert response.status_code == 302
    # Version 1 and 2, each in every language of the alliance, laid out once at publication.
    assert sorted(layouts) == _every_language(1, 2)
    english, french = _stored(draft.id, "en"), _stored(draft.id, "fr")
    assert english.startswith(b"%PDF") and french.startswith(b"%PDF") and english != french

    present.clear_pdf_cache()  # another worker: only the shared store has it
    client.get("/logout")
    first = client.get("/charter/v/2.pdf")
    assert first.status_code == 200 and first.data == english
    assert client.get("/charter/v/2.pdf", headers={"Accept-Language": "fr"}).data == french
    assert len(layouts) == len(_every_language(1, 2))  # the requests laid nothing out


def test_without_a_stored_pdf_the_request_lays_it_out_and_stores_it(
    app, client, db, secretariat, layouts
):
    version = publish_charter(secretariat, effective=dt.date(2024, 1, 1))  # storing is off
    db.session.commit()
    assert _stored(version.id, "en") is None
    data = client.get("/charter.pdf").data
    assert _stored(version.id, "en") == data and len(layouts) == 1
    present.clear_pdf_cache()
    assert client.get("/charter.pdf").data == data and len(layouts) == 1


def test_a_publication_that_rolls_back_stores_nothing(app, db, secretariat, on_publish, layouts):
    version = publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    db.session.rollback()
    db.session.commit()
    assert layouts == []
    assert db.session.get(type(version), version.id) is None


def test_the_demo_stores_the_pdfs_of_its_versions(app, db, secretariat, on_publish, layouts):
    versions = demo_charter.seed(secretariat)
    db.session.commit()
    assert sorted(layouts) == _every_language(1, 2)
    assert all(_stored(v.id, "en") for v in versions)
