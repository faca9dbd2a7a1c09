"""SQL statements per request do not grow with the data (issue 7).

Every public GET page (read from the app's URL map and the `tests/*/test_access*.py` tables:
every route the anonymous visitor may open), the dashboard of a representative and of the
secretariat, and the representative's report pages are fetched in a world of 10
organisations, then again after the world has grown to 1,000 organisations, and must run
exactly the same number of SQL statements.

The world is built once, in one test (so that pytest-xdist never builds it twice); the test
fails listing every page whose count differs, with the statements that differ. The first ten
organisations come from the same builders and services the other tests use (org A with its
representative, its reports and pledges) plus nine organisations bulk-inserted with
SQLAlchemy Core; growing it inserts 990
more organisations the same way, into every table the pages read: status histories,
applications, endorsements, pledges with principles and updates, closed cycles with accepted
reports (a submitted version with its snapshot and one `submitted_answers` row per question),
the open cycle's submitted reports, drafts with answers, and extension requests. Org A gets
more pledges and status changes, three more closed cycles with its reports appear, and a
second annual report is published, so the pages about one member and the archive have more
rows to show too.

What "more rows" means for the lists: in the small world every list a page shows has at least
one row but fewer than a full page (the directory and the feed show 9 members, of 24 and 50
a page; the review panel 3 reports of 5; org A has 2 pledges, then 22), so a query per row
shows up as a different count (`check_shapes` keeps it so). Lists that are already full in
the small world (the six latest status changes on the secretariat's
dashboard) compare a full list with a full list: their count proves only that it does not
depend on the totals.

Counts are of the uncached work: the page cache is switched off (the `pactum_cache`
extension state) and every server-side cache (fragments, the charter's PDF bytes, the stored
member report PDFs) is emptied after the warm-up request and before the measured one.

`/members.csv` streams the directory in keyset batches of `feeds.BATCH_SIZE` (1,000) rows,
one statement per batch so that memory stays flat: its count grows by one per 1,000 members
by design. Both worlds here fit in one batch (`check_shapes`), so it is compared like the
other pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from difflib import unified_diff
from types import SimpleNamespace

from sqlalchemy import bindparam, delete, func, insert, select, update

from app import clock
from app.accounts import services as account_services
from app.charter import present
from app.charter import services as charter_services
from app.charter.models import CharterVersion, Principle
from app.core.cache import cache
from app.core.models import AuditEvent
from app.core.services import store_file
from app.db import db
from app.members.models import (
    Application,
    Endorsement,
    Organisation,
    Pledge,
    PledgeUpdate,
    Sector,
    StatusChange,
    pledge_principles,
)
from app.reporting import filling
from app.reporting.models import (
    Answer,
    Extension,
    Report,
    ReportingCycle,
    ReportVersion,
    SubmittedAnswer,
)
from app.transparency.models import AnnualReport, Edition, MemberReportPdf
from app.transparency.opendata.indexing import reindex_all
from tests import factories
from tests.access import LOGIN
from tests.charter.builders import publish_charter
from tests.conftest import csrf_token, login_as
from tests.members import builders as member_builders
from tests.querycount import count_queries
from tests.reporting import builders_filling
from tests.test_route_coverage import _tables
from tests.transparency import builders as tb

SMALL, BIG = 10, 1_000
NOW = dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC)
OPEN_YEAR, CLOSED_YEAR = 2026, 2025
EXTRA_CLOSED_YEARS = (2022, 2023, 2024)  # appear when the world grows
CATEGORIES = ("company", "civil_society", "academia", "company")
REPORTING = ("company", "civil_society")
COUNTRIES = ("DE", "FR", "US", "KE", "BR", "JP", "IN", "NL", "ZA", "CA", "AU", "MX")
ANONYMOUS_OUTSIDE = {LOGIN, 401, 403, 404}

# The public pages are every public GET rule of the URL map (`public_rules`), their URLs built
# from these values of the world (an argument missing here fails
# `test_every_public_page_is_measured`), unless the endpoint needs a value of its own.
URL_ARGUMENTS: dict[str, Callable[[SimpleNamespace], object]] = {
    "slug": lambda w: w.org_a.slug,  # a member with a logo, pledges and accepted reports
    "year": lambda w: CLOSED_YEAR,  # a closed cycle with a published annual report
    "number": lambda w: 1,  # charter version 1; edition 1 of the annual report
    "a": lambda w: 1,  # charter versions compared
    "b": lambda w: 2,
}
URL_OVERRIDES: dict[str, Callable[[SimpleNamespace], str]] = {
    "accounts.reset_password": lambda w: f"/password/reset/{w.reset_token}",
    "accounts.accept_invitation": lambda w: f"/invitation/{w.invite_token}",
}

# Public pages with query strings that take other paths through the same views.
PUBLIC_VARIANTS: list[tuple[str, Callable[[SimpleNamespace], str]]] = [
    ("members.directory", lambda w: "/members?country=DE&category=company"),
    ("members.directory", lambda w: "/members?q=org&sort=newest"),
    ("members.directory", lambda w: "/members?sector=software&status=active&year=2023"),
    ("api.members", lambda w: "/api/v1/members?country=DE&per_page=100"),
    ("members.csv_export", lambda w: "/members.csv?category=company"),
    ("opendata.search_page", lambda w: "/search?q=answer+security"),
    ("opendata.search_page", lambda w: "/search?q=answer&year=2025&country=DE&category=company"),
    ("opendata_api.reports", lambda w: f"/api/v1/reports?year={CLOSED_YEAR}&per_page=100"),
    ("opendata_api.answers", lambda w: f"/api/v1/answers?year={CLOSED_YEAR}&per_page=100"),
    ("opendata_api.answers", lambda w: f"/api/v1/answers?member={w.org_a.slug}&principle=1"),
    ("opendata_api.pledges", lambda w: "/api/v1/pledges?per_page=100&country=DE"),
    ("charter.current", lambda w: "/charter?lang=fr"),
    ("charter.version", lambda w: "/charter/v/1?lang=de"),
    ("charter.current_json", lambda w: "/charter.json?lang=fr"),
    ("charter.compare", lambda w: "/charter/compare/1/2?lang=fr"),
]

# The pages of logged-in users that must not grow either: (who, endpoint, url builder).
LOGGED_IN_PAGES: list[tuple[str, str, Callable[[SimpleNamespace], str]]] = [
    ("rep", "accounts.dashboard", lambda w: "/dashboard"),
    ("sec", "accounts.dashboard", lambda w: "/dashboard"),
    ("rep", "reporting.my_reports", lambda w: "/my/reports"),
    ("rep", "reporting.report", lambda w: f"/my/reports/{OPEN_YEAR}"),
    ("rep", "reporting.report_section", lambda w: f"/my/reports/{OPEN_YEAR}/sections/2"),
    ("rep", "reporting.report_pledges", lambda w: f"/my/reports/{OPEN_YEAR}/pledges"),
    ("rep", "reporting.report_preview", lambda w: f"/my/reports/{OPEN_YEAR}/preview"),
    ("rep", "reporting.report_submit", lambda w: f"/my/reports/{OPEN_YEAR}/submit"),
    ("rep", "reporting.report_workbook", lambda w: f"/my/reports/{OPEN_YEAR}/workbook"),
    (
        "rep",
        "reporting.report_workbook_download",
        lambda w: f"/my/reports/{OPEN_YEAR}/workbook.xlsx",
    ),
    ("rep", "reporting.version", lambda w: f"/reports/{CLOSED_YEAR}/{w.org_a.slug}/versions/1"),
    ("rep", "members.pledges", lambda w: f"/members/{w.org_a.slug}/pledges"),
    ("rep", "members.pledge", lambda w: f"/members/{w.org_a.slug}/pledges/{w.pledge_id}"),
    ("sec", "members.profile", lambda w: f"/members/{w.org_a.slug}"),
    ("sec", "core.audit", lambda w: "/secretariat/audit"),
    (
        "sec",
        "charter.admin_translations",
        lambda w: f"/secretariat/charter/{w.versions[0].id}/translations",
    ),
    (
        "sec",
        "core.audit",
        lambda w: "/secretariat/audit?kind=authentication&email=example&since=2020-01-01",
    ),
    # The charter's publish confirmation counts the organisations and people it will email
    # (issue 16): a count, not a row per member; the import page, before anything is pasted.
    (
        "sec",
        "charter.admin_publish_confirm",
        lambda w: f"/secretariat/charter/{w.draft_id}/publish?effective_date=2026-03-01",
    ),
    ("sec", "charter.admin_import", lambda w: f"/secretariat/charter/{w.draft_id}/import"),
]

# Secretariat forms measured as they are sent (a preview saves nothing, so it is repeatable):
# (who, endpoint, url builder, form builder). The CSRF token comes from the page itself.
LOGGED_IN_POSTS: list[
    tuple[str, str, Callable[[SimpleNamespace], str], Callable[[SimpleNamespace], dict]]
] = [
    (
        "sec",
        "charter.admin_import",
        lambda w: f"/secretariat/charter/{w.draft_id}/import",
        lambda w: {
            "source": "- **Patch promptly**: Security fixes ship within 30 days.\n"
            "- **Build security in**: Secure defaults in every product.\n",
            "action": "preview",
        },
    ),
]


def public_rules(app) -> list:
    """GET rules the anonymous visitor may open, per the access tables (a rule no table lists
    counts as public: better measured once too often than never)."""
    tables = _tables()
    public = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        entry = tables.get(rule.endpoint)
        if entry is None or entry[1].get("anon") not in ANONYMOUS_OUTSIDE:
            public.append(rule)
    return public


def public_urls(app, w) -> dict[str, str]:
    """Endpoint -> URL of every public page, in world `w`."""
    adapter = app.url_map.bind("localhost")
    urls = {}
    for rule in public_rules(app):
        if rule.endpoint in URL_OVERRIDES:
            urls[rule.endpoint] = URL_OVERRIDES[rule.endpoint](w)
        else:
            values = {name: URL_ARGUMENTS[name](w) for name in rule.arguments}
            urls[rule.endpoint] = adapter.build(rule.endpoint, values)
    return urls


def test_every_public_page_is_measured(app):
    rules = public_rules(app)
    assert len(rules) >= 30  # the access tables were read
    unbuildable = sorted(
        f"{rule.endpoint} needs {sorted(set(rule.arguments) - set(URL_ARGUMENTS))}"
        for rule in rules
        if rule.endpoint not in URL_OVERRIDES and not set(rule.arguments) <= set(URL_ARGUMENTS)
    )
    assert not unbuildable, (
        "public GET routes the scaling test cannot build a URL for (add the argument to "
        f"URL_ARGUMENTS or the route to URL_OVERRIDES): {unbuildable}"
    )
    stale = sorted(set(URL_OVERRIDES) - {rule.endpoint for rule in rules})
    assert not stale, f"URL_OVERRIDES names routes that are not public GET routes: {stale}"


# Building the world ------------------------------------------------------------------------


def _answer(question, i: int):
    kind = question.type
    if kind == "yes_no":
        return i % 3 != 0
    if kind == "number":
        return i % 100
    if kind == "single_choice":
        return question.choices[i % len(question.choices)]
    if kind == "multiple_choice":
        return question.choices[: 1 + i % len(question.choices)]
    if kind == "url":
        return "https://example.org/security"
    if kind == "date":
        return "2025-02-01"
    if kind == "evidence":
        return None
    return f"Answer {i} to {question.text}"


def _closed_cycle(year: int, charter, principles) -> SimpleNamespace:
    """A closed cycle with a two-section questionnaire (tests/transparency builders)."""
    cycle = tb.make_cycle(year, categories=REPORTING, charter=charter)
    first = tb.make_section(cycle, "Protect users", principles[0])
    second = tb.make_section(cycle, "Disclosure", principles[1])
    questions = [
        tb.make_question(
            first, "Do you offer multi-factor authentication?", public=True, lineage="mfa"
        ),
        tb.make_question(
            first,
            "Share of accounts using it",
            "number",
            unit="%",
            public=True,
            lineage="mfa-share",
        ),
        tb.make_question(
            first, "How do you protect users?", "long_text", indicator=False, lineage="approach"
        ),
        tb.make_question(
            second,
            "How do you receive reports?",
            "single_choice",
            public=True,
            choices=("Bug bounty", "Email address", "None"),
            lineage="programme",
        ),
        tb.make_question(
            second,
            "Who answers questions?",
            "short_text",
            public=True,
            indicator=False,
            lineage="contact",
        ),
    ]
    db.session.refresh(cycle)
    return SimpleNamespace(cycle=cycle, questions=questions)


def _org_status(i: int) -> str:
    r = i % 9
    if r == 8:
        return "applicant"
    if r == 5:
        return "non_communicating"
    if r == 7:
        return "suspended" if (i // 9) % 2 == 0 else "withdrawn"
    return "active"


def _returning_ids(table, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.execute(statement, rows).scalars())


def _insert(table, rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(table), rows)


def _snapshot(closed: SimpleNamespace, org: dict, values: dict, submitted: dt.datetime):
    who = SimpleNamespace(
        id=org["id"],
        name=org["name"],
        slug=org["slug"],
        country=org["country"],
        category=org["category"],
    )
    return tb.snapshot_for(closed.cycle, who, values, submitted=submitted)


def _add_reports(
    w,
    closed: SimpleNamespace,
    orgs: list[dict],
    state_of: Callable,
    submitted: dt.datetime | None = None,
) -> None:
    """Reports of `orgs` in a cycle: a submitted version with its snapshot and a
    submitted answer per question; `state_of(i)` says accepted, submitted or None."""
    chosen = [(o, state_of(o["i"])) for o in orgs]
    chosen = [(o, s) for o, s in chosen if s is not None]
    submitted = submitted or tb.at(closed.cycle.year, 3, 1)
    report_ids = _returning_ids(
        Report.__table__,
        [
            {
                "cycle_id": closed.cycle.id,
                "organisation_id": o["id"],
                "state": s,
                "revision": 3,
                "first_submitted_at": submitted,
                "last_submitted_at": submitted,
                "accepted_at": submitted if s == "accepted" else None,
                "is_late": o["i"] % 7 == 0,
                "officer_name": "Officer",
                "officer_title": "CEO",
                "support_statement": "We support the charter.",
            }
            for o, s in chosen
        ],
    )
    versions = []
    values_of = []
    for (o, s), report_id in zip(chosen, report_ids, strict=True):
        values = {q.id: _answer(q, o["i"]) for q in closed.questions}
        values_of.append(values)
        versions.append(
            {
                "report_id": report_id,
                "number": 1,
                "submitted_at": submitted,
                "submitted_by_id": None,
                "is_late": o["i"] % 7 == 0,
                "officer_name": "Officer",
                "officer_title": "CEO",
                "support_statement": "We support the charter.",
                "snapshot": _snapshot(closed, o, values, submitted),
                "questionnaire_hash": "0" * 64,
                "review_state": s,
                "reviewed_at": submitted + dt.timedelta(days=5) if s == "accepted" else None,
                "reviewed_by_id": w.secretariat.id if s == "accepted" else None,
                "review_note": "",
            }
        )
    version_ids = _returning_ids(ReportVersion.__table__, versions)
    _insert(
        SubmittedAnswer.__table__,
        [
            {"version_id": version_id, "question_id": question_id, "value": value}
            for version_id, values in zip(version_ids, values_of, strict=True)
            for question_id, value in values.items()
        ],
    )
    if report_ids:
        table = Report.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("rid"))
            .values(current_version_id=bindparam("vid")),
            [{"rid": r, "vid": v} for r, v in zip(report_ids, version_ids, strict=True)],
        )


def _closed_state(i: int) -> str | None:
    return "submitted" if i % 10 == 3 else "accepted"


def _open_state(i: int) -> str | None:
    return {0: "submitted", 1: "draft", 2: None}[i % 3]


def add_organisations(w, start: int, count: int) -> None:
    """Bulk-insert organisations `start`..`start + count - 1` with everything the pages show."""
    orgs = []
    for i in range(start, start + count):
        status = _org_status(i)
        joined = None if status == "applicant" else dt.date(2019 + i % 6, 1 + i % 12, 1 + i % 28)
        name = f"Scale Org {i:04d}"
        orgs.append(
            {
                "i": i,
                "name": name,
                "name_key": name.lower(),
                "slug": f"scale-org-{i:04d}",
                "legal_name": f"{name} GmbH",
                "country": COUNTRIES[i % len(COUNTRIES)],
                "sector_id": w.sector_ids[i % len(w.sector_ids)],
                "category": CATEGORIES[i % len(CATEGORIES)],
                "size_band": "50-249",
                "website": f"https://org{i}.example",
                "description_md": f"We are *{name}*.",
                "status": status,
                "status_since": dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
                "joined_on": joined,
                "endorsed_version_id": w.versions[1].id if joined else None,
            }
        )
    table = Organisation.__table__
    ids = _returning_ids(table, [{k: v for k, v in o.items() if k != "i"} for o in orgs])
    for org, org_id in zip(orgs, ids, strict=True):
        org["id"] = org_id
    members = [o for o in orgs if o["joined_on"] is not None]
    applicants = [o for o in orgs if o["joined_on"] is None]

    def moment(day: dt.date, days: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(9), dt.UTC) + dt.timedelta(days=days)

    changes = []
    for o in orgs:
        applied = o["joined_on"] or dt.date(2025, 11, 1)
        changes.append(
            {
                "organisation_id": o["id"],
                "from_status": None,
                "to_status": "applicant",
                "at": moment(applied, -10),
                "by_user_id": None,
                "reason": "Applied.",
                "public_reason": "",
                "is_public": False,
            }
        )
        if o["joined_on"] is None:
            continue
        changes.append(
            {
                "organisation_id": o["id"],
                "from_status": "applicant",
                "to_status": "active",
                "at": moment(o["joined_on"]),
                "by_user_id": w.secretariat.id,
                "reason": "Approved.",
                "public_reason": "",
                "is_public": True,
            }
        )
        if o["status"] != "active":
            changes.append(
                {
                    "organisation_id": o["id"],
                    "from_status": "active",
                    "to_status": o["status"],
                    "at": moment(dt.date(2025, 6, 1)),
                    "by_user_id": w.secretariat.id,
                    "reason": "Deadline missed.",
                    "public_reason": "Did not report.",
                    "is_public": True,
                }
            )
    _insert(StatusChange.__table__, changes)
    _insert(
        Application.__table__,
        [
            {
                "organisation_id": o["id"],
                "contact_name": "Carla Contact",
                "contact_email": f"contact{o['i']}@example.org",
                "contact_title": "Director",
                "motivation": "We want to join.",
                "state": "pending",
                "charter_version_id": w.versions[1].id,
                "signatory_name": "Sam Signer",
                "signatory_title": "CEO",
                "authorised_to_sign": True,
            }
            for o in applicants
        ],
    )
    endorsements = []
    for o in members:
        endorsements.append(
            {
                "organisation_id": o["id"],
                "charter_version_id": w.versions[1].id,
                "signatory_name": "Ada Signer",
                "signatory_title": "CEO",
                "endorsed_on": max(o["joined_on"], dt.date(2025, 1, 15)),
                "recorded_by_id": w.secretariat.id,
            }
        )
        if o["i"] % 3 == 0 and o["joined_on"] < dt.date(2025, 1, 1):
            endorsements.append(
                {
                    "organisation_id": o["id"],
                    "charter_version_id": w.versions[0].id,
                    "signatory_name": "Ada Signer",
                    "signatory_title": "CEO",
                    "endorsed_on": o["joined_on"],
                    "recorded_by_id": w.secretariat.id,
                }
            )
    _insert(Endorsement.__table__, endorsements)
    add_pledges(w, [(o["id"], o["i"], 1 + o["i"] % 2) for o in members])
    _add_reports(
        w,
        w.closed,
        members,
        lambda i: _closed_state(i) if CATEGORIES[i % len(CATEGORIES)] in REPORTING else None,
    )
    for extra in w.extra_closed:
        _add_reports(
            w,
            extra,
            members,
            lambda i: "accepted" if CATEGORIES[i % len(CATEGORIES)] in REPORTING else None,
        )
    reporting = [
        o
        for o in members
        if o["category"] in REPORTING and o["status"] in ("active", "non_communicating")
    ]
    _add_open_cycle_reports(w, reporting)
    _insert(
        Extension.__table__,
        [
            {
                "cycle_id": w.open.id,
                "organisation_id": o["id"],
                "reason": "We need two more weeks.",
                "requested_at": NOW - dt.timedelta(days=o["i"] % 5),
                "requested_by_id": None,
                "state": "pending",
                "requested_due_on": dt.date(2026, 4, 30),
                "decision_note": "",
            }
            for o in reporting
            if o["i"] % 25 == 4
        ],
    )


def add_pledges(w, owners: list[tuple[int, int, int]]) -> None:
    """`count` pledges for each (organisation id, index, count), with principles and two
    updates each."""
    rows, seeds = [], []
    for org_id, i, count in owners:
        for n in range(count):
            k = i * 7 + n
            rows.append(
                {
                    "organisation_id": org_id,
                    "title": f"Pledge {n + 1} of organisation {i}",
                    "description_md": "We *will* fix them.",
                    "indicator": "Median days to fix",
                    "target_date": dt.date(2027 + k % 3, 12, 31),
                    "is_public": k % 4 != 3,
                    "status": ("planned", "in_progress", "achieved")[k % 3],
                    "status_since": dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
                    "created_by_id": None,
                }
            )
            seeds.append(k)
    ids = _returning_ids(Pledge.__table__, rows)
    principle_ids = w.principle_ids
    links, updates = [], []
    for pledge_id, k in zip(ids, seeds, strict=True):
        links.append(
            {"pledge_id": pledge_id, "principle_id": principle_ids[k % len(principle_ids)]}
        )
        if k % 2 == 0:
            links.append(
                {
                    "pledge_id": pledge_id,
                    "principle_id": principle_ids[(k + 1) % len(principle_ids)],
                }
            )
        updates.append(
            {
                "pledge_id": pledge_id,
                "at": dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
                "status": "planned",
                "note": "Pledge made.",
                "by_user_id": None,
                "verified_at": None,
                "verified_by_id": None,
            }
        )
        updates.append(
            {
                "pledge_id": pledge_id,
                "at": dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
                "status": "in_progress",
                "note": "Half way.",
                "by_user_id": None,
                "verified_at": dt.datetime(2025, 3, 5, tzinfo=dt.UTC) if k % 2 else None,
                "verified_by_id": w.secretariat.id if k % 2 else None,
            }
        )
    _insert(pledge_principles, links)
    _insert(PledgeUpdate.__table__, updates)


def _add_open_cycle_reports(w, orgs: list[dict]) -> None:
    """This year's reports: submitted ones (awaiting review), drafts with answers."""
    open_questions = w.open_questions
    submitted_at = dt.datetime(2026, 1, 25, 10, tzinfo=dt.UTC)
    submitted = [o for o in orgs if _open_state(o["i"]) == "submitted"]
    drafts = [o for o in orgs if _open_state(o["i"]) == "draft"]
    open_cycle = SimpleNamespace(cycle=w.open, questions=open_questions)
    _add_reports(w, open_cycle, submitted, lambda i: "submitted", submitted_at)
    draft_ids = _returning_ids(
        Report.__table__,
        [
            {
                "cycle_id": w.open.id,
                "organisation_id": o["id"],
                "state": "draft",
                "revision": 1,
                "updated_at": submitted_at,
                "officer_name": "",
                "officer_title": "",
                "support_statement": "",
                "is_late": False,
            }
            for o in drafts
        ],
    )
    _insert(
        Answer.__table__,
        [
            {
                "report_id": report_id,
                "question_id": q.id,
                "value": _answer(q, o["i"]),
                "updated_at": submitted_at,
            }
            for report_id, o in zip(draft_ids, drafts, strict=True)
            for q in open_questions
            if q.type != "evidence"
        ],
    )


