"""Who may open the open-data pages: everyone, the same page."""

from tests.access import make_world, walk

PUBLIC = {"anon": 200, "rep_a": 200, "rep_b": 200, "sec": 200}

ACCESS = {
    "opendata.search_page": (lambda w: "/search?q=security", PUBLIC),
}


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    walk(app, make_world(secretariat, org_a, org_b, rep_a, rep_b), ACCESS)
