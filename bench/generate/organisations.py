"""Organisations: who applied when, from where, under which name; whether they joined, and
whether they later leave; their rows with the applications and charter endorsements."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

import pycountry

from bench.generate.common import country_name, slugify, timestamp, weighted
from bench.generate.loader import Loader
from bench.generate.state import Alliance, Org
from bench.generate.words import (
    ACADEMIA_PATTERNS,
    CATEGORY_WEIGHTS,
    CIVIL_PATTERNS,
    COUNTRY_WEIGHTS,
    DESCRIPTORS,
    FIRST,
    GOVERNMENT_PATTERNS,
    LAST,
    LEGAL_SUFFIX,
    OTHER_PATTERNS,
    ROOT_WEIGHTS,
    ROOTS,
    SIZE_WEIGHTS,
    SYLLABLES,
    TITLES,
    TOPICS,
)

ORGANISATION_COLUMNS = [
    "id",
    "name",
    "name_key",
    "slug",
    "legal_name",
    "country",
    "sector_id",
    "category",
    "size_band",
    "website",
    "description_md",
    "status",
    "status_since",
    "joined_on",
    "endorsed_version_id",
    "created_at",
    "updated_at",
]
APPLICATION_COLUMNS = [
    "id",
    "organisation_id",
    "contact_name",
    "contact_email",
    "contact_title",
    "motivation",
    "state",
    "decided_at",
    "decided_by_id",
    "decision_reason",
    "created_at",
    "charter_version_id",
    "signatory_name",
    "signatory_title",
    "authorised_to_sign",
]
ENDORSEMENT_COLUMNS = [
    "id",
    "organisation_id",
    "charter_version_id",
    "signatory_name",
    "signatory_title",
    "endorsed_on",
    "recorded_by_id",
    "created_at",
]


def _year_weights(n: int) -> list[float]:
    # Many founding members, then steady growth: about 6.5 reporting years per member.
    return [48] + [max(1.0, 10 - 0.6 * i) for i in range(1, n)]


def _name(rng: random.Random, category: str, country: str, used: set) -> str:
    cname = country_name(country)

    def city():
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()

    def root():
        if rng.random() < 0.35:
            return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        return rng.choices(ROOTS, weights=ROOT_WEIGHTS)[0]

    for attempt in range(20):
        if category == "company":
            name = f"{root()} {rng.choice(DESCRIPTORS)}"
            if rng.random() < 0.4 and country in LEGAL_SUFFIX:
                name += f" {rng.choice(LEGAL_SUFFIX[country])}"
        else:
            pattern = rng.choice(
                {
                    "civil_society": CIVIL_PATTERNS,
                    "academia": ACADEMIA_PATTERNS,
                    "government": GOVERNMENT_PATTERNS,
                }.get(category, OTHER_PATTERNS)
            )
            name = pattern.format(
                root=root(),
                country=cname,
                city=city(),
                topic=rng.choice(TOPICS),
                descriptor=rng.choice(DESCRIPTORS),
            )
        if attempt > 2:
            name = f"{name} {city()}"
        key = " ".join(name.lower().split())
        if key not in used:
            used.add(key)
            return name
    raise RuntimeError("could not find a unique name")


def _countries() -> tuple[list[str], list[int]]:
    """Every country, the weighted ones first; the others have a small weight each."""
    countries = list(COUNTRY_WEIGHTS)
    weights = list(COUNTRY_WEIGHTS.values())
    for country in pycountry.countries:
        if country.alpha_2 not in COUNTRY_WEIGHTS:
            countries.append(country.alpha_2)
            weights.append(4)
    return countries, weights


def _unique_slug(name: str, used: set[str]) -> str:
    slug = slugify(name)
    base, k = slug, 2
    while slug in used:
        slug, k = f"{base}-{k}", k + 1
    used.add(slug)
    return slug


def _sector(g: Alliance, category: str) -> int | None:
    if category == "company":
        return g.rng.choice(g.sector_ids[:6] + g.sector_ids[8:9] + g.sector_ids[10:])
    if category == "academia":
        return 7
    if category == "government":
        return 8
    if category == "civil_society":
        return 10
    return g.rng.choice([None, *g.sector_ids])


def _plan_membership(g: Alliance, org: Org) -> None:
    """Whether the applicant joins (and when), and whether it means to withdraw or be
    suspended later (`planned_exit`, `exit_on`)."""
    rng = g.rng
    roll = rng.random()
    recent = (g.today - org.applied_on).days < 60
    if recent and roll < 0.6 or roll < 0.025:
        org.planned_exit = "applicant"
    elif roll < 0.04:
        org.planned_exit = "rejected"
    else:
        org.joined_on = org.applied_on + dt.timedelta(days=rng.randrange(7, 45))
        if org.joined_on >= g.today:
            org.joined_on, org.planned_exit = None, "applicant"
        elif roll < 0.095:
            org.planned_exit = "withdrawn"
        elif roll < 0.105:
            org.planned_exit = "suspended"
        if org.planned_exit in ("withdrawn", "suspended"):
            span = (g.today - org.joined_on).days
            if span > 60:
                org.exit_on = org.joined_on + dt.timedelta(days=rng.randrange(30, span))
            else:
                org.planned_exit = None


def plan(g: Alliance) -> None:
    """Draw `g.orgs`: country, category, a unique name and slug, sector, application date and
    membership plan."""
    rng = g.rng
    countries, weights = _countries()
    used_names: set[str] = set()
    used_slugs: set[str] = set()
    first_year = g.founded.year
    years = list(range(first_year, g.year + 1))
    year_weights = _year_weights(len(years))
    for i in range(1, g.sizes.orgs + 1):
        country = rng.choices(countries, weights=weights)[0]
        category = weighted(rng, CATEGORY_WEIGHTS)
        name = _name(rng, category, country, used_names)
        slug = _unique_slug(name, used_slugs)
        sector = _sector(g, category)
        year = rng.choices(years, weights=year_weights)[0]
        start = dt.date(year, 1, 1) if year > first_year else g.founded
        end = min(dt.date(year, 12, 31), g.today - dt.timedelta(days=20))
        applied = start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))
        org = Org(i, name, slug, country, category, weighted(rng, SIZE_WEIGHTS), sector, applied)
        _plan_membership(g, org)
        g.orgs.append(org)


def _plan_endorsements(g: Alliance) -> list[tuple]:
    """Every member endorses the version in force when it joined, and most endorse the later
    ones; the last one endorsed becomes its `endorsed_version_id`."""
    rng = g.rng
    rows = []
    eid = 0
    for org in g.orgs:
        if not org.joined_on:
            continue
        last = None
        for vid, effective in g.versions:
            if effective <= org.joined_on:
                day = org.joined_on
                if vid != g.version_on(org.joined_on):
                    continue
            else:
                day = effective + dt.timedelta(days=rng.randrange(3, 150))
                if day >= g.today or (org.ended_on and day >= org.ended_on) or rng.random() > 0.85:
                    continue
            eid += 1
            rows.append(
                (
                    eid,
                    org.id,
                    vid,
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    rng.choice(TITLES),
                    day,
                    1,
                    timestamp(day, rng),
                )
            )
            last = vid
        org.endorsed_version_id = last
    return rows


def _organisation_rows(g: Alliance) -> Iterator[tuple]:
    for o in g.orgs:
        created = timestamp(o.applied_on, g.rng)
        yield (
            o.id,
            o.name,
            " ".join(o.name.lower().split()),
            o.slug,
            o.name if " " in o.name else f"{o.name} Ltd",
            o.country,
            o.sector_id,
            o.category,
            o.size_band,
            f"https://www.{o.slug[:60]}.example",
            f"{o.name} is a {o.size_band} {o.category.replace('_', ' ')} based in "
            f"{country_name(o.country)}.",
            o.status,
            o.status_since,
            o.joined_on,
            o.endorsed_version_id,
            created,
            max(created, o.status_since),
        )


def load(g: Alliance, loader: Loader) -> list[tuple]:
    """Load the organisations; their endorsements (which decide `endorsed_version_id`, so are
    drawn first) are returned for `load_endorsements`."""
    endorsements = _plan_endorsements(g)
    loader.load("organisations", ORGANISATION_COLUMNS, _organisation_rows(g))
    return endorsements


def _application_rows(g: Alliance) -> Iterator[tuple]:
    rng = g.rng
    aid = 0
    for org in g.orgs:
        if org.status not in ("applicant", "rejected") and rng.random() > 0.5:
            continue
        aid += 1
        state = {"applicant": "pending", "rejected": "rejected"}.get(org.status, "approved")
        decided = None if state == "pending" else timestamp(org.joined_on or org.applied_on, rng)
        contact = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        yield (
            aid,
            org.id,
            contact,
            f"contact{org.id}@{org.slug[:40]}.example",
            rng.choice(TITLES),
            "We want to commit in public.",
            state,
            decided,
            1 if decided else None,
            "Not eligible." if state == "rejected" else "",
            timestamp(org.applied_on, rng),
            g.version_on(org.applied_on),
            contact,
            rng.choice(TITLES),
            True,
        )


def load_applications(g: Alliance, loader: Loader) -> None:
    loader.load("applications", APPLICATION_COLUMNS, _application_rows(g))


def load_endorsements(loader: Loader, rows: list[tuple]) -> None:
    loader.load("endorsements", ENDORSEMENT_COLUMNS, rows)
