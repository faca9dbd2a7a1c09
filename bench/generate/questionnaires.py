"""Yearly reporting cycles, closed ones and this year's open one, each with its questionnaire:
a section per principle, mixed question types, some indicators, some public, the lineage shared
across years (a reworded question now and then starts a new one)."""

from __future__ import annotations

import datetime as dt
import hashlib

from bench.generate.charter import PRINCIPLE_TITLES
from bench.generate.common import dumps, timestamp
from bench.generate.loader import Loader
from bench.generate.state import Alliance, Cycle
from bench.generate.words import CATEGORY_WEIGHTS

QUESTION_STEMS = {
    "yes_no": [
        "Do you have a {x} policy?",
        "Did you review your {x} this year?",
        "Is {x} enabled by default?",
        "Have you published your {x}?",
    ],
    "single_choice": ["How mature is your {x}?", "Who is accountable for {x}?"],
    "multiple_choice": ["Which {x} measures are in place?", "Which audiences did your {x} reach?"],
    "number": ["How many {x} incidents did you handle?", "How many people received {x} training?"],
    "short_text": ["Name the team responsible for {x}."],
    "long_text": ["Describe your approach to {x}.", "What changed in your {x} this year?"],
    "url": ["Where is your {x} published?"],
    "date": ["When did you last test your {x}?"],
    "evidence": ["Attach your {x} policy."],
}
SUBJECTS = [
    "vulnerability disclosure",
    "incident response",
    "security awareness",
    "privacy",
    "supply chain security",
    "patch management",
    "threat intelligence",
    "access control",
    "secure development",
    "transparency reporting",
    "data protection",
    "capacity building",
]
CHOICES = {
    "single_choice": [
        ["Initial", "Developing", "Established", "Leading"],
        ["Board", "Executive", "Security team", "Nobody yet"],
    ],
    "multiple_choice": [
        ["Training", "Audits", "Bug bounty", "Red teaming", "Certification"],
        ["Staff", "Customers", "Suppliers", "Public", "Schools"],
    ],
}
TYPE_CYCLE = [
    "yes_no",
    "single_choice",
    "number",
    "long_text",
    "yes_no",
    "multiple_choice",
    "short_text",
    "url",
    "yes_no",
    "date",
    "number",
    "evidence",
]
TEXT_ANSWERS = [
    "We follow a documented process reviewed every year.",
    "A dedicated team handles this, reporting to the board.",
    "Our approach is described in our public policy.",
    "We expanded the programme to all subsidiaries.",
    "Work started this year; results next year.",
]
CYCLE_COLUMNS = [
    "id",
    "year",
    "title",
    "charter_version_id",
    "status",
    "opens_on",
    "due_on",
    "grace_days",
    "categories",
    "reminder_offsets",
    "copied_from_id",
    "opened_at",
    "closed_at",
    "deadline_processed_at",
    "created_at",
]
SECTION_COLUMNS = ["id", "cycle_id", "position", "title", "description_md", "principle_id"]
QUESTION_COLUMNS = [
    "id",
    "section_id",
    "lineage",
    "position",
    "text",
    "help_text",
    "type",
    "required",
    "choices",
    "unit",
    "min_value",
    "max_value",
    "condition_question_id",
    "condition_value",
    "is_indicator",
    "is_public",
]


def plan(g: Alliance) -> None:
    """Draw `g.cycles`, oldest first; ids of sections and questions run on across cycles."""
    n_q, n_s = g.sizes.questions, g.sizes.principles
    qid = sid = 0
    lineages = [f"bench-q{i:02d}" for i in range(n_q)]
    for ci, year in enumerate(range(g.year - g.sizes.cycles, g.year + 1), 1):
        is_open = year == g.year
        opens = dt.date(year, 2, 1) if not is_open else dt.date(year, 1, 5)
        due = dt.date(year, 5, 31) if not is_open else dt.date(year, 12, 31)
        version = g.version_on(opens)
        # A reworded question gets a new lineage now and then.
        if ci > 1 and ci % 4 == 0:
            lineages[(ci * 7) % n_q] = f"bench-q{(ci * 7) % n_q:02d}-y{year}"
        sections = _sections(sid, n_s)
        sid += n_s
        questions = _questions(qid, n_q, n_s, lineages)
        qid += n_q
        cycle = Cycle(
            ci, year, opens, due, 14, "open" if is_open else "closed", version, questions, sections
        )
        structure = [
            (q["lineage"], q["text"], q["type"], q["required"], q["choices"]) for q in questions
        ]
        cycle.q_hash = hashlib.sha256(dumps(structure).encode()).hexdigest()
        g.cycles.append(cycle)


