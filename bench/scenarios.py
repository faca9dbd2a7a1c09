"""The scenarios `make bench` measures, and the targets of issues 7 and 20 they are held to.

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
COLD_RATIO = 0.15  # a page after a write (every cache off), and the dashboard (issue 20)
UNCACHED_DIRECTORY_RATIO = COLD_RATIO  # its former name
STREAM_GROWTH_MB = 32  # a streamed CSV must not hold its rows: growth stays below this
COLD_GROWTH = 1.5  # a cold directory page at 100,000 organisations / at 1,000 (GROWTH=1)


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    path: str = ""
    # "app": production settings (page and fragment caches on, warm: what a visitor gets
    # between writes); "cold": every cache off (what a request costs after a write to
    # organisations, or for a filter set or search nobody asked for yet)
    server: str = "app"
    login: bool = False
    kind: str = "wrk"  # "wrk", "drafts", "deadline"
    targets: tuple[str, ...] = ()

    def url(self, params: dict) -> str:
        return self.path.format(**params)


_WARM = "page cache warm"
_COLD = "every cache off (as after a write)"
SCENARIOS = [
    Scenario("home", f"Home page, {_WARM}", "/", targets=("p99", "cached")),
    Scenario("charter", f"Charter, {_WARM}", "/charter", targets=("p99", "cached")),
    Scenario("members", f"Members, page 1, {_WARM}", "/members", targets=("p99", "cached")),
    Scenario(
        "members-cold",
        f"Members, page 1, {_COLD}",
        "/members",
        server="cold",
        targets=("p99", "cold"),
    ),
    Scenario("members-p400", f"Members, page 400, {_WARM}", "/members?page=400", targets=("p99",)),
    Scenario(
        "members-filtered",
        f"Members by country and sector, {_WARM}",
        "/members?country={country}&sector={sector}",
        targets=("p99",),
    ),
    Scenario(
        "members-filtered-cold",
        f"Members by country and sector, {_COLD}",
        "/members?country={country}&sector={sector}",
        server="cold",
        targets=("p99", "cold"),
    ),
    Scenario(
        "members-search-cold",
        f"Members searched by name, {_COLD}",
        "/members?q={query}",
        server="cold",
        targets=("p99", "cold"),
    ),
    Scenario("profile", f"Member profile, {_WARM}", "/members/{slug}", targets=("p99", "cached")),
    Scenario("profile-cold", f"Member profile, {_COLD}", "/members/{slug}", server="cold"),
    Scenario("api", f"API /api/v1/members, {_WARM}", "/api/v1/members", targets=("p99", "cached")),
    Scenario("csv", "Full /members.csv", "/members.csv", targets=("stream",)),
    Scenario(
        "dashboard",
        "Representative's dashboard (private: never cached)",
        "/dashboard",
        login=True,
        targets=("p99", "cold"),
    ),
    Scenario(
        "drafts",
        "Draft saves, representatives at once",
        kind="drafts",
        targets=("draft_p99", "no_lost"),
    ),
    Scenario(
        "deadline",
        "Deadline day: representatives log in, save and submit; visitors read",
        kind="deadline",
        targets=("no_lost",),
    ),
]

TARGET_TEXT = {
    "p99": f"p99 ≤ {PUBLIC_P99_MS} ms",
    "cached": f"≥ {CACHED_RATIO}× bare",
    "cold": f"≥ {COLD_RATIO}× bare",
    "uncached": f"≥ {COLD_RATIO}× bare",
    "stream": f"memory flat (< {STREAM_GROWTH_MB} MB growth)",
    "draft_p99": f"p99 ≤ {DRAFT_P99_MS} ms",
    "no_lost": "no save lost",
}


def discover(database_url: str, savers: int, deadline: int = 0) -> dict:
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
                "SELECT u.id, u.email, u.organisation_id, u.session_token, "
                "r.officer_name <> '' AS ready FROM users u "
                "JOIN reports r ON r.organisation_id = u.organisation_id "
                "JOIN reporting_cycles c ON c.id = r.cycle_id AND c.status = 'open' "
                "WHERE u.role = 'representative' AND u.active "
                "AND u.id = (SELECT min(u2.id) FROM users u2 "
                "            WHERE u2.organisation_id = u.organisation_id) "
                "ORDER BY u.id"
            ).fetchall()
    finally:
        engine.dispose()
    ready = [r for r in reps if r[4]]
    others = [r for r in reps if not r[4]]
    return {
        "country": country,
        "sector": sector,
        "query": "secure",
        "slug": slug,
        "year": year,
        "dashboard_rep": others[0][:4] if others else None,
        "count_rep": others[1][:4] if len(others) > 1 else None,
        "savers": [r[:4] for r in others[2 : 2 + savers]],
        # The deadline day's representatives: those whose draft is complete, ready to submit
        # (bench/generate/drafts.py); none of them saves in the draft rush.
        "deadline_reps": [r[:4] for r in ready[:deadline]],
    }
