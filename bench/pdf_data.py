"""The alliance the annual report PDF benchmark (bench/pdf.py) measures, from a fixed seed:
`members` organisations with status histories and endorsements, their pledges, and two closed
cycles whose questionnaire has indicator and public questions, with submitted and accepted
reports (snapshot and submitted answers). Plainer than bench/generate: the PDF needs figures
and many members, not realistic names."""

from __future__ import annotations

import datetime as dt
import os
import random

from sqlalchemy import insert

from app import create_app
from app.accounts.models import User
from app.charter.models import CharterVersion, Principle, PrincipleText
from app.db import db
from app.members.models import (
    Endorsement,
    Organisation,
    Pledge,
    PledgeUpdate,
    Sector,
    StatusChange,
    pledge_principles,
)
from app.reporting.models import (
    Question,
    Report,
    ReportingCycle,
    ReportVersion,
    Section,
    SubmittedAnswer,
)

YEAR = 2025
# fmt: off
COUNTRIES = [
    "DE", "FR", "US", "GB", "NL", "SE", "ES", "IT", "JP", "KR",
    "BR", "IN", "KE", "NG", "CA", "AU", "MX", "PL", "CH", "SG",
]
# fmt: on
SECTORS = [
    "Software",
    "Telecommunications",
    "Cloud services",
    "Financial services",
    "Energy",
    "Health",
    "Research and education",
    "Public administration",
    "Human rights",
]
CATEGORIES = ["company"] * 6 + ["civil_society"] * 2 + ["academia", "government", "other"]
# fmt: off
WORDS = [
    "we", "shipped", "security", "updates", "to", "all", "supported", "products", "and",
    "trained", "our", "staff", "on", "phishing", "resistant", "authentication", "while",
    "publishing", "our", "disclosure", "policy",
]
# fmt: on


def generate(database_url: str, members: int, seed: int = 2026) -> None:
    os.environ["PACTUM_DATABASE_URL"] = database_url
    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        s = db.session
        _charter(s)
        orgs, histories = _organisations(s, rng, members)
        _pledges(s, rng, members, histories)
        version_id = 0
        for c, year in enumerate((YEAR - 1, YEAR), start=1):
            questions = _cycle(s, c, year)
            version_id = _reports(s, rng, (c, year), orgs, histories, questions, version_id)
        s.commit()


def _charter(s) -> None:
    """The secretariat, the sectors, ten principles and the one published charter version."""
    s.add(User(email="bench@example.org", name="Bench", role="secretariat"))
    s.execute(
        insert(Sector),
        [
            {"id": i + 1, "name": n, "slug": n.lower().replace(" ", "-")}
            for i, n in enumerate(SECTORS)
        ],
    )
    s.execute(
        insert(Principle),
        [{"id": i, "key": f"P{i}", "created_at": _t(2020)} for i in range(1, 11)],
    )
    s.execute(
        insert(CharterVersion),
        [
            {
                "id": 1,
                "number": 1,
                "title": "Bench accord",
                "status": "published",
                "created_at": _t(2020),
                "effective_date": dt.date(2020, 1, 1),
            }
        ],
    )
    s.execute(
        insert(PrincipleText),
        [
            {
                "version_id": 1,
                "principle_id": i,
                "number": i,
                "position": i,
                "title": f"Principle number {i} of the bench accord",
                "body_md": "Body.",
            }
            for i in range(1, 11)
        ],
    )


def _history(rng: random.Random) -> tuple[dt.datetime, str, list[tuple]]:
    """When a member joined, its status now, and its status changes (at, from, to)."""
    joined = _t(YEAR - 3) + dt.timedelta(days=rng.randint(0, 3 * 365 + 200))
    status, history = (
        "active",
        [
            (joined - dt.timedelta(days=14), None, "applicant"),
            (joined, "applicant", "active"),
        ],
    )
    roll = rng.random()
    if joined.year <= YEAR:
        moment = _t(YEAR, 5, 1) + dt.timedelta(days=rng.randint(0, 200))
        for threshold, to in (
            (0.05, "non_communicating"),
            (0.07, "withdrawn"),
            (0.08, "delisted"),
            (0.09, "suspended"),
        ):
            if roll < threshold and moment > joined:
                history.append((moment, "active", to))
                status = to
                break
    return joined, status, history