def _sections(last_id: int, n: int) -> list[dict]:
    return [
        {
            "id": last_id + s + 1,
            "position": s,
            "principle_id": s + 1,
            "title": PRINCIPLE_TITLES[s % len(PRINCIPLE_TITLES)],
        }
        for s in range(n)
    ]


def _questions(last_id: int, n_q: int, n_s: int, lineages: list[str]) -> list[dict]:
    """The questions dealt round the sections, in (section, position) order."""
    per_section: list[list[dict]] = [[] for _ in range(n_s)]
    questions = []
    for q in range(n_q):
        s = q % n_s
        question = _question(last_id + q + 1, q, s, len(per_section[s]), lineages[q])
        # The second question of a section is asked only if the first was answered yes.
        if question["position"] == 1 and per_section[s]:
            question["condition"] = per_section[s][0]["id"]
        per_section[s].append(question)
        questions.append(question)
    questions.sort(key=lambda q: (q["section"], q["position"]))
    return questions


def _question(qid: int, q: int, s: int, position: int, lineage: str) -> dict:
    qtype = TYPE_CYCLE[q % len(TYPE_CYCLE)] if position else "yes_no"
    subject = SUBJECTS[(q * 5 + s) % len(SUBJECTS)]
    stem = QUESTION_STEMS[qtype][q % len(QUESTION_STEMS[qtype])]
    question = {
        "id": qid,
        "section": s,
        "position": position,
        "type": qtype,
        "lineage": lineage,
        "text": stem.format(x=subject),
        "required": qtype != "evidence" and (position == 0 or q % 3 != 0),
        "choices": CHOICES[qtype][q % 2] if qtype in CHOICES else [],
        "unit": "people" if qtype == "number" and q % 2 else "",
        "min": 0 if qtype == "number" else None,
        "max": 100_000 if qtype == "number" else None,
        "is_indicator": qtype in ("yes_no", "number", "single_choice") and q % 2 == 0,
        "is_public": q % 3 == 0 or position == 0,
        "condition": None,
    }
    pool = (
        CHOICES[qtype][q % 2]
        if qtype == "single_choice"
        else TEXT_ANSWERS
        if qtype in ("short_text", "long_text")
        else []
    )
    # The answers drawn for this question, already serialised: (value JSON, display JSON).
    question["json_choices"] = [(dumps(v), dumps(v)) for v in pool]
    return question


def _cycle_rows(g: Alliance) -> list[tuple]:
    all_categories = dumps(list(CATEGORY_WEIGHTS))
    rows = []
    for c in g.cycles:
        closed = c.status == "closed"
        final = c.due_on + dt.timedelta(days=c.grace_days)
        rows.append(
            (
                c.id,
                c.year,
                f"{c.year} reporting cycle",
                c.charter_version_id,
                c.status,
                c.opens_on,
                c.due_on,
                c.grace_days,
                all_categories,
                "[30,7,1]",
                c.id - 1 if c.id > 1 else None,
                timestamp(c.opens_on, g.rng),
                timestamp(dt.date(c.year, 12, 31), g.rng) if closed else None,
                timestamp(final + dt.timedelta(days=1), g.rng) if closed else None,
                timestamp(c.opens_on - dt.timedelta(days=30), g.rng),
            )
        )
    return rows


def _question_row(cycle: Cycle, q: dict) -> tuple:
    return (
        q["id"],
        cycle.sections[q["section"]]["id"],
        q["lineage"],
        q["position"],
        q["text"],
        "",
        q["type"],
        q["required"],
        dumps(q["choices"]),
        q["unit"],
        q["min"],
        q["max"],
        q["condition"],
        "yes" if q["condition"] else "",
        q["is_indicator"],
        q["is_public"],
    )


def load(g: Alliance, loader: Loader) -> None:
    loader.load("reporting_cycles", CYCLE_COLUMNS, _cycle_rows(g))
    loader.load(
        "sections",
        SECTION_COLUMNS,
        [
            (s["id"], c.id, s["position"], s["title"], "", s["principle_id"])
            for c in g.cycles
            for s in c.sections
        ],
    )
    loader.load(
        "questions", QUESTION_COLUMNS, [_question_row(c, q) for c in g.cycles for q in c.questions]
    )