def _publish_annual_report(w, cycle, number_of_editions: int = 1) -> None:
    report = AnnualReport(cycle_id=cycle.id, executive_summary_md="Summary.", methodology_md="How.")
    db.session.add(report)
    db.session.flush()
    for number in range(1, number_of_editions + 1):
        pdf = store_file(
            f"%PDF-1.7\n% report {cycle.year} edition {number}\n".encode(), "application/pdf"
        )
        html = store_file(
            f"<p>The {cycle.year} report, edition {number}.</p>".encode(),
            "text/html; charset=utf-8",
        )
        db.session.add(
            Edition(
                annual_report_id=report.id,
                number=number,
                sha256=pdf.sha256,
                size=pdf.size,
                pages=1,
                html_sha256=html.sha256,
                published_by_id=w.secretariat.id,
                published_at=tb.at(cycle.year + 1, 5, number),
            )
        )
    db.session.flush()


def build_small_world() -> SimpleNamespace:
    clock.freeze(NOW)
    w = SimpleNamespace()
    w.secretariat = factories.make_user(
        role="secretariat", email="sec@scale.example", name="Sam Secretary"
    )
    # Charter v1 (in force 2023) and v2 (in force 2025), through the charter services.
    publish_charter(w.secretariat, effective=dt.date(2023, 1, 1))
    publish_charter(w.secretariat, effective=dt.date(2025, 1, 1), summary="Second version.")
    w.versions = list(db.session.scalars(select(CharterVersion).order_by(CharterVersion.number)))
    w.draft_id = charter_services.start_draft(w.secretariat).id  # version 3, being written
    principles = list(db.session.scalars(select(Principle).order_by(Principle.id)))
    w.principle_ids = [p.id for p in principles]
    w.sector_ids = [factories.make_sector(n).id for n in ("Software", "Telecoms", "Finance")]

    # Org A and its representative, through the builders and services.
    w.org_a = factories.make_org(name="Alpha Org", joined_on=dt.date(2023, 3, 1))
    w.org_a.logo_sha256 = store_file(member_builders.image_bytes(), "image/png").sha256
    w.rep = factories.make_user(
        role="representative", organisation=w.org_a, email="rep@alpha.example", name="Rita Rep"
    )
    for version in w.versions:
        member_builders.endorse(w.org_a, version, on=version.effective_date)
    w.org_a.status_changes.append(
        StatusChange(
            from_status=None, to_status="applicant", at=tb.at(2023, 2, 20), is_public=False
        )
    )
    w.org_a.status_changes.append(
        StatusChange(
            from_status="applicant",
            to_status="active",
            at=tb.at(2023, 3, 1),
            by_user_id=w.secretariat.id,
        )
    )
    w.pledge_id = member_builders.make_pledge(w.org_a, principles[:2], title="Alpha pledge 1").id
    member_builders.make_pledge(
        w.org_a, principles[1:], title="Alpha pledge 2", status="in_progress"
    )

    # The closed cycle with org A's accepted report, and its published annual report.
    w.closed = _closed_cycle(CLOSED_YEAR, w.versions[1], principles)
    tb.make_report(w.closed.cycle, w.org_a, {q: _answer(q, 1) for q in w.closed.questions})
    _publish_annual_report(w, w.closed.cycle)
    w.extra_closed = []

    # The open cycle (reporting services) with org A's draft: answers and a file.
    w.open = builders_filling.build_cycle(w.secretariat, OPEN_YEAR, categories=REPORTING)
    w.open_questions = list(w.open.q.values())
    report = filling.get_or_start_report(w.rep, w.open, w.org_a)
    filling.save_answers(w.rep, report, builders_filling.raw(w.open), report.revision)
    filling.attach_evidence(w.rep, report, w.open.q["policy"], "policy.pdf", builders_filling.PDF)

    # Nine more organisations, bulk-inserted like the 990 that come later.
    add_organisations(w, 1, SMALL - 1)

    # Tokens for the public account pages.
    invited = factories.make_user(
        role="representative", organisation=w.org_a, email="invited@alpha.example", password=None
    )
    w.invite_token = account_services.make_token(invited, "invite")
    w.reset_token = account_services.make_token(w.rep, "reset")
    reindex_all()  # the search index, as `flask pactum reindex` builds it
    db.session.commit()
    return w


