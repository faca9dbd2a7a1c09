"""Demo data for `make run`: a fictional alliance that makes every page look alive.

Each domain seeds its part in its own module, through the domain services where they exist.
`load_demo()` is idempotent: it does nothing once the demo secretariat account exists.
"""

from __future__ import annotations

import random

from app.accounts.models import User
from app.db import db

SECRETARIAT_EMAIL = "secretariat@demo.pactum.example"
REPRESENTATIVE_EMAIL = "rep@northwind.example"
DEMO_PASSWORD = "pactum-demo-2026"  # noqa: S105  (published in the README on purpose)

DEMO_LOGINS = [
    ("secretariat", SECRETARIAT_EMAIL, DEMO_PASSWORD),
    ("representative", REPRESENTATIVE_EMAIL, DEMO_PASSWORD),
]


def load_demo() -> bool:
    from sqlalchemy import select

    if db.session.scalar(select(User.id).where(User.email == SECRETARIAT_EMAIL)):
        return False
    rng = random.Random(2026)
    from app.demo import charter, members, reporting, transparency

    secretariat = charter.seed_secretariat()
    versions = charter.seed(secretariat)
    orgs = members.seed(secretariat, versions, rng)
    cycles = reporting.seed(secretariat, versions, orgs, rng)
    transparency.seed(secretariat, cycles)
    db.session.flush()
    return True
