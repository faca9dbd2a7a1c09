"""Who may GET each members page and API route."""

from app.core.services import store_file
from tests.access import LOGIN, make_world, walk
from tests.factories import make_org
from tests.members import builders

PUBLIC = {"anon": 200, "rep_a": 200, "rep_b": 200, "sec": 200}
OWN_ORG = {"anon": LOGIN, "rep_a": 200, "rep_b": 403, "sec": 200}
SECRETARIAT = {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 200}

ACCESS = {
    "members.directory": (lambda w: "/members", PUBLIC),
    "members.profile": (lambda w: f"/members/{w.org_a.slug}", PUBLIC),
    "members.logo": (lambda w: f"/members/{w.org_a.slug}/logo", PUBLIC),
    "members.join": (lambda w: "/join", PUBLIC),
    "members.join_submitted": (lambda w: "/join/submitted", PUBLIC),
    "members.api_docs": (lambda w: "/open-data", PUBLIC),
    "members.csv_export": (lambda w: "/members.csv", PUBLIC),
    "members.feed": (lambda w: "/members/feed.atom", PUBLIC),
    "api.members": (lambda w: "/api/v1/members", PUBLIC),
    "api.member": (lambda w: f"/api/v1/members/{w.org_a.slug}", PUBLIC),
    "api.openapi": (lambda w: "/api/v1/openapi.json", PUBLIC),
    "members.edit": (lambda w: f"/members/{w.org_a.slug}/edit", OWN_ORG),
    "members.endorse": (lambda w: f"/members/{w.org_a.slug}/endorse", OWN_ORG),
    "members.pledges": (lambda w: f"/members/{w.org_a.slug}/pledges", OWN_ORG),
    "members.pledge_new": (lambda w: f"/members/{w.org_a.slug}/pledges/new", OWN_ORG),
    "members.pledge": (lambda w: f"/members/{w.org_a.slug}/pledges/{w.pledge_a.id}", OWN_ORG),
    "members.pledge_edit": (
        lambda w: f"/members/{w.org_a.slug}/pledges/{w.pledge_a.id}/edit",
        OWN_ORG,
    ),
    "members.admin_index": (lambda w: "/secretariat/organisations", SECRETARIAT),
    "members.admin_new": (lambda w: "/secretariat/organisations/new", SECRETARIAT),
    "members.admin_org": (lambda w: f"/secretariat/organisations/{w.org_a.slug}", SECRETARIAT),
    "members.admin_applications": (lambda w: "/secretariat/applications", SECRETARIAT),
    "members.admin_application": (
        lambda w: f"/secretariat/applications/{w.application.id}",
        SECRETARIAT,
    ),
    "members.admin_sectors": (lambda w: "/secretariat/sectors", SECRETARIAT),
    "members.admin_sector_edit": (
        lambda w: f"/secretariat/sectors/{w.org_a.sector_id}/edit",
        SECRETARIAT,
    ),
}

# The same pages for objects the visitor may not see, or that are not theirs.
HIDDEN = {
    "applicant profile": (
        lambda w: f"/members/{w.applicant.slug}",
        {"anon": 404, "rep_a": 404, "rep_b": 404, "sec": 200},
    ),
    "applicant API": (
        lambda w: f"/api/v1/members/{w.applicant.slug}",
        {"anon": 404, "rep_a": 404, "rep_b": 404, "sec": 404},
    ),
    "applicant logo": (
        lambda w: f"/members/{w.applicant.slug}/logo",
        {"anon": 404, "rep_a": 404, "rep_b": 404, "sec": 200},
    ),
    "unknown member": (lambda w: "/members/no-such-member", dict.fromkeys(PUBLIC, 404)),
    "member without logo": (lambda w: f"/members/{w.org_b.slug}/logo", dict.fromkeys(PUBLIC, 404)),
    "B's pledge under A's slug": (
        lambda w: f"/members/{w.org_a.slug}/pledges/{w.pledge_b.id}",
        {"anon": LOGIN, "rep_a": 404, "rep_b": 403, "sec": 404},
    ),
    "B's pledge edit under A's slug": (
        lambda w: f"/members/{w.org_a.slug}/pledges/{w.pledge_b.id}/edit",
        {"anon": LOGIN, "rep_a": 404, "rep_b": 403, "sec": 404},
    ),
    "unknown application": (
        lambda w: "/secretariat/applications/999999",
        {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 404},
    ),
    "unknown sector": (
        lambda w: "/secretariat/sectors/999999/edit",
        {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 404},
    ),
}


def _world(db, secretariat, org_a, org_b, rep_a, rep_b):
    version = builders.make_version(1)
    principles = builders.principles_of(version)
    org_a.logo_sha256 = store_file(builders.image_bytes(), "image/png").sha256
    applicant = make_org(name="Hopeful Org", status="applicant")
    applicant.logo_sha256 = org_a.logo_sha256
    application = builders.make_application(applicant, version)
    pledge_a = builders.make_pledge(org_a, principles[:1])
    pledge_b = builders.make_pledge(org_b, principles[:1], title="B's pledge")
    db.session.commit()
    return make_world(
        secretariat,
        org_a,
        org_b,
        rep_a,
        rep_b,
        applicant=applicant,
        application=application,
        pledge_a=pledge_a,
        pledge_b=pledge_b,
    )


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    walk(app, _world(db, secretariat, org_a, org_b, rep_a, rep_b), ACCESS)


def test_hidden_and_foreign_objects(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    walk(app, _world(db, secretariat, org_a, org_b, rep_a, rep_b), HIDDEN)