def grow_world(w) -> None:
    """From 10 to 1,000 organisations, plus more of everything about org A."""
    principles = list(db.session.scalars(select(Principle).order_by(Principle.id)))
    for year in EXTRA_CLOSED_YEARS:
        extra = _closed_cycle(year, w.versions[0], principles)
        w.extra_closed.append(extra)
        tb.make_report(extra.cycle, w.org_a, {q: _answer(q, year) for q in extra.questions})
    _publish_annual_report(w, w.extra_closed[-1].cycle, number_of_editions=2)
    # Org A: 20 more pledges, a longer history of its first one, a longer status history.
    add_pledges(w, [(w.org_a.id, 10_000, 20)])
    _insert(
        PledgeUpdate.__table__,
        [
            {
                "pledge_id": w.pledge_id,
                "at": dt.datetime(2025, 1 + n, 1, tzinfo=dt.UTC),
                "status": "in_progress",
                "note": f"Progress report {n + 1}.",
                "by_user_id": w.rep.id if n % 2 else None,
                "verified_at": dt.datetime(2025, 1 + n, 3, tzinfo=dt.UTC) if n % 3 == 0 else None,
                "verified_by_id": w.secretariat.id if n % 3 == 0 else None,
            }
            for n in range(10)
        ],
    )
    _insert(
        StatusChange.__table__,
        [
            {
                "organisation_id": w.org_a.id,
                "from_status": a,
                "to_status": b,
                "at": dt.datetime(2024, 1 + n, 1, tzinfo=dt.UTC),
                "by_user_id": w.secretariat.id,
                "reason": "Review.",
                "public_reason": "Reported late.",
                "is_public": True,
            }
            for n, (a, b) in enumerate(
                [("active", "non_communicating"), ("non_communicating", "active")] * 4
            )
        ],
    )
    add_organisations(w, SMALL, BIG - SMALL)
    # The audit trail: logins, second-factor and password events by and about both people,
    # and changes (the audit page's filters read them all).
    _insert(
        AuditEvent.__table__,
        [
            {
                "at": dt.datetime(2025, 6, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n),
                "actor_id": (w.secretariat.id, w.rep.id, None)[n % 3],
                "action": ("login.failed", "mfa.enrolled", "organisation.approved")[n % 3],
                "object_type": "users",
                "object_id": (w.rep.id, w.secretariat.id)[n % 2],
                "summary": f"event {n}",
                "detail": {"ip": "192.0.2.1"},
            }
            for n in range(BIG)
        ],
    )
    reindex_all()  # the search index, as `flask pactum reindex` builds it
    db.session.commit()


