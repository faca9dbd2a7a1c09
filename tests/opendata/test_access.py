"""Who may open the open-data pages: everyone, the same page."""

from tests.access import make_world, walk
from tests.transparency.builders import make_cycle, make_report

PUBLIC = {"anon": 200, "rep_a": 200, "rep_b": 200, "sec": 200}

ACCESS = {
    "opendata.search_page": (lambda w: "/search?q=security", PUBLIC),
    "opendata_api.reports": (lambda w: "/api/v1/reports", PUBLIC),
    "opendata_api.report": (lambda w: f"/api/v1/reports/{w.org_a.slug}/2025", PUBLIC),
    "opendata_api.answers": (lambda w: "/api/v1/answers", PUBLIC),
    "opendata_api.pledges": (lambda w: "/api/v1/pledges", PUBLIC),
    "opendata_api.principles": (lambda w: "/api/v1/principles", PUBLIC),
    "opendata.open_data_zip": (lambda w: "/open-data/2025.zip", PUBLIC),
    "opendata.reports_feed": (lambda w: "/reports/feed.atom", PUBLIC),
}


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    make_report(make_cycle(2025), org_a)
    db.session.commit()
    walk(app, make_world(secretariat, org_a, org_b, rep_a, rep_b), ACCESS)
