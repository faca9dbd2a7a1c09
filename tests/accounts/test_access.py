from tests.access import LOGIN, make_world, walk

PUBLIC = {"anon": 200, "rep_a": 200, "rep_b": 200, "sec": 200}
LOGGED_IN = {"anon": LOGIN, "rep_a": 200, "rep_b": 200, "sec": 200}
SECRETARIAT = {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 200}

ACCESS = {
    "core.home": (lambda w: "/", PUBLIC),
    "core.healthz": (lambda w: "/healthz", PUBLIC),
    "core.audit": (lambda w: "/secretariat/audit", SECRETARIAT),
    "accounts.login": (lambda w: "/login", {"anon": 200, "rep_a": 302, "rep_b": 302, "sec": 302}),
    "accounts.logout": (lambda w: "/logout", {"anon": 302, "rep_a": 200, "rep_b": 200, "sec": 200}),
    "accounts.dashboard": (lambda w: "/dashboard", LOGGED_IN),
    "accounts.account": (lambda w: "/account", LOGGED_IN),
    "accounts.forgot_password": (lambda w: "/password/forgot", PUBLIC),
    "accounts.reset_password": (
        lambda w: "/password/reset/not-a-token",
        dict.fromkeys(PUBLIC, 400),
    ),
    "accounts.accept_invitation": (lambda w: "/invitation/not-a-token", dict.fromkeys(PUBLIC, 400)),
    "accounts.users": (lambda w: "/secretariat/users", SECRETARIAT),
}


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    db.session.commit()
    walk(app, make_world(secretariat, org_a, org_b, rep_a, rep_b), ACCESS)
