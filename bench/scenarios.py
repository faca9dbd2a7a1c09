"""The scenarios `make bench` measures, and the targets of issues 7, 15 and 20 they are held to.

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
COLD_RATIO = 0.15  # a page after a write (every cache off), and the dashboard (issue 20)
UNCACHED_DIRECTORY_RATIO = COLD_RATIO  # its former name
STREAM_GROWTH_MB = 32  # a streamed CSV must not hold its rows: growth stays below this
# Issue 15, the transparency centre (uncached pages have their own ratio and p99 targets).
CENTRE_UNCACHED_RATIO = 0.15
SEARCH_P99_MS = 100
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
    # "": memory not watched; "warm": growth while streaming, after a warm-up request;
    # "cold": growth from before the first request (which builds the file) to the end
    stream: str = ""

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
    Scenario("csv", "Full /members.csv", "/members.csv", targets=("stream",), stream="warm"),
    Scenario(
        "dashboard",
        "Representative's dashboard (private: never cached)",
        "/dashboard",
        login=True,
        targets=("p99", "cold"),
    ),
    # The transparency centre (issue 15): cached pages against bare Flask, uncached pages with
    # filters, search, the API's lists and the open-data zip's memory.
    Scenario("principles", f"Principles map, {_WARM}", "/principles", targets=("p99", "cached")),
    Scenario(
        "principle",
        f"Principle page, {_WARM}",
        "/principles/{principle}",
        targets=("p99", "cached"),
    ),
    Scenario(
        "principle-uncached",
        "Principle page with filters, " + _COLD,
        "/principles/{principle}?year={closed_year}&country={country}&category=company",
        server="cold",
        targets=("p99", "centre_uncached"),
    ),
    Scenario(
        "question",
        f"Question over the years, {_WARM}",
        "/principles/{principle}/questions/{lineage}",
        targets=("p99", "cached"),
    ),
    Scenario(
        "question-uncached",
        "Question page with filters, " + _COLD,
        "/principles/{principle}/questions/{lineage}?country={country}&sort=member",
        server="cold",
        targets=("p99", "centre_uncached"),
    ),
    Scenario(
        "member-report",
        f"Member report page, {_WARM}",
        "/members/{slug}/reports/{closed_year}",
        targets=("p99", "cached"),
    ),
    Scenario(
        "compare",
        f"Three members compared, {_WARM}",
        "/compare?members={compare}&year={closed_year}",
        targets=("p99", "cached"),
    ),
    Scenario(
        "search",
        "Search of public answers, " + _COLD,
        "/search?q={search}",
        server="cold",
        targets=("search_p99",),
    ),
    Scenario(
        "search-filtered",
        "Search with filters, " + _COLD,
        "/search?q={search}&year={closed_year}&country={country}",
        server="cold",
        targets=("search_p99",),
    ),
    Scenario(
        "api-reports",
        "API /api/v1/reports, " + _COLD,
        "/api/v1/reports?year={closed_year}&per_page=100",
        server="cold",
        targets=("p99",),
    ),
    Scenario(
        "api-answers",
        "API /api/v1/answers, " + _COLD,
        "/api/v1/answers?year={closed_year}&principle={principle}&per_page=100",
        server="cold",
        targets=("p99",),
    ),
    Scenario(
        "api-pledges",
        "API /api/v1/pledges, " + _COLD,
        "/api/v1/pledges?country={country}&per_page=100",
        server="cold",
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
    "centre_uncached": f"≥ {CENTRE_UNCACHED_RATIO}× bare",
    "search_p99": f"p99 ≤ {SEARCH_P99_MS} ms",
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
            centre = _centre(q, slug)
    finally:
        engine.dispose()
    ready = [r for r in reps if r[4]]
    others = [r for r in reps if not r[4]]
    return {
        **centre,
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
