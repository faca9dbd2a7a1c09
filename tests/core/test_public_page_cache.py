"""The page cache on the real public pages: anonymous visitors get stored pages (with ETag,
Last-Modified and 304s); any write that changes what a page shows makes it stale at once,
whichever way the write came in; logged-in visitors always get a fresh, private page."""

from __future__ import annotations

import datetime as dt

import pytest

from app import clock
from app.core.invalidation import TABLE_TOPICS, _topics_written
from app.db import db
from app.members import services as member_services
from app.members.models import Pledge
from app.members.slugs import change_slug
from tests.conftest import login_as
from tests.factories import make_org, make_user
from tests.members import builders
from tests.members.test_profiles import edit_data, post_edit

PAGES = [
    "/",
    "/charter",
    "/charter/versions",
    "/charter/v/1",
    "/charter.json",
    "/members",
    "/members?country=DE",
    "/members/{slug}",
    "/members/feed.atom",
    "/open-data",
    "/api/v1/members",
    "/api/v1/members/{slug}",
    "/api/v1/openapi.json",
    "/reports",
]


@pytest.fixture
def world(db):
    version = builders.make_version(1)
    org = make_org("Northwind Security", country="DE")
    builders.endorse(org, version)
    db.session.commit()
    return org


@pytest.mark.parametrize("template", PAGES)
def test_anonymous_visitors_get_the_stored_page_with_validators(client, world, template):
    url = template.format(slug=world.slug)
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["X-Pactum-Cache"] == "miss"
    second = client.get(url)
    assert second.headers["X-Pactum-Cache"] == "hit"
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Last-Modified"]
    assert "public" in second.headers["Cache-Control"]
    assert "Cookie" in second.headers["Vary"]
    again = client.get(url, headers={"If-None-Match": second.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    since = client.get(url, headers={"If-Modified-Since": second.headers["Last-Modified"]})
    assert since.status_code == 304


def test_an_edit_on_the_website_shows_at_once(app, client, world):
    assert b"Northwind Security" in client.get(f"/members/{world.slug}").data
    assert client.get("/members").headers["X-Pactum-Cache"] == "miss"
    assert client.get("/members").headers["X-Pactum-Cache"] == "hit"
    rep = make_user(organisation=world)
    db.session.commit()
    editor = app.test_client()
    login_as(editor, rep)
    response = post_edit(editor, world, edit_data(world, name="Northwind Trust"))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    for url in (f"/members/{world.slug}", "/members", f"/api/v1/members/{world.slug}"):
        page = client.get(url)
        assert page.headers["X-Pactum-Cache"] == "miss", url
        assert b"Northwind Trust" in page.data, url


def test_a_status_change_by_the_service_layer_shows_at_once(client, world):
    secretariat = make_user(role="secretariat")
    db.session.commit()
    assert client.get(f"/api/v1/members/{world.slug}").json["status"] == "active"
    client.get("/members?status=active")
    member_services.change_status(secretariat, world, "withdrawn", reason="Left the alliance")
    db.session.commit()
    assert client.get(f"/api/v1/members/{world.slug}").json["status"] == "withdrawn"
    active = client.get("/members?status=active")
    assert active.headers["X-Pactum-Cache"] == "miss"
    assert b"Northwind Security" not in active.data


def test_a_new_charter_version_shows_at_once(client, world):
    assert b"Charter v1" in client.get("/charter").data
    assert client.get("/charter").headers["X-Pactum-Cache"] == "hit"
    builders.make_version(2, effective=dt.date(2024, 1, 1))
    db.session.commit()
    page = client.get("/charter")
    assert page.headers["X-Pactum-Cache"] == "miss"
    assert b"Charter v2" in page.data


def test_a_rollback_leaves_the_cached_page_alone(client, world):
    client.get("/members")
    world.name = "Never Saved"
    db.session.flush()
    db.session.rollback()
    assert client.get("/members").headers["X-Pactum-Cache"] == "hit"


def test_pages_roll_over_at_midnight(client, world):
    clock.freeze(dt.date(2026, 3, 1))
    assert client.get("/charter").headers["X-Pactum-Cache"] == "miss"
    assert client.get("/charter").headers["X-Pactum-Cache"] == "hit"
    clock.freeze(dt.date(2026, 3, 2))
    assert client.get("/charter").headers["X-Pactum-Cache"] == "miss"


def test_logged_in_visitors_get_a_fresh_private_page(client, world):
    client.get("/members")
    login_as(client, make_user(organisation=world))
    db.session.commit()
    page = client.get("/members")
    assert page.headers["X-Pactum-Cache"] == "bypass"
    assert "private" in page.headers["Cache-Control"]


def test_language_is_part_of_the_key(client, world):
    english = client.get("/members", headers={"Accept-Language": "en"})
    french = client.get("/members", headers={"Accept-Language": "fr"})
    assert french.headers["X-Pactum-Cache"] == "miss"
    assert french.data != english.data
    assert client.get("/members", headers={"Accept-Language": "fr"}).data == french.data


# Which writes invalidate ---------------------------------------------------------------------

# Tables no public page shows, or whose public effect is announced by a signal instead (a
# draft save writes reports/answers/report_edits and must not empty the page cache; a login
# writes users). Adding a table forces a decision here.
NOT_PUBLIC = {
    "alembic_version",
    # the secretariat's translations of an annual report's texts: public only inside a
    # published edition (the `editions` row invalidates)
    "annual_report_translations",
    "answers",
    "applications",
    "audit_events",
    "build_jobs",
    "deadline_events",
    "evidence",
    "extensions",
    "member_report_pdfs",
    "outbox_attachments",
    "outbox_messages",
    "pledge_principles",
    # Public pages read only those of opened cycles' public questions, frozen with their
    # questionnaire (a draft cycle's, which the secretariat edits, are on no public page).
    "questionnaire_translations",
    "questions",
    "recovery_codes",
    "reminder_log",
    "report_edits",
    "report_pledges",
    "reports",
    "review_comments",
    "second_factors",
    "sections",
    "stored_files",
    "submitted_answers",
    "users",
}


def test_every_table_is_either_public_or_deliberately_not():
    tables = set(db.metadata.tables)
    undecided = tables - set(TABLE_TOPICS) - NOT_PUBLIC
    assert not undecided, f"decide whether writes to {sorted(undecided)} change public pages"
    assert not set(TABLE_TOPICS) - tables, "TABLE_TOPICS names a table that does not exist"


def test_a_login_and_a_draft_save_do_not_invalidate(world):
    user = make_user(organisation=world)
    db.session.commit()
    user.last_login_at = clock.now()
    assert not _topics_written(db.session)
    world.name = "Changed"
    assert _topics_written(db.session) >= {"members", "home"}
    db.session.rollback()


def test_the_streamed_csv_answers_conditional_requests_until_the_members_change(client, world):
    first = client.get("/members.csv")
    assert first.status_code == 200
    assert b"Northwind Security" in first.data
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/members.csv", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/members.csv", headers={"If-Modified-Since": modified}).status_code == 304
    other = client.get("/members.csv?country=FR", headers={"If-None-Match": etag})
    assert other.status_code == 200  # another query, another representation
    world.name = "Northwind Trust"
    db.session.commit()
    changed = client.get("/members.csv", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert b"Northwind Trust" in changed.data
    assert changed.headers["ETag"] != etag


def test_country_names_follow_the_visitor_language_but_data_exports_stay_english(client, world):
    assert "<dd>Allemagne</dd>" in client.get(
        f"/members/{world.slug}", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    assert "<dd>Germany</dd>" in client.get(
        f"/members/{world.slug}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    join = client.get("/join", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<option value="DE">Allemagne</option>' in join
    api = client.get(f"/api/v1/members/{world.slug}", headers={"Accept-Language": "fr"})
    assert api.json["country_name"] == "Germany"


# One member's write leaves every other member's pages cached (issue 20) -------------------


@pytest.fixture
def two_members(world):
    other = make_org("Southwind Labs", country="FR")
    builders.endorse(other, world.endorsements[0].charter_version)
    db.session.commit()
    return world, other


def _warm(client, *urls):
    for url in urls:
        client.get(url)
        assert client.get(url).headers["X-Pactum-Cache"] == "hit", url


def _state(client, url) -> str:
    return client.get(url).headers["X-Pactum-Cache"]


def test_editing_one_member_leaves_the_other_members_pages_cached(app, client, two_members):
    north, south = two_members
    south_pages = (f"/members/{south.slug}", f"/api/v1/members/{south.slug}")
    _warm(client, f"/members/{north.slug}", "/members", *south_pages)
    rep = make_user(organisation=north)
    db.session.commit()
    editor = app.test_client()
    login_as(editor, rep)
    response = post_edit(editor, north, edit_data(north, name="Northwind Trust"))
    assert response.status_code == 302
    assert _state(client, f"/members/{north.slug}") == "miss"
    assert _state(client, "/members") == "miss"  # the directory lists the new name
    for url in south_pages:
        assert _state(client, url) == "hit", url


def test_a_pledge_written_makes_only_its_members_pages_stale(client, two_members):
    north, south = two_members
    _warm(client, f"/members/{north.slug}", f"/members/{south.slug}")
    version = north.endorsements[0].charter_version
    builders.make_pledge(north, builders.principles_of(version)[:1], title="Patch in a week")
    db.session.commit()
    page = client.get(f"/members/{north.slug}")
    assert page.headers["X-Pactum-Cache"] == "miss"
    assert b"Patch in a week" in page.data
    assert _state(client, f"/members/{south.slug}") == "hit"


def test_a_write_whose_member_is_not_in_the_session_makes_every_member_page_stale(
    client, two_members
):
    north, south = two_members
    version = north.endorsements[0].charter_version
    pledge_id = builders.make_pledge(north, builders.principles_of(version)[:1]).id
    db.session.commit()
    north_url, south_url = f"/members/{north.slug}", f"/members/{south.slug}"
    _warm(client, north_url, south_url)
    db.session.expunge_all()  # the pledge's member is no longer known without a query
    pledge = db.session.get(Pledge, pledge_id)
    pledge.title = "Renamed pledge"
    db.session.commit()
    assert b"Renamed pledge" in client.get(north_url).data
    assert _state(client, south_url) == "miss"  # safe: all of them


def test_a_rename_makes_the_old_and_the_new_address_stale(client, two_members):
    north, south = two_members
    old = north.slug
    _warm(client, f"/members/{old}", f"/members/{south.slug}")
    change_slug(north, "northwind-trust")
    db.session.commit()
    assert client.get(f"/members/{old}").status_code == 301
    assert client.get("/members/northwind-trust").status_code == 200
    assert _state(client, f"/members/{south.slug}") == "hit"


def test_a_sector_renamed_makes_every_member_page_stale(client, two_members):
    north, south = two_members
    _warm(client, f"/members/{north.slug}", f"/members/{south.slug}")
    south.sector.name = "Software and services"
    db.session.commit()
    for org in (north, south):
        page = client.get(f"/members/{org.slug}")
        assert page.headers["X-Pactum-Cache"] == "miss"
        assert b"Software and services" in page.data
