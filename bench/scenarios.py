"""The scenarios `make bench` measures, and the targets of issues 7 and 15 they are held to.

Paths may name values found in the generated data ({country}, {sector}, {query}, {slug},
and for the transparency centre {closed_year}, {principle}, {lineage}, {compare},
{search}); `discover()` picks them: the most common country, its most common sector, a
frequent name word, the listed member with the richest profile (most reports, then
pledges), the latest closed cycle, the first principle of the charter in force it reported
on and that principle's first public question, three members with accepted reports that
year, and a word of a public answer in the search index.
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
# Issue 15, the transparency centre (uncached pages have their own ratio and p99 targets).
CENTRE_UNCACHED_RATIO = 0.15
SEARCH_P99_MS = 100


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
    # "": memory not watched; "warm": growth while streaming, after a warm-up request;
    # "cold": growth from before the first request (which builds the file) to the end
    stream: str = ""

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
    Scenario("csv", "Full /members.csv", "/members.csv", targets=("stream",), stream="warm"),
    Scenario("dashboard", "Representative's dashboard", "/dashboard", login=True),
    # The transparency centre (issue 15): cached pages against bare Flask, uncached pages with
    # filters, search, the API's lists and the open-data zip's memory.
    Scenario("principles", "Principles map", "/principles", targets=("p99", "cached")),
    Scenario("principle", "Principle page", "/principles/{principle}", targets=("p99", "cached")),
    Scenario(
        "principle-uncached",
        "Principle page with filters, uncached",
        "/principles/{principle}?year={closed_year}&country={country}&category=company",
        server="uncached",
        targets=("p99", "centre_uncached"),
    ),
    Scenario(
        "question",
        "Question over the years",
        "/principles/{principle}/questions/{lineage}",
        targets=("p99", "cached"),
    ),
    Scenario(
        "question-uncached",
        "Question page with filters, uncached",
        "/principles/{principle}/questions/{lineage}?country={country}&sort=member",
        server="uncached",
        targets=("p99", "centre_uncached"),
    ),
    Scenario(
        "member-report",
        "Member report page",
        "/members/{slug}/reports/{closed_year}",
        targets=("p99", "cached"),
    ),
    Scenario(
        "compare",
        "Three members compared",
        "/compare?members={compare}&year={closed_year}",
        targets=("p99", "cached"),
    ),
    Scenario(
        "search",
        "Search of public answers, uncached",
        "/search?q={search}",
        server="uncached",
        targets=("search_p99",),
    ),
    Scenario(
        "search-filtered",
        "Search with filters, uncached",
        "/search?q={search}&year={closed_year}&country={country}",
        server="uncached",
        targets=("search_p99",),
    ),
    Scenario(
        "api-reports",
        "API /api/v1/reports, uncached",
        "/api/v1/reports?year={closed_year}&per_page=100",
        server="uncached",
        targets=("p99",),
    ),
    Scenario(
        "api-answers",
        "API /api/v1/answers, uncached",
        "/api/v1/answers?year={closed_year}&principle={principle}&per_page=100",
        server="uncached",
        targets=("p99",),
    ),
    Scenario(
        "api-pledges",
        "API /api/v1/pledges, uncached",
        "/api/v1/pledges?country={country}&per_page=100",
        server="uncached",
        targets=("p99",),
    ),
    Scenario(
        "opendata-zip",
        "Open-data zip of the latest closed year",
        "/open-data/{closed_year}.zip",
        targets=("stream",),
        stream="cold",
    ),
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
    "centre_uncached": f"≥ {CENTRE_UNCACHED_RATIO}× bare",
    "search_p99": f"p99 ≤ {SEARCH_P99_MS} ms",
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
            centre = _centre(q, slug)
    finally:
        engine.dispose()
    return {
        **centre,
        "country": country,
        "sector": sector,
        "query": "secure",
        "slug": slug,
        "year": year,
        "dashboard_rep": reps[0] if reps else None,
        "count_rep": reps[1] if len(reps) > 1 else None,
        "savers": reps[2 : 2 + savers],
    }


def _centre(q, slug: str) -> dict:
    """The transparency centre's values: the latest closed cycle, a principle of the charter
    in force it reported on, that principle's first public question, three members with an
    accepted report that year (the richest profile first), a word of a public answer."""
    closed_year = q("SELECT max(year) FROM reporting_cycles WHERE status = 'closed'").scalar()
    found = q(
        "SELECT pt.number, pt.principle_id, c.id FROM principle_texts pt "
        "JOIN charter_versions v ON v.id = pt.version_id AND v.status = 'published' "
        "JOIN sections s ON s.principle_id = pt.principle_id "
        "JOIN reporting_cycles c ON c.id = s.cycle_id "
        f"WHERE c.year = {int(closed_year or 0)} "
        "ORDER BY v.number DESC, pt.number LIMIT 1"
    ).first()
    number, principle_id, cycle_id = found or (1, 0, 0)
    lineage = (
        q(
            "SELECT q.lineage FROM questions q JOIN sections s ON s.id = q.section_id "
            f"WHERE s.principle_id = {int(principle_id)} AND s.cycle_id = {int(cycle_id)} "
            "AND q.is_public AND q.type <> 'evidence' ORDER BY s.position, q.position LIMIT 1"
        ).scalar()
        or "unknown"
    )
    others = [
        row[0]
        for row in q(
            "SELECT o.slug FROM organisations o JOIN reports r ON r.organisation_id = o.id "
            f"WHERE r.cycle_id = {int(cycle_id)} AND r.state = 'accepted' "
            f"AND o.status = 'active' AND o.slug <> '{slug}' ORDER BY o.id LIMIT 2"
        ).fetchall()
    ]
    body = (
        q(
            "SELECT body FROM search_entries WHERE kind = 'answer' AND length(body) > 20 "
            "ORDER BY id LIMIT 1"
        ).scalar()
        or ""
    )
    words = sorted((w.strip(".,;:()").lower() for w in body.split()), key=len, reverse=True)
    return {
        "closed_year": closed_year or 0,
        "principle": number,
        "lineage": lineage,
        "compare": ",".join([slug, *others]),
        "search": next((w for w in words if w.isalpha()), "security"),
    }
