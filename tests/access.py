"""The authorisation walk: who gets 200, 302-to-login, 403 or 404 on every GET route.

Each domain has `tests/<domain>/test_access.py` with a table
`ACCESS = {endpoint: (url_builder, {"anon": ..., "rep_a": ..., "rep_b": ..., "sec": ...})}`
where `url_builder(world)` returns the URL to fetch, and a test that calls
`walk(app, world, ACCESS)`. `tests/test_route_coverage.py` fails when a GET route of the
app appears in no table, so a new page cannot ship without its access rules.

The world: org A with representative rep_a, org B with rep_b, a secretariat user, plus
whatever objects the domain's test builds (org A's drafts, evidence, …).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.conftest import login_as

LOGIN = "login"  # expectation: 302 to the login page


@dataclass
class World:
    secretariat: object
    org_a: object
    org_b: object
    rep_a: object
    rep_b: object
    extra: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["extra"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def users(self) -> dict:
        return {"anon": None, "rep_a": self.rep_a, "rep_b": self.rep_b, "sec": self.secretariat}


def make_world(secretariat, org_a, org_b, rep_a, rep_b, **extra) -> World:
    return World(secretariat, org_a, org_b, rep_a, rep_b, extra)


def walk(app, world: World, table: dict) -> None:
    failures = []
    for endpoint, (build_url, expected) in table.items():
        url = build_url(world)
        for who, want in expected.items():
            client = app.test_client()
            user = world.users()[who]
            if user is not None:
                login_as(client, user)
            response = client.get(url)
            got = response.status_code
            if want == LOGIN:
                ok = got == 302 and "/login" in response.headers.get("Location", "")
            else:
                ok = got == want
            if not ok:
                failures.append(f"{endpoint} {url} as {who}: expected {want}, got {got}")
    assert not failures, "\n".join(failures)
