"""Demo data for `make run`: a fictional alliance that makes every page look alive.

Each domain seeds its part in its own module, through the domain services where they exist.
`load_demo()` is idempotent: it does nothing once the demo secretariat account exists.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from app.accounts.models import User
from app.db import db
from app.demo import charter, members, reporting, transparency
from app.demo.common import (  # noqa: F401  (the demo's accounts, for the CLI and tests)
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    REPRESENTATIVE_EMAIL,
    SECRETARIAT_EMAIL,
)


def load_demo() -> bool:
    if db.session.scalar(select(User.id).where(User.email == SECRETARIAT_EMAIL)):
        return False
    rng = random.Random(2026)
    secretariat = charter.seed_secretariat()
    versions = charter.seed(secretariat)
    orgs = members.seed(secretariat, versions, rng)
    cycles = reporting.seed(secretariat, versions, orgs, rng)
    transparency.seed(secretariat, cycles)
    db.session.flush()
    return True
