"""Demo: the secretariat account and two published versions of the charter."""

from __future__ import annotations

import datetime as dt

from app import clock
from app.accounts.mfa.models import SecondFactor
from app.accounts.models import Role, User
from app.charter import services
from app.charter.models import CharterVersion, Principle, PrincipleText, VersionStatus
from app.charter.notifications import store_after_commit
from app.core.services import record
from app.db import db
from app.demo import charter_fr
from app.demo.common import DEMO_PASSWORD, DEMO_TOTP_SECRET, SECRETARIAT_EMAIL

PREAMBLE = """We, the signatories of the Open Cyber Accord, believe that an open, free, secure
and resilient cyberspace is essential to the economic and social well-being of people
everywhere.

We commit to the principles below, to **report every year** on how we live up to them, and to
accept that our reports, our pledges and our standing in the alliance are public."""

PRINCIPLES_V1 = [
    (
        "Protect all users and customers",
        "Security",
        "We will protect all our users and customers everywhere, whoever and wherever they are.",
    ),
    (
        "Oppose attacks on innocent citizens",
        "Restraint",
        "We will oppose cyberattacks on innocent citizens and enterprises from anywhere, and will "
        "not help any government launch such attacks.",
    ),
    (
        "Empower users to protect themselves",
        "Capacity",
        "We will help users, customers and developers strengthen their protection, through "
        "information, tools and training.",
    ),
    (
        "Partner to improve collective security",
        "Cooperation",
        "We will work with each other and with like-minded groups to enhance cybersecurity, "
        "including by sharing threat information.",
    ),
    (
        "Disclose vulnerabilities responsibly",
        "Security",
        "We will run coordinated vulnerability disclosure programmes and publish how to report a "
        "vulnerability to us.",
    ),
    (
        "Secure the supply chain",
        "Security",
        "We will know what our products are made of, and keep the components we ship patched for "
        "their whole supported life.",
    ),
    (
        "Respect human rights online",
        "Rights",
        "We will respect human rights, including privacy and freedom of expression, in everything "
        "we do to secure our services.",
    ),
    (
        "Be transparent about government requests",
        "Rights",
        "We will publish, at least once a year, how many requests for user data we received from "
        "governments and how we answered them.",
    ),
    (
        "Report openly on our progress",
        "Accountability",
        "We will file a yearly report on each of these principles, and accept that the alliance "
        "publishes it.",
    ),
]

REWORDED_5 = (
    "We will run coordinated vulnerability disclosure programmes, publish how to report a "
    "vulnerability to us, and fix reported vulnerabilities within published time limits."
)
NEW_PRINCIPLE = (
    "Build security in by design",
    "Security",
    "We will design, develop and deliver products that are secure by default, and make secure "
    "configuration the easiest one.",
)


def seed_secretariat() -> User:
    user = User(
        email=SECRETARIAT_EMAIL,
        name="Amina Okafor",
        job_title="Head of Secretariat",
        role=Role.SECRETARIAT,
    )
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    db.session.flush()
    db.session.add(SecondFactor(user_id=user.id, secret=DEMO_TOTP_SECRET, confirmed_at=clock.now()))
    return user


def _published(number, title, summary, effective, author) -> CharterVersion:
    return CharterVersion(
        number=number,
        title=title,
        preamble_md=PREAMBLE,
        change_summary=summary,
        status=VersionStatus.PUBLISHED,
        effective_date=effective,
        published_at=dt.datetime.combine(effective, dt.time(9), dt.UTC),
        published_by_id=author.id,
        created_by_id=author.id,
    )


def seed(secretariat: User) -> list[CharterVersion]:
    principles = [Principle(key=f"P{i}") for i in range(1, len(PRINCIPLES_V1) + 2)]
    db.session.add_all(principles)
    v1 = _published(
        1,
        "The Open Cyber Accord",
        "First version of the charter.",
        dt.date(2023, 3, 1),
        secretariat,
    )
    for i, (title, theme, body) in enumerate(PRINCIPLES_V1):
        v1.texts.append(
            PrincipleText(
                principle=principles[i],
                number=i + 1,
                position=i,
                title=title,
                body_md=body,
                theme=theme,
            )
        )
    charter_fr.translate(v1, PREAMBLE)
    db.session.add(v1)
    db.session.flush()
    v2 = _published(
        2,
        "The Open Cyber Accord",
        "Principle 5 now sets time limits for fixes; new principle 10 on security by design.",
        dt.date(2025, 3, 1),
        secretariat,
    )
    v2.based_on_id = v1.id
    for i, (title, theme, body) in enumerate(PRINCIPLES_V1):
        v2.texts.append(
            PrincipleText(
                principle=principles[i],
                number=i + 1,
                position=i,
                title=title,
                body_md=REWORDED_5 if i == 4 else body,
                theme=theme,
            )
        )
    title, theme, body = NEW_PRINCIPLE
    v2.texts.append(
        PrincipleText(
            principle=principles[-1], number=10, position=9, title=title, body_md=body, theme=theme
        )
    )
    charter_fr.translate(v2, PREAMBLE)
    db.session.add(v2)
    db.session.flush()
    for version in (v1, v2):
        event = record(
            secretariat,
            "charter.published",
            version,
            summary=f"Version {version.number} published, in force from "
            f"{version.effective_date.isoformat()}",
            number=version.number,
            effective_date=version.effective_date.isoformat(),
            principles=len(version.texts),
        )
        event.at = version.published_at
        store_after_commit(version.id)  # its PDFs, laid out after the demo's commit
    seed_draft(secretariat)
    return [v1, v2]


def seed_draft(secretariat: User) -> CharterVersion:
    """A draft of version 3 in progress, through the services, so the secretariat's screens
    and dashboard have something to continue."""
    draft = services.start_draft(secretariat)
    services.update_draft(
        secretariat,
        draft.id,
        title=draft.title,
        preamble_md=draft.preamble_md,
        change_summary="Principle 8: transparency reports twice a year.",
    )
    text = next(t for t in draft.texts if t.number == 8)
    services.update_principle(
        secretariat,
        draft.id,
        text.id,
        number=8,
        title=text.title,
        theme=text.theme,
        body_md="We will publish, **twice a year**, how many requests for user data we "
        "received from governments and how we answered them.",
    )
    return draft
