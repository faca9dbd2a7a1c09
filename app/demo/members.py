"""Demo: sectors, about 40 organisations with status histories, endorsements, pledges,
and the demo representative."""

from __future__ import annotations

import datetime as dt
import io
import re

from PIL import Image, ImageDraw
from sqlalchemy import select

from app import clock
from app.accounts.models import Role, User
from app.charter.models import Principle
from app.core.services import store_file
from app.core.templating import country_name
from app.db import db
from app.demo.common import DEMO_PASSWORD, REPRESENTATIVE_EMAIL
from app.members.models import (
    Application,
    Endorsement,
    Organisation,
    Pledge,
    PledgeUpdate,
    Sector,
    StatusChange,
)

SECTORS = [
    "Software",
    "Telecommunications",
    "Cloud services",
    "Financial services",
    "Energy",
    "Health",
    "Research and education",
    "Public administration",
    "Consumer electronics",
    "Human rights",
]

# name, country, sector index, category, size band
ORGS = [
    ("Northwind Security", "DE", 0, "company", "250-4999"),
    ("Aurora Telecom", "FI", 1, "company", "5000+"),
    ("Blue Harbour Cloud", "IE", 2, "company", "250-4999"),
    ("Cedar Bank", "CA", 3, "company", "5000+"),
    ("Delta Grid Energy", "ES", 4, "company", "5000+"),
    ("Evergreen Health Systems", "US", 5, "company", "250-4999"),
    ("Fjord Software", "NO", 0, "company", "50-249"),
    ("Galileo Networks", "IT", 1, "company", "250-4999"),
    ("Helios Devices", "KR", 8, "company", "5000+"),
    ("Indigo Payments", "SG", 3, "company", "50-249"),
    ("Jacaranda Digital", "AU", 0, "company", "10-49"),
    ("Kestrel Identity", "GB", 0, "company", "50-249"),
    ("Lumen Data Centres", "NL", 2, "company", "250-4999"),
    ("Meridian Mobile", "BR", 1, "company", "5000+"),
    ("Nimbus Analytics", "FR", 2, "company", "10-49"),
    ("Orchid Systems", "JP", 8, "company", "5000+"),
    ("Pampas Fintech", "AR", 3, "company", "10-49"),
    ("Quetzal Cloud", "MX", 2, "company", "50-249"),
    ("Rift Valley Connect", "KE", 1, "company", "250-4999"),
    ("Savanna Software", "ZA", 0, "company", "50-249"),
    ("Tidewater Utilities", "US", 4, "company", "5000+"),
    ("Umbra Secure Chips", "TW", 8, "company", "250-4999"),
    ("Vistula Code", "PL", 0, "company", "10-49"),
    ("Willow Medical Devices", "CH", 5, "company", "250-4999"),
    ("Digital Rights Watch Europe", "BE", 9, "civil_society", "10-49"),
    ("Open Internet Foundation", "US", 9, "civil_society", "10-49"),
    ("Safer Web Africa", "NG", 9, "civil_society", "1-9"),
    ("Privacy Collective Asia", "IN", 9, "civil_society", "10-49"),
    ("Cyber Peace Initiative", "CH", 9, "civil_society", "10-49"),
    ("Andes Institute of Technology", "CL", 6, "academia", "250-4999"),
    ("Baltic Cyber Research Centre", "EE", 6, "academia", "50-249"),
    ("Danube University Security Lab", "AT", 6, "academia", "10-49"),
    ("Pacific Rim Security Institute", "NZ", 6, "academia", "10-49"),
    ("Maple Leaf Cyber Centre", "CA", 7, "government", "50-249"),
    ("Lusitania Digital Agency", "PT", 7, "government", "250-4999"),
    ("Nordic CERT Cooperation", "DK", 7, "government", "10-49"),
    ("Atlas Incident Response", "MA", 0, "company", "10-49"),
    ("Boreal Hosting", "SE", 2, "company", "50-249"),
    ("Coral Reef Networks", "PH", 1, "company", "250-4999"),
    ("Sahara Solar Data", "EG", 4, "other", "50-249"),
]

