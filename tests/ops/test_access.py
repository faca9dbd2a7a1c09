"""Who may read /metrics: without PACTUM_METRICS_TOKEN, anyone on this machine (the test
client is 127.0.0.1), whatever their role; everyone else is refused (tests/ops/test_metrics.py
covers the token and the far address)."""

from tests.access import make_world, walk

LOOPBACK = {"anon": 200, "rep_a": 200, "rep_b": 200, "sec": 200}

ACCESS = {
    "ops.metrics": (lambda w: "/metrics", LOOPBACK),
}


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    db.session.commit()
    walk(app, make_world(secretariat, org_a, org_b, rep_a, rep_b), ACCESS)
