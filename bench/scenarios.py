"""The scenarios `make bench` measures, and the targets of issue 7 they are held to.

Paths may name values found in the generated data ({country}, {sector}, {query}, {slug});
`discover()` picks them: the most common country, its most common sector, a frequent name
word, and the listed member with the richest profile (most reports, then pledges).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

# Targets (2 cores, 32 connections, load generator on the same machine).
PUBLIC_P99_MS = 50
DRAFT_P99_MS = 100
CACHED_RATIO = 0.5
UNCACHED_DIRECTORY_RATIO = 0.15
STREAM_GROWTH_MB = 32  # a streamed CSV must not hold its rows: growth stays below this


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    path: str = ""
    # "app": production settings; "uncached": the page cache off (--uncached none: every cache)
    server: str = "app"
    login: bool = False
    kind: str = "wrk"  # "wrk", "drafts"
    targets: tuple[str, ...] = ()

    def url(self, params: dict) -> str:
        return self.path.format(**params)


SCENARIOS = [
    Scenario("home", "Home page", "/", targets=("p99", "cached")),
    Scenario("charter", "Charter", "/charter", targets=("p99", "cached")),
    Scenario("members", "Members, page 1", "/members", targets=("p99", "cached")),
    Scenario(
        "members-uncached",
        "Members, page 1, uncached",
        "/members",
        server="uncached",
        targets=("p99", "uncached"),
    ),
    Scenario("members-p400", "Members, page 400", "/members?page=400", targets=("p99",)),
    Scenario(
        "members-filtered",
        "Members by country and sector",
        "/members?country={country}&sector={sector}",
        targets=("p99",),
    ),
    Scenario(
        "members-search",
        "Members searched by name (uncached)",
        "/members?q={query}",
        server="uncached",
        targets=("p99",),
    ),
    Scenario("profile", "Member profile", "/members/{slug}", targets=("p99", "cached")),
    Scenario("api", "API /api/v1/members", "/api/v1/members", targets=("p99", "cached")),
    Scenario("csv", "Full /members.csv", "/members.csv", targets=("stream",)),
    Scenario("dashboard", "Representative's dashboard", "/dashboard", login=True),
    Scenario(
        "drafts",
        "Draft saves, representatives at once",
        kind="drafts",
        targets=("draft_p99", "no_lost"),
    ),
]

TARGET_TEXT = {
    "p99": f"p99 ≤ {PUBLIC_P99_MS} ms",
    "cached": f"≥ {CACHED_RATIO}× bare",
    "uncached": f"≥ {UNCACHED_DIRECTORY_RATIO}× bare",
    "stream": f"memory flat (< {STREAM_GROWTH_MB} MB growth)",
    "draft_p99": f"p99 ≤ {DRAFT_P99_MS} ms",
    "no_lost": "no save lost",
}


def discover(database_url: str, savers: int) -> dict:
    """Values for the scenario paths and the logged-in journeys, read from the database."""
    engine = sa.create_engine(database_url)
    listed = "('active','non_communicating','suspended','delisted','withdrawn')"
    try:
        with engine.connect() as conn:
            q = conn.exec_driver_sql
            country = (
                q(
                    f"SELECT country FROM organisations WHERE status IN {listed} "
                    "AND joined_on IS NOT NULL GROUP BY country ORDER BY count(*) DESC, "
                    "country LIMIT 1"
                ).scalar()
                or "US"
            )
            sector = (
                q(
                    "SELECT s.slug FROM organisations o JOIN sectors s ON s.id = o.sector_id "
                    f"WHERE o.country = '{country}' GROUP BY s.slug "
                    "ORDER BY count(*) DESC, s.slug LIMIT 1"
                ).scalar()
                or ""
            )
            slug = (
                q(
                    "SELECT o.slug FROM organisations o "
                    "LEFT JOIN (SELECT organisation_id, count(*) AS n FROM reports "
                    "WHERE state = 'accepted' GROUP BY organisation_id) r ON r.organisation_id = o.id "
                    "LEFT JOIN (SELECT organisation_id, count(*) AS n FROM pledges WHERE is_public "
                    "GROUP BY organisation_id) p ON p.organisation_id = o.id "
                    "WHERE o.status = 'active' ORDER BY coalesce(r.n, 0) DESC, coalesce(p.n, 0) DESC, "
                    "o.id LIMIT 1"
                ).scalar()
                or "unknown"
            )
            year = q(
                "SELECT year FROM reporting_cycles WHERE status = 'open' ORDER BY year DESC LIMIT 1"
            ).scalar()
            # Representatives with a draft in the open cycle, one per organisation.
            reps = q(
                "SELECT u.id, u.email, u.organisation_id, u.session_token FROM users u "
                "JOIN reports r ON r.organisation_id = u.organisation_id "
                "JOIN reporting_cycles c ON c.id = r.cycle_id AND c.status = 'open' "
                "WHERE u.role = 'representative' AND u.active "
                "AND u.id = (SELECT min(u2.id) FROM users u2 "
                "            WHERE u2.organisation_id = u.organisation_id) "
                "ORDER BY u.id"
            ).fetchall()
    finally:
        engine.dispose()
    return {
        "country": country,
        "sector": sector,
        "query": "secure",
        "slug": slug,
        "year": year,
        "dashboard_rep": reps[0] if reps else None,
        "count_rep": reps[1] if len(reps) > 1 else None,
        "savers": reps[2 : 2 + savers],
    }