# Measuring ------------------------------------------------------------------------------------


def _reset_caches() -> None:
    """Forget everything cached on the server, so the next request does the uncached work."""
    cache.clear()
    present.clear_pdf_cache()
    db.session.execute(delete(MemberReportPdf))
    db.session.commit()


@dataclass(frozen=True)
class Measured:
    status: int
    statements: tuple[str, ...]
    cache: str  # the X-Pactum-Cache header ("" when the page does not use the page cache)
    mimetype: str

    @property
    def count(self) -> int:
        return len(self.statements)


def _fetch(app, url: str, user, form: dict | None = None) -> Measured:
    """`url` fetched twice (warm, then measured); with `form`, posted twice with the page's
    CSRF token."""
    client = app.test_client()
    if user is not None:
        login_as(client, user)

    def send():
        return client.post(url, data=form) if form is not None else client.get(url)

    if form is not None:
        form = {**form, "csrf_token": csrf_token(client, url)}
    warm = send()  # compiles templates, loads translations
    warm.get_data()
    warm.close()
    _reset_caches()
    with count_queries() as counter:
        response = send()
        response.get_data()  # a streamed body (the CSV) runs its queries while it is read
        response.close()
    return Measured(
        response.status_code,
        tuple(counter.statements),
        response.headers.get("X-Pactum-Cache", ""),
        response.mimetype,
    )


