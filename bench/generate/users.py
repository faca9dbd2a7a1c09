"""The accounts: the secretariat, and representatives (one, every tenth member two) for a
sample of the members, all with the published password."""

from __future__ import annotations

from argon2 import PasswordHasher

from bench.generate.common import timestamp
from bench.generate.loader import Loader
from bench.generate.sizes import PASSWORD, SECRETARIAT_EMAIL
from bench.generate.state import Alliance
from bench.generate.words import FIRST, LAST, TITLES

USER_COLUMNS = [
    "id",
    "email",
    "name",
    "job_title",
    "role",
    "organisation_id",
    "password_hash",
    "session_token",
    "active",
    "created_at",
    "last_login_at",
]


def load(g: Alliance, loader: Loader) -> None:
    """Load the users; sets `g.rep_orgs`, `g.user_info` and each chosen member's `rep_ids`."""
    rng = g.rng
    password_hash = PasswordHasher().hash(PASSWORD)
    members = [o for o in g.orgs if o.status in ("active", "non_communicating")]
    # Representatives for the first members to have reported most: busy dashboards.
    rng.shuffle(members)
    chosen = sorted(members[: g.sizes.representatives], key=lambda o: o.id)
    rows = [
        (
            1,
            SECRETARIAT_EMAIL,
            "Sam Secretariat",
            "Secretariat",
            "secretariat",
            None,
            password_hash,
            f"bench-sec-{rng.getrandbits(48):x}",
            True,
            timestamp(g.founded, rng),
            timestamp(g.today, rng),
        )
    ]
    uid = 1
    for i, org in enumerate(chosen, 1):
        for extra in range(2 if i % 10 == 0 else 1):
            uid += 1
            email = f"rep{i:05d}{'b' if extra else ''}@bench.pactum.example"
            rows.append(
                (
                    uid,
                    email,
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    rng.choice(TITLES),
                    "representative",
                    org.id,
                    password_hash,
                    f"bench-{uid}-{rng.getrandbits(48):x}",
                    True,
                    timestamp(org.joined_on or org.applied_on, rng),
                    timestamp(g.today, rng),
                )
            )
            org.rep_ids.append(uid)
    g.rep_orgs = chosen
    g.user_info = {row[0]: {"id": row[0], "name": row[2], "email": row[1]} for row in rows}
    loader.load("users", USER_COLUMNS, rows)