PLEDGES = [
    (
        "Fix critical vulnerabilities within 30 days",
        [4],
        "Median days from report to fix",
        "in_progress",
    ),
    (
        "Multi-factor authentication on by default for all customers",
        [0, 2],
        "Share of customer accounts with MFA enabled",
        "achieved",
    ),
    (
        "Publish a software bill of materials for every product",
        [5],
        "Share of products with a published SBOM",
        "in_progress",
    ),
    (
        "Train 10,000 small businesses in basic cyber hygiene",
        [2, 3],
        "Number of people trained",
        "planned",
    ),
    (
        "Publish a government-requests transparency report twice a year",
        [7],
        "Reports published per year",
        "achieved",
    ),
    ("Join two sector information-sharing groups", [3], "Groups joined", "missed"),
]


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def seed(secretariat: User, versions, rng) -> list[Organisation]:
    sectors = [Sector(name=name, slug=slugify(name)) for name in SECTORS]
    db.session.add_all(sectors)
    db.session.flush()
    v1, v2 = versions
    orgs = []
    for i, (name, country, sector, category, size) in enumerate(ORGS):
        joined = dt.date(2023, 3, 1) + dt.timedelta(days=rng.randint(0, 900))
        joined_at = dt.datetime.combine(joined, dt.time(10), dt.UTC)
        org = Organisation(
            name=name,
            name_key=" ".join(name.lower().split()),
            slug=slugify(name),
            legal_name=f"{name} {'Ltd' if category == 'company' else ''}".strip(),
            country=country,
            sector=sectors[sector],
            category=category,
            size_band=size,
            website=f"https://www.{slugify(name)}.example",
            description_md=f"{name} is a {category.replace('_', ' ')} organisation based in "
            f"{country_name(country)} working in *{SECTORS[sector].lower()}*.",
            status="active",
            status_since=joined_at,
            joined_on=joined,
        )
        org.status_changes.append(
            StatusChange(
                from_status=None,
                to_status="applicant",
                at=joined_at - dt.timedelta(days=14),
                is_public=False,
                reason="Applied online.",
            )
        )
        org.status_changes.append(
            StatusChange(
                from_status="applicant",
                to_status="active",
                at=joined_at,
                by_user_id=secretariat.id,
                reason="Application approved.",
                public_reason="Joined the alliance.",
            )
        )
        db.session.add(org)
        db.session.flush()
        endorsed = v1 if joined < v2.effective_date else v2
        db.session.add(
            Endorsement(
                organisation_id=org.id,
                charter_version_id=endorsed.id,
                signatory_name=f"Signatory of {name}",
                signatory_title="Chief Executive Officer",
                endorsed_on=joined,
            )
        )
        if endorsed is v1 and i % 3 != 2:
            db.session.add(
                Endorsement(
                    organisation_id=org.id,
                    charter_version_id=v2.id,
                    signatory_name=f"Signatory of {name}",
                    signatory_title="Chief Executive Officer",
                    endorsed_on=v2.effective_date + dt.timedelta(days=30),
                )
            )
            endorsed = v2
        org.endorsed_version_id = endorsed.id
        orgs.append(org)

    # A few members in other states, so the public sees the alliance is accountable.
    def change(org, to, reason, public_reason, when):
        at = dt.datetime.combine(when, dt.time(9), dt.UTC)
        org.status_changes.append(
            StatusChange(
                from_status=org.status,
                to_status=to,
                at=at,
                by_user_id=secretariat.id,
                reason=reason,
                public_reason=public_reason,
            )
        )
        org.status, org.status_since = to, at

    change(
        orgs[37],
        "withdrawn",
        "Letter from the CEO.",
        "Withdrew from the alliance.",
        dt.date(2025, 9, 1),
    )
    change(
        orgs[39],
        "suspended",
        "Under investigation after a complaint.",
        "Suspended pending review of a complaint.",
        dt.date(2026, 2, 10),
    )
    applicant = Organisation(
        name="Glacier Fibre",
        name_key="glacier fibre",
        slug="glacier-fibre",
        country="IS",
        sector=sectors[1],
        category="company",
        size_band="50-249",
        website="https://www.glacier-fibre.example",
        status="applicant",
    )
    db.session.add(applicant)
    db.session.flush()
    _applications(applicant, sectors, v2)

    rep = User(
        email=REPRESENTATIVE_EMAIL,
        name="Jonas Becker",
        job_title="CISO",
        role=Role.REPRESENTATIVE,
        organisation=orgs[0],
    )
    rep.set_password(DEMO_PASSWORD)
    db.session.add(rep)
    db.session.flush()

    principles = db.session.scalars(select(Principle).order_by(Principle.id)).all()
    for i, org in enumerate(orgs[:30]):
        for j in range(1 + i % 3):
            title, principle_idx, indicator, status = PLEDGES[(i + j) % len(PLEDGES)]
            created = dt.datetime.combine(org.joined_on, dt.time(12), dt.UTC)
            pledge = Pledge(
                organisation=org,
                title=title,
                indicator=indicator,
                description_md=f"{org.name} commits to this by the target date.",
                target_date=dt.date(2026 + j, 12, 31),
                is_public=(j != 2),
                status=status,
                status_since=created,
                created_at=created,
                principles=[principles[k] for k in principle_idx],
            )
            pledge.updates.append(PledgeUpdate(at=created, status="planned", note="Pledge made."))
            if status != "planned":
                pledge.updates.append(
                    PledgeUpdate(
                        at=created + dt.timedelta(days=200),
                        status=status,
                        note="Progress reported in the yearly report.",
                    )
                )
            db.session.add(pledge)
    db.session.flush()
    _verify_some_updates(secretariat, orgs)
    _logos(orgs)
    return orgs