def _organisations(s, rng: random.Random, members: int) -> tuple[list[dict], dict]:
    """Load the members, their status changes and endorsements; returns the organisation rows
    and, per organisation id, (joined, status)."""
    orgs, changes, endorsements = [], [], []
    histories = {}
    for i in range(1, members + 1):
        joined, status, history = _history(rng)
        histories[i] = (joined, status)
        name = f"Bench Organisation {i:05d}"
        orgs.append(
            {
                "id": i,
                "name": name,
                "name_key": name.lower(),
                "slug": f"bench-org-{i:05d}",
                "country": rng.choice(COUNTRIES),
                "sector_id": rng.randint(1, len(SECTORS)),
                "category": rng.choice(CATEGORIES),
                "status": status,
                "joined_on": joined.date(),
                "status_since": history[-1][0],
                "created_at": joined,
                "updated_at": joined,
                "endorsed_version_id": 1,
                "description_md": "",
                "legal_name": name,
                "size_band": "50-249",
                "website": "",
            }
        )
        changes += [
            {
                "organisation_id": i,
                "at": at,
                "from_status": f,
                "to_status": t,
                "reason": "",
                "public_reason": "",
                "is_public": t != "applicant",
            }
            for at, f, t in history
        ]
        endorsements.append(
            {
                "organisation_id": i,
                "charter_version_id": 1,
                "signatory_name": "Signatory",
                "signatory_title": "CEO",
                "endorsed_on": joined.date(),
                "created_at": joined,
            }
        )
    _bulk(s, Organisation, orgs)
    _bulk(s, StatusChange, changes)
    _bulk(s, Endorsement, endorsements)
    return orgs, histories


def _pledges(s, rng: random.Random, members: int, histories: dict) -> None:
    """One to three pledges per member, with their principles and status updates."""
    pledges, links, updates = [], [], []
    pid = 0
    for i in range(1, members + 1):
        for _ in range(rng.randint(1, 3)):
            pid += 1
            created = max(_t(YEAR - 2), histories[i][0]) + dt.timedelta(days=rng.randint(0, 500))
            status = rng.choice(["planned", "in_progress", "in_progress", "achieved", "missed"])
            pledges.append(
                {
                    "id": pid,
                    "organisation_id": i,
                    "title": f"Pledge {pid}: " + " ".join(rng.sample(WORDS, 6)),
                    "is_public": rng.random() < 0.85,
                    "status": status,
                    "status_since": created,
                    "created_at": created,
                    "updated_at": created,
                    "description_md": "",
                    "indicator": "",
                }
            )
            for key in rng.sample(range(1, 11), rng.randint(1, 2)):
                links.append({"pledge_id": pid, "principle_id": key})
            updates.append({"pledge_id": pid, "at": created, "status": "planned", "note": ""})
            if status != "planned":
                updates.append(
                    {
                        "pledge_id": pid,
                        "at": created + dt.timedelta(days=120),
                        "status": status,
                        "note": "",
                    }
                )
    _bulk(s, Pledge, pledges)
    s.execute(insert(pledge_principles), links)
    _bulk(s, PledgeUpdate, updates)


def _questionnaire(c: int) -> tuple[list[dict], list[tuple]]:
    """Cycle number `c`'s sections (one per principle and a general one) and questions as
    (id, section id, section title, lineage, text, type, public, choices, unit)."""
    questions = []
    qid = (c - 1) * 100
    sections = []
    for p in range(1, 12):
        section_id = (c - 1) * 20 + p
        principle = p if p <= 10 else None
        title = f"Principle {p}" if principle else "General"
        sections.append(
            {
                "id": section_id,
                "cycle_id": c,
                "position": p,
                "title": title,
                "principle_id": principle,
                "description_md": "",
            }
        )
        kinds = [("yes_no", p <= 3, [], ""), ("number", p == 2, [], "days")]
        if p % 3 == 0:
            kinds.append(("multiple_choice", False, ["Web form", "Email", "Bug bounty"], ""))
        if principle is None:
            kinds = [
                ("long_text", True, [], ""),
                ("url", True, [], ""),
                ("short_text", False, [], ""),
            ]
        for n, (kind, public, choices, unit) in enumerate(kinds):
            qid += 1
            questions.append(
                (
                    qid,
                    section_id,
                    title,
                    f"p{p}-{n}",
                    f"Question {n + 1} on {title.lower()}: how do you measure up?",
                    kind,
                    public,
                    choices,
                    unit,
                )
            )
    return sections, questions