def measure(app, w) -> dict[str, Measured]:
    """Every page of the world: public pages as the anonymous visitor (and, for HTML pages,
    whose layout differs for a logged-in user, as the representative too), the variants,
    and the logged-in pages."""
    users = {"anon": None, "rep": w.rep, "sec": w.secretariat}
    found: dict[str, Measured] = {}

    def fetch(endpoint: str, url: str, who: str) -> Measured:
        found[f"{endpoint} as {who} {url}"] = result = _fetch(app, url, users[who])
        return result

    for endpoint, url in public_urls(app, w).items():
        if fetch(endpoint, url, "anon").mimetype == "text/html":
            fetch(endpoint, url, "rep")
    for endpoint, build in PUBLIC_VARIANTS:
        fetch(endpoint, build(w), "anon")
    for who, endpoint, build in LOGGED_IN_PAGES:
        fetch(endpoint, build(w), who)
    for who, endpoint, build, form in LOGGED_IN_POSTS:
        url = build(w)
        found[f"{endpoint} as {who} POST {url}"] = _fetch(app, url, users[who], form(w))
    return found


def _shape(w) -> dict[str, int]:
    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {
        "organisations": count(Organisation),
        "listed": count(Organisation, Organisation.joined_on.is_not(None)),
        "pledges": count(Pledge),
        "org A pledges": count(Pledge, Pledge.organisation_id == w.org_a.id),
        "reports": count(Report),
        "submitted answers": count(SubmittedAnswer),
        "awaiting review": count(Report, Report.state == "submitted"),
        "pending extensions": count(Extension, Extension.state == "pending"),
        "pending applications": count(Application, Application.state == "pending"),
        "cycles": count(ReportingCycle),
        "sectors": count(Sector),
        "audit events": count(AuditEvent),
    }