def _applications(applicant: Organisation, sectors: list[Sector], version) -> None:
    """Two applications waiting in the secretariat's queue."""
    second = Organisation(
        name="Mistral Secure Mail",
        name_key="mistral secure mail",
        slug="mistral-secure-mail",
        legal_name="Mistral Secure Mail SAS",
        country="FR",
        sector=sectors[0],
        category="company",
        size_band="10-49",
        website="https://www.mistral-mail.example",
        status="applicant",
        description_md="End-to-end encrypted mail for small businesses.",
    )
    db.session.add(second)
    db.session.flush()
    for org, contact, email, days in (
        (applicant, "Sigrún Jónsdóttir", "sigrun@glacier-fibre.example", 9),
        (second, "Élodie Martin", "elodie@mistral-mail.example", 2),
    ):
        applied = clock.now() - dt.timedelta(days=days)
        org.status_since = applied
        org.status_changes.append(
            StatusChange(
                from_status=None,
                to_status="applicant",
                at=applied,
                is_public=False,
                reason="Applied online.",
            )
        )
        db.session.add(
            Application(
                organisation=org,
                contact_name=contact,
                contact_email=email,
                contact_title="Head of Security",
                created_at=applied,
                motivation="We want to commit in public to the charter and report on it.",
                charter_version_id=version.id,
                signatory_name=contact,
                signatory_title="Chief Executive Officer",
                authorised_to_sign=True,
            )
        )
    db.session.flush()


def _verify_some_updates(secretariat: User, orgs: list[Organisation]) -> None:
    updates = db.session.scalars(
        select(PledgeUpdate)
        .join(Pledge)
        .where(
            Pledge.organisation_id.in_([o.id for o in orgs[:12]]),
            PledgeUpdate.status.in_(["achieved", "in_progress"]),
        )
    ).all()
    for update in updates[::2]:
        update.verified_at = update.at + dt.timedelta(days=21)
        update.verified_by_id = secretariat.id


LOGO_COLOURS = ["#0b4f6c", "#1e6b3a", "#a12622", "#8a5300", "#5b3e96", "#00707a"]


def _logos(orgs: list[Organisation]) -> None:
    """Simple geometric logos for a third of the members (drawn, so nothing is downloaded)."""
    for i, org in enumerate(orgs):
        if i % 3:
            continue
        colour = LOGO_COLOURS[i % len(LOGO_COLOURS)]
        image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((8, 8, 232, 232), radius=48, fill=colour)
        shape = (i // 3) % 3
        if shape == 0:
            draw.ellipse((60, 60, 180, 180), outline="white", width=18)
        elif shape == 1:
            draw.polygon([(120, 50), (195, 185), (45, 185)], outline="white", width=18)
        else:
            draw.rectangle((70, 70, 170, 170), outline="white", width=18)
            draw.line((70, 170, 170, 70), fill="white", width=18)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        org.logo_sha256 = store_file(out.getvalue(), "image/png").sha256
    db.session.flush()
