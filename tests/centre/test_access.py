"""Who may see the transparency centre: everyone, the same pages; unknown principles,
questions, members and years are 404 for everyone."""

from tests.access import make_world, walk
from tests.centre.conftest import build_centre_world

PUBLIC = {"anon": 200, "rep_a": 200, "rep_b": 200, "sec": 200}

ACCESS = {
    "centre.principle_map": (lambda w: "/principles", PUBLIC),
    "centre.principle": (lambda w: "/principles/1", PUBLIC),
    "centre.question": (lambda w: "/principles/1/questions/mfa", PUBLIC),
    "centre.member_report": (lambda w: "/members/alpha-security/reports/2025", PUBLIC),
    "centre.compare": (lambda w: "/compare?members=alpha-security,beta-rights&year=2025", PUBLIC),
}

MISSING = {
    "no such principle": "/principles/99",
    "principle zero": "/principles/0",
    "a huge principle number": "/principles/99999999999999999999",
    "no such question": "/principles/1/questions/nope",
    "a question of another principle": "/principles/2/questions/mfa",
    "a non-public question": "/principles/1/questions/secret",
    "an evidence question": "/principles/2/questions/policy",
    "no such member": "/members/nobody/reports/2025",
    "no such year": "/members/alpha-security/reports/1999",
    "a report never accepted": "/members/gamma-cloud/reports/2024",
    "compare an unknown member": "/compare?members=alpha-security,nobody",
    "compare in a year without reports": "/compare?members=alpha-security,beta-rights&year=2019",
}


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    build_centre_world(db)
    db.session.commit()
    walk(app, make_world(secretariat, org_a, org_b, rep_a, rep_b), ACCESS)


def test_missing_things_are_404_for_everyone(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    build_centre_world(db)
    db.session.commit()
    table = {
        name: (lambda w, url=url: url, dict.fromkeys(PUBLIC, 404)) for name, url in MISSING.items()
    }
    walk(app, make_world(secretariat, org_a, org_b, rep_a, rep_b), table)