def check_shapes(small: dict[str, int], big: dict[str, int]) -> None:
    assert small["organisations"] == SMALL and big["organisations"] == BIG
    # Every list has something to show in the small world, and less than a full page.
    assert 1 <= small["awaiting review"] < 5
    assert 1 <= small["pending extensions"] < 5
    assert small["pending applications"] >= 1
    assert small["listed"] < 24 < big["listed"] < 1000  # one directory page; one CSV batch
    for key in (
        "pledges",
        "org A pledges",
        "reports",
        "submitted answers",
        "awaiting review",
        "pending extensions",
        "pending applications",
        "cycles",
        "audit events",
    ):
        assert big[key] > small[key], key


def check_answers(*measured: dict[str, Measured]) -> None:
    everything = [item for found in measured for item in found.items()]
    failures = [f"{page}: {m.status}" for page, m in everything if m.status >= 400]
    assert not failures, "pages that did not answer:\n" + "\n".join(failures)
    from_cache = [page for page, m in everything if m.cache == "hit"]
    assert not from_cache, f"answered from the page cache, so not counted: {from_cache}"


def _difference(small: Measured, big: Measured, limit: int = 6) -> str:
    def short(statements):
        return [" ".join(s.split())[:160] for s in statements]

    lines = [
        line
        for line in unified_diff(short(small.statements), short(big.statements), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return "\n".join("      " + line for line in lines[:limit])


def test_statements_per_request_do_not_grow_with_the_data(app, monkeypatch):
    # Count the uncached work: no page cache (and `_fetch` empties the other caches).
    monkeypatch.setitem(app.extensions["pactum_cache"], "page_cache", False)
    world = build_small_world()
    small, small_shape = measure(app, world), _shape(world)
    grow_world(world)
    big, big_shape = measure(app, world), _shape(world)

    check_shapes(small_shape, big_shape)
    check_answers(small, big)
    assert small.keys() == big.keys()
    grew = [
        f"{page}: {small[page].count} statements with {SMALL} organisations, "
        f"{m.count} with {BIG}\n{_difference(small[page], m)}"
        for page, m in big.items()
        if m.count != small[page].count
    ]
    assert not grew, "statement counts grow with the data:\n" + "\n".join(grew)


# The transparency centre (issue 15): a question followed by its lineage, and the filtered
# and compared variants of its pages.
URL_ARGUMENTS["lineage"] = lambda w: "centre-mfa"  # see `_closed_cycle` below
PUBLIC_VARIANTS += [
    ("centre.principle", lambda w: "/principles/1?year=2025&country=DE&category=company"),
    ("centre.principle", lambda w: "/principles/1?sort=member&page=2"),
    ("centre.question", lambda w: "/principles/1/questions/centre-mfa?status=active&sort=oldest"),
    ("centre.compare", lambda w: f"/compare?members={w.org_a.slug},scale-org-0001&year=2025"),
    # In French the pages read the translations too (one statement more, whatever the data).
    ("core.home", lambda w: "/?lang=fr"),
    ("centre.principle_map", lambda w: "/principles?lang=fr"),
    ("centre.principle", lambda w: "/principles/1?lang=fr&sort=member"),
    ("centre.question", lambda w: "/principles/1/questions/centre-mfa?lang=fr"),
    ("centre.member_report", lambda w: f"/members/{w.org_a.slug}/reports/{CLOSED_YEAR}?lang=fr"),
    (
        "centre.compare",
        lambda w: f"/compare?members={w.org_a.slug},scale-org-0001&year=2025&lang=fr",
    ),
    (
        "transparency.member_report_pdf",
        lambda w: f"/members/{w.org_a.slug}/reports/{CLOSED_YEAR}.pdf?lang=fr",
    ),
]

from app.charter.models import PrincipleText  # noqa: E402  (appended with the centre's pages)

_closed_cycle_of_the_first_charter = _closed_cycle


def _closed_cycle(year: int, charter, principles) -> SimpleNamespace:
    """The closed cycle above, plus a section under principle 1 of the charter in force
    (version 2 made its principles anew, and the centre's pages follow the charter in force)
    with a public question of each kind the centre shows: `build_small_world` and
    `grow_world` then give every report an answer to them like to the others."""
    closed = _closed_cycle_of_the_first_charter(year, charter, principles)
    in_force = db.session.scalar(
        select(PrincipleText.principle_id)
        .join(CharterVersion, CharterVersion.id == PrincipleText.version_id)
        .where(CharterVersion.status == "published", PrincipleText.number == 1)
        .order_by(CharterVersion.number.desc())
        .limit(1)
    )
    section = tb.make_section(closed.cycle, "Principle 1 in force", SimpleNamespace(id=in_force))
    closed.questions += [
        tb.make_question(section, "Do you offer MFA to all?", public=True, lineage="centre-mfa"),
        tb.make_question(section, "Share with MFA", "number", public=True, lineage="centre-share"),
        tb.make_question(
            section, "How?", "long_text", public=True, indicator=False, lineage="centre-how"
        ),
    ]
    db.session.refresh(closed.cycle)
    return closed
