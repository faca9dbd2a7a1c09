from tests.access import LOGIN, make_world, walk

SECRETARIAT = {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 200}

ACCESS = {
    "mail.outbox": (lambda w: "/secretariat/mail", SECRETARIAT),
}


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    db.session.commit()
    walk(app, make_world(secretariat, org_a, org_b, rep_a, rep_b), ACCESS)