def _cycle(s, c: int, year: int) -> list[tuple]:
    """Load closed cycle number `c` with its questionnaire; returns its questions."""
    s.execute(
        insert(ReportingCycle),
        [
            {
                "id": c,
                "year": year,
                "title": f"{year} cycle",
                "status": "closed",
                "charter_version_id": 1,
                "opens_on": dt.date(year, 1, 15),
                "due_on": dt.date(year, 3, 31),
                "grace_days": 14,
                "categories": ["company", "civil_society", "academia", "government", "other"],
                "reminder_offsets": [30, 7, 1],
                "created_at": _t(year),
            }
        ],
    )
    sections, questions = _questionnaire(c)
    s.execute(insert(Section), sections)
    s.execute(
        insert(Question),
        [
            {
                "id": q[0],
                "section_id": q[1],
                "lineage": q[3],
                "position": q[0],
                "text": q[4],
                "type": q[5],
                "is_public": q[6],
                "choices": q[7],
                "unit": q[8],
                "is_indicator": q[5] in ("yes_no", "number", "multiple_choice"),
                "required": False,
                "help_text": "",
                "condition_value": "",
            }
            for q in questions
        ],
    )
    return questions


def _values(rng: random.Random, i: int, questions: list[tuple]) -> dict:
    """Organisation `i`'s answers, per question id."""
    values = {}
    for q in questions:
        kind = q[5]
        if kind == "yes_no":
            values[q[0]] = rng.random() < 0.7
        elif kind == "number":
            values[q[0]] = rng.randint(1, 120)
        elif kind == "multiple_choice":
            values[q[0]] = rng.sample(q[7], rng.randint(1, 3))
        elif kind == "long_text":
            values[q[0]] = " ".join(rng.choices(WORDS, k=45)).capitalize() + "."
        elif kind == "url":
            values[q[0]] = f"https://bench-org-{i:05d}.example/security"
        else:
            values[q[0]] = "internal contact"
    return values


def _reports(
    s,
    rng: random.Random,
    cycle: tuple[int, int],
    orgs: list[dict],
    histories: dict,
    questions: list[tuple],
    version_id: int,
) -> int:
    """Load the cycle's accepted reports (about 92 % of the members who joined before its
    year); returns the last version id used."""
    c, year = cycle
    reports, versions, answers = [], [], []
    for i in range(1, len(orgs) + 1):
        joined, _status = histories[i]
        if joined.year >= year or rng.random() < 0.08:
            continue
        late = rng.random() < 0.15
        version_id += 1
        values = _values(rng, i, questions)
        submitted = _t(year, 4 if late else 3, rng.randint(1, 28))
        reports.append(
            {
                "id": version_id,
                "cycle_id": c,
                "organisation_id": i,
                "state": "accepted",
                "is_late": late,
                "revision": 1,
                "updated_at": submitted,
                "created_at": submitted,
                "officer_name": "Officer",
                "officer_title": "CEO",
                "support_statement": "",
                "current_version_id": None,
            }
        )
        versions.append(
            {
                "id": version_id,
                "report_id": version_id,
                "number": 1,
                "submitted_at": submitted,
                "is_late": late,
                "officer_name": "Officer",
                "officer_title": "CEO",
                "support_statement": "We support the accord.",
                "questionnaire_hash": "0" * 64,
                "review_state": "accepted",
                "reviewed_at": submitted + dt.timedelta(days=7),
                "review_note": "",
                "snapshot": _snapshot(c, year, i, orgs[i - 1], questions, values),
            }
        )
        answers += [
            {"version_id": version_id, "question_id": q, "value": v} for q, v in values.items()
        ]
    _bulk(s, Report, reports)
    _bulk(s, ReportVersion, versions)
    _bulk(s, SubmittedAnswer, answers)
    return version_id


def _snapshot(cycle_id, year, org_id, org, questions, values) -> dict:
    sections: dict[int, dict] = {}
    for qid, section_id, title, lineage, text, kind, public, choices, unit in questions:
        section = sections.setdefault(
            section_id, {"id": section_id, "title": title, "principle": None, "questions": []}
        )
        value = values.get(qid)
        display = (
            ("Yes" if value else "No")
            if kind == "yes_no"
            else (
                ", ".join(value)
                if isinstance(value, list)
                else f"{value}{' ' + unit if unit else ''}"
            )
        )
        section["questions"].append(
            {
                "id": qid,
                "lineage": lineage,
                "text": text,
                "type": kind,
                "unit": unit,
                "required": False,
                "is_public": public,
                "is_indicator": kind != "long_text",
                "choices": choices,
                "shown": True,
                "value": value,
                "display": display,
                "evidence": [],
            }
        )
    return {
        "schema": 1,
        "cycle": {"id": cycle_id, "year": year, "title": f"{year} cycle"},
        "organisation": {
            "id": org_id,
            "name": org["name"],
            "slug": org["slug"],
            "country": org["country"],
            "category": org["category"],
        },
        "sections": list(sections.values()),
        "pledges": [],
        "attestation": {},
    }


def _t(year, month=1, day=1) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


def _bulk(session, model, rows, size=5000) -> None:
    for start in range(0, len(rows), size):
        session.execute(insert(model), rows[start : start + size])
