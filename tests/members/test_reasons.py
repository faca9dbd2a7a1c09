"""Public reasons Pactum writes itself: stored in English (the API and exports stay in one
language), shown on pages in the visitor's language; reasons a person typed are shown as typed."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.members import reasons
from app.members.services import change_status
from tests.core.test_i18n import compiled_catalog  # noqa: F401 (fixture: the French catalog)


def test_stored_reasons_are_english_whatever_the_request_language(app):
    with app.test_request_context("/?lang=fr"), force_locale("fr"):
        assert reasons.stored(reasons.DID_NOT_REPORT, year=2025) == "Did not report for 2025"
        assert reasons.stored(reasons.JOINED) == "Joined the alliance."
    with pytest.raises(ValueError):
        reasons.stored("Anything a person could type")


def test_shown_reasons_follow_the_visitor(app):
    stored = reasons.stored(reasons.DELISTED_DID_NOT_REPORT, year=2025)
    with app.test_request_context("/"), force_locale("fr"):
        assert reasons.shown(stored) == "Radié\u00a0: pas de rapport pour 2025"
        assert reasons.shown("Joined the alliance.") == "A adhéré à l’alliance."
        assert reasons.shown("Suspendu après enquête.") == "Suspendu après enquête."
        assert reasons.shown(None) == ""
    with app.test_request_context("/"), force_locale("en"):
        assert reasons.shown(stored) == stored


def test_profile_in_french_api_in_english(client, db, org_a):
    change_status(
        None,
        org_a,
        "non_communicating",
        reason="Deadline passed",
        public_reason=reasons.stored(reasons.DID_NOT_REPORT, year=2025),
    )
    db.session.commit()
    french = client.get(f"/members/{org_a.slug}", headers={"Accept-Language": "fr"})
    html = french.get_data(as_text=True)
    assert "N’a pas rendu de rapport pour 2025" in html and "Did not report" not in html
    english = client.get(f"/members/{org_a.slug}").get_data(as_text=True)
    assert "Did not report for 2025" in english
    api = client.get(f"/api/v1/members/{org_a.slug}", headers={"Accept-Language": "fr"})
    assert "Did not report for 2025" in api.get_data(as_text=True)


def test_a_french_secretariat_approving_stores_the_english_reason(app, db, secretariat):
    from app.members.models import Application
    from app.members.services import approve_application
    from tests import factories

    org = factories.make_org("Harbour Lights", status="applicant")
    application = Application(
        organisation=org, contact_name="Carla", contact_email="carla@harbour.example"
    )
    db.session.add(application)
    db.session.flush()
    with app.test_request_context("/?lang=fr"), force_locale("fr"):
        approve_application(secretariat, application, "carla@harbour.example")
    assert org.status == "active"
    assert org.status_changes[-1].public_reason == "Joined the alliance."
    db.session.rollback()
