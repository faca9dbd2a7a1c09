"""Old slugs after a rename (issue 17): every URL that names the organisation by its old
slug answers 301 to the same URL with the current one (path and query string kept), no
other organisation may take an old slug, a slug taken back stops redirecting, a private
organisation's old slug stays a 404, and no page cache serves the old slug's page."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from app import create_app
from app.config import overrides_for_tests
from app.core.invalidation import _topics_written
from app.core.models import AuditEvent
from app.core.services import store_file
from app.db import db
from app.members import services
from app.members.models import Organisation, OrganisationSlug, Status
from app.members.openapi import document
from tests.conftest import login_as, post_form
from tests.factories import make_org
from tests.members.test_profiles import edit_data
from tests.querycount import count_queries
from tests.scratch_db import scratch_database
from tests.transparency.builders import make_cycle, make_report


def rename(actor, org: Organisation, name: str) -> None:
    """Through the service the edit form and the secretariat use."""
    data = services.OrganisationData(
        name=name,
        country=org.country,
        category=org.category,
        legal_name=org.legal_name or "",
        sector_id=org.sector_id,
        size_band=org.size_band or "",
        website=org.website or "",
        description_md=org.description_md or "",
    )
    services.update_organisation(actor, org, data)
    db.session.commit()


@pytest.fixture
def renamed(db, secretariat, org_a, rep_a):
    """Alpha Org, with a logo and an accepted 2025 report, renamed Alpha Trust."""
    org_a.logo_sha256 = store_file(b"\x89PNG stand-in", "image/png").sha256
    make_report(make_cycle(2025), org_a)
    db.session.commit()
    rename(secretariat, org_a, "Alpha Trust")
    return org_a


# (old URL, new URL, who asks): one per route family that takes a slug.
FAMILIES = {
    "profile": ("/members/alpha-org?from=mail", "/members/alpha-trust?from=mail", None),
    "logo": (
        "/members/alpha-org/logo?v=0123456789ab",
        "/members/alpha-trust/logo?v=0123456789ab",
        None,
    ),
    "member report PDF": (
        "/members/alpha-org/reports/2025.pdf?variant=pdf-a",
        "/members/alpha-trust/reports/2025.pdf?variant=pdf-a",
        None,
    ),
    "report version": (
        "/reports/2025/alpha-org/versions/1",
        "/reports/2025/alpha-trust/versions/1",
        "rep_a",
    ),
    "report version PDF": (
        "/reports/2025/alpha-org/versions/1/pdf",
        "/reports/2025/alpha-trust/versions/1/pdf",
        "rep_a",
    ),
    "API record": ("/api/v1/members/alpha-org", "/api/v1/members/alpha-trust", None),
    "representative's pledges": (
        "/members/alpha-org/pledges",
        "/members/alpha-trust/pledges",
        "rep_a",
    ),
    "secretariat's report page": (
        "/secretariat/cycles/2025/reports/alpha-org",
        "/secretariat/cycles/2025/reports/alpha-trust",
        "secretariat",
    ),
    "secretariat's page": (
        "/secretariat/organisations/alpha-org",
        "/secretariat/organisations/alpha-trust",
        "secretariat",
    ),
}


def test_every_slug_in_a_url_names_an_organisation(app):
    """The redirect applies to every route with a `<slug>`, whatever its blueprint: so each
    must name an organisation. A route naming something else by a slug (a sector…) must
    call it otherwise, or be excluded in `slug_views`."""
    get_routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "slug" in rule.arguments and "GET" in (rule.methods or ())
    }
    assert get_routes == {
        "api.member",
        "centre.member_report",
        "members.admin_org",
        "members.edit",
        "members.endorse",
        "members.logo",
        "members.pledge",
        "members.pledge_edit",
        "members.pledge_new",
        "members.pledges",
        "members.profile",
        "opendata_api.report",
        "reporting.admin_report",
        "reporting.version",
        "reporting.version_pdf",
        "transparency.member_report_pdf",
    }


@pytest.mark.parametrize("family", FAMILIES)
def test_every_url_with_the_old_slug_answers_301_to_the_current_one(
    request, client, renamed, family
):
    old, new, who = FAMILIES[family]
    if who:
        login_as(client, request.getfixturevalue(who))
    response = client.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == new
    assert "Content-Security-Policy" in response.headers  # still an answer of the app's
    assert "max-age=3600" in response.headers["Cache-Control"]  # not for ever: see below
    assert client.head(old).status_code == 301


def test_the_redirects_lead_to_the_current_pages(client, renamed):
    assert client.get("/members/alpha-org", follow_redirects=True).status_code == 200
    logo = client.get(f"/members/alpha-org/logo?v={renamed.logo_sha256[:12]}")
    assert logo.headers["Location"] == f"/members/alpha-trust/logo?v={renamed.logo_sha256[:12]}"
    assert client.get(logo.headers["Location"]).status_code == 200
    api = client.get("/api/v1/members/alpha-org")
    assert api.headers["Access-Control-Allow-Origin"] == "*"
    assert api.headers["Cache-Control"] == "public, max-age=3600"
    record = client.get(api.headers["Location"])
    assert record.status_code == 200 and record.json["slug"] == "alpha-trust"


def test_the_query_string_is_kept_as_sent(client, renamed):
    response = client.get("/members/alpha-org?q=%C3%A9t%C3%A9&a=1&a=2&empty=")
    assert response.headers["Location"] == "/members/alpha-trust?q=%C3%A9t%C3%A9&a=1&a=2&empty="


def test_a_rename_through_the_edit_form_keeps_the_old_slug(client, db, org_a, rep_a):
    db.session.commit()
    login_as(client, rep_a)
    response = post_form(
        client,
        "/members/alpha-org/edit",
        edit_data(org_a, name="Alpha Renamed"),
        form_url="/members/alpha-org/edit",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/members/alpha-renamed"
    assert services.retired_slugs(org_a) == ["alpha-org"]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organisation.updated")
    ).one()
    assert event.detail["slug_from"] == "alpha-org"
    assert client.get("/members/alpha-org").headers["Location"] == "/members/alpha-renamed"


def test_an_old_slug_is_never_given_to_another_organisation(db, secretariat, renamed):
    assert services.unique_slug("Alpha Org") == "alpha-org-2"
    assert services.unique_slug("Alpha Org", exclude_id=renamed.id) == "alpha-org"  # its own
    data = services.OrganisationData(name="Alpha-Org", country="FR", category="company")
    other = services.create_organisation(secretariat, data)
    assert other.slug == "alpha-org-2"
    rename(secretariat, other, "Alpha Trust!")  # the current slug of another: taken too
    assert other.slug == "alpha-trust-2"
    assert services.unique_slug("Alpha Org") == "alpha-org-3"  # alpha-org-2 is retired now


def test_a_slug_taken_back_stops_redirecting(client, db, secretariat, renamed):
    rename(secretariat, renamed, "Alpha Org")
    assert renamed.slug == "alpha-org"
    assert services.retired_slugs(renamed) == ["alpha-trust"]
    assert client.get("/members/alpha-org").status_code == 200
    assert client.get("/members/alpha-trust").headers["Location"] == "/members/alpha-org"
    rename(secretariat, renamed, "Alpha Org Three")
    assert set(services.retired_slugs(renamed)) == {"alpha-trust", "alpha-org"}
    for old in ("alpha-org", "alpha-trust"):
        assert client.get(f"/members/{old}").headers["Location"] == "/members/alpha-org-three"


def test_a_name_with_the_same_slug_retires_nothing(db, secretariat, org_a):
    db.session.commit()
    rename(secretariat, org_a, "ALPHA  org")
    assert org_a.slug == "alpha-org" and services.retired_slugs(org_a) == []


def test_a_private_organisations_old_slug_is_as_unknown_as_its_current_one(client, db, secretariat):
    applicant = make_org("Pending Labs", status=Status.APPLICANT, joined_on=None)
    db.session.commit()
    rename(secretariat, applicant, "Pending Works")
    for url in (
        "/members/pending-labs",
        "/members/pending-works",
        "/api/v1/members/pending-labs",
        "/api/v1/members/pending-works",
        "/members/pending-labs/logo",
    ):
        assert client.get(url).status_code == 404, url
    login_as(client, secretariat)
    response = client.get("/members/pending-labs")
    assert response.status_code == 301 and response.headers["Location"] == "/members/pending-works"
    assert response.headers["Cache-Control"].startswith("private")
    # The API is public data only, whoever asks.
    assert client.get("/api/v1/members/pending-labs").status_code == 404


def test_the_slug_an_application_had_before_its_approval_is_never_published(
    client, db, secretariat
):
    applicant = make_org("Codename Falcon", status=Status.APPLICANT, joined_on=None)
    db.session.commit()
    rename(secretariat, applicant, "Falcon Networks")  # before anyone could see it
    services.change_status(secretariat, applicant, "active", reason="Signed.")
    db.session.commit()
    assert applicant.is_listed
    assert client.get("/members/falcon-networks").status_code == 200
    assert client.get("/members/codename-falcon").status_code == 404  # the old name stays private
    assert client.get("/api/v1/members/codename-falcon").status_code == 404
    rename(secretariat, applicant, "Falcon Networks Europe")  # this one was public
    assert client.get("/members/falcon-networks").status_code == 301
    assert client.get("/members/codename-falcon").status_code == 404
    login_as(client, secretariat)
    response = client.get("/members/codename-falcon")
    assert response.headers["Location"] == "/members/falcon-networks-europe"
    assert response.headers["Cache-Control"].startswith("private")
    assert services.unique_slug("Codename Falcon") == "codename-falcon-2"  # still reserved


def test_the_page_cache_never_serves_the_old_slugs_page(client, db, secretariat, org_a):
    db.session.commit()
    for url in ("/members/alpha-org", "/api/v1/members/alpha-org"):
        assert client.get(url).headers["X-Pactum-Cache"] == "miss"
        assert client.get(url).headers["X-Pactum-Cache"] == "hit"
    rename(secretariat, org_a, "Alpha Trust")
    for url, new in (
        ("/members/alpha-org", "/members/alpha-trust"),
        ("/api/v1/members/alpha-org", "/api/v1/members/alpha-trust"),
    ):
        response = client.get(url)
        assert response.status_code == 301 and response.headers["Location"] == new
        assert client.get(url).status_code == 301  # a redirect is never stored as the page
    assert b"Alpha Trust" in client.get("/members/alpha-trust").data


def test_a_write_to_the_slugs_makes_member_and_report_pages_stale(db, org_a):
    db.session.commit()
    db.session.add(OrganisationSlug(slug="alpha-old", organisation_id=org_a.id))
    assert _topics_written(db.session) >= {"members", "home", "reports"}
    db.session.rollback()


def test_posts_unknown_and_malformed_slugs_stay_404(client, db, rep_a, renamed):
    login_as(client, rep_a)
    response = post_form(
        client, "/members/alpha-org/edit", {"name": "X"}, form_url="/members/alpha-trust/edit"
    )
    assert response.status_code == 404  # a form is not sent on to another address
    for url in ("/members/nobody", "/members/%00", "/members/ALPHA-ORG", "/members/" + "a" * 300):
        assert client.get(url).status_code == 404, url
    assert client.get("/members/alpha-org/reports/1999.pdf").status_code == 301  # then 404


def test_the_api_document_says_an_old_slug_is_redirected():
    responses = document("http://x/api/v1")["paths"]["/members/{slug}"]["get"]["responses"]
    assert "Location" in responses["301"]["headers"]


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    with scratch_database(database_url, "slugs", tmp_path) as url:
        yield url


def test_the_migration_adds_and_drops_the_table(empty_database_url):
    app = create_app(overrides_for_tests(empty_database_url))
    with app.app_context():
        upgrade(revision="0005")
        assert "organisation_slugs" not in inspect(db.engine).get_table_names()
        upgrade(revision="0006")
        assert "organisation_slugs" in inspect(db.engine).get_table_names()
        primary = inspect(db.engine).get_pk_constraint("organisation_slugs")
        assert primary["constrained_columns"] == ["slug"]
        downgrade(revision="0005")
        tables = inspect(db.engine).get_table_names()
        assert "organisation_slugs" not in tables and "organisations" in tables
        db.session.remove()
        db.engine.dispose()


def test_a_redirect_costs_the_same_few_statements_however_many_renames(client, db, secretariat):
    org = make_org("Rename Me")
    db.session.commit()

    def statements() -> int:
        with count_queries() as counter:
            assert client.get("/members/rename-me").status_code == 301
        return counter.count

    rename(secretariat, org, "Renamed Once")
    once = statements()
    for n in range(2, 12):
        rename(secretariat, org, f"Renamed {n} times")
    assert len(services.retired_slugs(org)) == 11
    assert statements() == once <= 3  # the page's own lookup, the old slug's, no more


def test_the_secretariat_sees_the_former_addresses_and_the_form_says_links_keep_working(
    client, db, secretariat, rep_a, renamed
):
    login_as(client, secretariat)
    page = client.get("/secretariat/organisations/alpha-trust").get_data(as_text=True)
    assert "Former addresses" in page and "<code>/members/alpha-org</code>" in page
    other = make_org("Never Renamed")
    db.session.commit()
    assert "Former addresses" not in client.get(
        f"/secretariat/organisations/{other.slug}"
    ).get_data(as_text=True)
    login_as(client, rep_a)
    form = client.get("/members/alpha-trust/edit").get_data(as_text=True)
    assert "/members/alpha-trust, follows the name" in form


def test_a_stray_row_for_the_present_slug_does_not_stop_a_rename(db, secretariat, org_a):
    db.session.add(OrganisationSlug(slug="alpha-org", organisation_id=org_a.id))
    db.session.commit()
    rename(secretariat, org_a, "Alpha Trust")
    assert services.retired_slugs(org_a) == ["alpha-org"]
    row = db.session.get(OrganisationSlug, "alpha-org")
    assert row.was_listed and row.retired_at is not None


def test_the_open_data_page_says_old_slugs_redirect(client, db):
    assert "its old one answers 301" in client.get("/open-data").get_data(as_text=True)
