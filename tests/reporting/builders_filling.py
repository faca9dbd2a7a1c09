"""Builders for the filling-in tests (issue 5, part A): a cycle with a questionnaire that
has every question type, a condition and evidence, plus small valid files of every kind."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from types import SimpleNamespace

import pytest

from app import clock
from app.reporting import cycles, filling

# (section title, [(key, text, type, options)])
QUESTIONNAIRE = [
    (
        "Protect users",
        [
            (
                "mfa",
                "Do you offer multi-factor authentication?",
                "yes_no",
                {"required": True, "is_public": True, "is_indicator": True},
            ),
            (
                "mfa_share",
                "What share of accounts use it?",
                "number",
                {
                    "required": True,
                    "unit": "%",
                    "min_value": 0,
                    "max_value": 100,
                    "condition": ("mfa", "yes"),
                    "is_indicator": True,
                },
            ),
            (
                "approach",
                "Describe how you protect users.",
                "long_text",
                {"required": True, "help_text": "Two or three paragraphs."},
            ),
        ],
    ),
    (
        "Disclosure",
        [
            (
                "programme",
                "How do you receive vulnerability reports?",
                "single_choice",
                {
                    "required": True,
                    "choices": ["Bug bounty", "Email address", "None"],
                    "is_public": True,
                },
            ),
            ("policy_url", "Where is your disclosure policy?", "url", {"required": False}),
            (
                "frameworks",
                "Which frameworks do you follow?",
                "multiple_choice",
                {"choices": ["ISO 27001", "NIST CSF", "Other"]},
            ),
            ("policy", "Your disclosure policy document", "evidence", {"required": True}),
        ],
    ),
    (
        "General",
        [
            (
                "contact",
                "Who answers questions about this report?",
                "short_text",
                {"required": True},
            ),
            ("audit", "When was your last external audit?", "date", {}),
        ],
    ),
]

VALID = {
    "mfa": "yes",
    "mfa_share": "87.5",
    "approach": "We use **strong defaults**.\n\n- audits\n- training",
    "programme": "Bug bounty",
    "policy_url": "https://example.org/security",
    "frameworks": ["NIST CSF", "ISO 27001"],
    "contact": "Ada Lovelace",
    "audit": "2026-02-01",
}

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
TEXT = "Our policy, in plain words.\nWe answer within 5 days — promised.\n".encode()
CSV = b"year,reports,fixed\n2025,12,11\n2026,15,15\n"


def office_zip(kind: str) -> bytes:
    """A minimal XLSX ("xl") or DOCX ("word") package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        if kind == "xl":
            archive.writestr("xl/workbook.xml", "<workbook/>")
        else:
            archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def build_cycle(
    secretariat,
    year: int = 2026,
    open_it: bool = True,
    categories=("company",),
    questionnaire=QUESTIONNAIRE,
    opens_on: dt.date | None = None,
    due_on: dt.date | None = None,
):
    """A cycle with the questionnaire above; `cycle.q` maps keys to Question rows."""
    cycle = cycles.create_cycle(
        secretariat,
        year,
        f"{year} reporting cycle",
        opens_on or dt.date(year, 1, 10),
        due_on or dt.date(year, 3, 31),
        grace_days=14,
        categories=list(categories),
    )
    keyed = {}
    for title, questions in questionnaire:
        section = cycles.add_section(secretariat, cycle, title)
        for key, text, kind, options in questions:
            options = dict(options)
            condition = options.pop("condition", None)
            if condition:
                options["condition_question"] = keyed[condition[0]]
                options["condition_value"] = condition[1]
            keyed[key] = cycles.add_question(secretariat, section, text, kind, **options)
    if open_it:
        cycles.open_cycle(secretariat, cycle)
    cycle.q = keyed
    return cycle


def raw(cycle, **overrides) -> dict:
    values = {**VALID, **overrides}
    return {cycle.q[key].id: value for key, value in values.items() if value is not None}


def fill_and_submit(rep, cycle, organisation=None, evidence=(("policy.pdf", PDF),), **overrides):
    organisation = organisation or rep.organisation
    report = filling.get_or_start_report(rep, cycle, organisation)
    filling.save_answers(rep, report, raw(cycle, **overrides), report.revision)
    for name, data in evidence:
        filling.attach_evidence(rep, report, cycle.q["policy"], name, data)
    filling.set_attestation(
        rep,
        report,
        "Grace Hopper",
        "Chief Executive Officer",
        "We remain committed to the charter.",
        report.revision,
    )
    return filling.submit_report(rep, report, authorised=True)


@pytest.fixture
def cycle(secretariat, org_a, org_b):
    clock.freeze(at(dt.date(2026, 2, 1)))
    return build_cycle(secretariat)


@pytest.fixture
def world(secretariat, org_a, org_b, rep_a, rep_b, cycle):
    return SimpleNamespace(
        sec=secretariat, org_a=org_a, org_b=org_b, rep_a=rep_a, rep_b=rep_b, cycle=cycle
    )


def make_charter(db, number: int = 1, published: bool = True):
    """A charter version in force since 2025 with three principles (P1-P3)."""
    from app.charter.models import CharterVersion, Principle, PrincipleText

    version = CharterVersion(
        number=number,
        title="The charter",
        status="published" if published else "draft",
        effective_date=dt.date(2025, 1, 1) if published else None,
        published_at=at(dt.date(2025, 1, 1)) if published else None,
    )
    texts = [
        PrincipleText(
            version=version,
            principle=Principle(key=f"P{i}"),
            number=i,
            position=i,
            title=f"Principle {i} title",
            body_md=f"Body {i}",
        )
        for i in (1, 2, 3)
    ]
    db.session.add_all([version, *texts])
    db.session.flush()
    return version


def newer_charter_during(db, cycle) -> SimpleNamespace:
    """The cycle follows version 1 (P1-P3, `make_charter`); version 2 (P1 and a new P4, no P2
    or P3) came into force on 2026-01-15, after the cycle opened (issue 16)."""
    from app.charter.models import CharterVersion, Principle, PrincipleText

    v1 = make_charter(db)
    cycle.charter_version_id = v1.id
    v2 = CharterVersion(
        number=2,
        title="The new charter",
        status="published",
        effective_date=dt.date(2026, 1, 15),
        published_at=at(dt.date(2026, 1, 15)),
    )
    p1 = v1.texts[0].principle
    texts = [
        PrincipleText(
            version=v2, principle=p1, number=1, position=1, title="Principle 1 title", body_md="B"
        ),
        PrincipleText(
            version=v2,
            principle=Principle(key="P4"),
            number=2,
            position=2,
            title="Only in the new charter",
            body_md="New",
        ),
    ]
    db.session.add_all([v2, *texts])
    db.session.flush()
    return SimpleNamespace(
        v1=v1, v2=v2, old_only=v1.texts[1].principle_id, new_only=texts[1].principle_id
    )
