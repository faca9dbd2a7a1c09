from tests.access import LOGIN, make_world, walk

LOGGED_IN = {"anon": LOGIN, "rep_a": 200, "rep_b": 200, "sec": 200}
SECRETARIAT = {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 200}

ACCESS = {
    "mfa.setup": (lambda w: "/account/second-factor", LOGGED_IN),
    # Without a password step just passed, the code step sends everyone back to the login.
    "mfa.code": (lambda w: "/login/code", dict.fromkeys(LOGGED_IN, 302)),
    "mfa.admin_reset": (lambda w: f"/secretariat/users/{w.rep_a.id}/second-factor", SECRETARIAT),
}


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    db.session.commit()
    walk(app, make_world(secretariat, org_a, org_b, rep_a, rep_b), ACCESS)
