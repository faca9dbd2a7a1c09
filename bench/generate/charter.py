"""The charter: its principles, its published versions with one text per principle, and the
sectors organisations belong to."""

from __future__ import annotations

import datetime as dt

from bench.generate.common import slugify, timestamp
from bench.generate.loader import Loader
from bench.generate.state import Alliance
from bench.generate.words import SECTORS

PRINCIPLE_TITLES = [
    "Protect users and customers",
    "Oppose attacks on citizens and enterprises",
    "Empower users with security knowledge",
    "Coordinate vulnerability disclosure",
    "Secure products by design",
    "Respect privacy and human rights online",
    "Share information and cooperate",
    "Be transparent about government requests",
    "Support capacity building",
    "Report publicly on progress",
    "Secure the supply chain",
    "Prepare for and respond to incidents",
]
CHARTER_VERSION_COLUMNS = [
    "id",
    "number",
    "title",
    "preamble_md",
    "change_summary",
    "status",
    "effective_date",
    "published_at",
    "published_by_id",
    "based_on_id",
    "created_by_id",
    "created_at",
]
PRINCIPLE_TEXT_COLUMNS = [
    "id",
    "version_id",
    "principle_id",
    "number",
    "position",
    "title",
    "body_md",
    "theme",
]


def plan(g: Alliance, loader: Loader) -> tuple[list[tuple], list[tuple]]:
    """Load the principles and plan the versions (`g.versions`); their rows (charter versions,
    principle texts) are returned for `load`, once the secretariat who published them exists."""
    n = g.sizes.principles
    loader.load(
        "principles",
        ["id", "key", "created_at"],
        [(i, f"P{i}", timestamp(g.founded, g.rng)) for i in range(1, n + 1)],
    )
    first = g.founded.year
    published = [dt.date(first, 1, 15), dt.date(first + 4, 6, 1), dt.date(first + 8, 9, 1)]
    published = [d for d in published if d <= g.today] or published[:1]
    g.versions = [(i + 1, d) for i, d in enumerate(published)]  # (id, effective date)
    rows, texts = [], []
    text_id = 0
    for vid, day in g.versions:
        rows.append(
            (
                vid,
                vid,
                f"Charter, version {vid}",
                "The signatories commit to the "
                "principles below and report every year on how they live up to them.",
                "" if vid == 1 else "Clarified wording; new guidance on disclosure.",
                "published",
                day,
                timestamp(day, g.rng),
                1,
                vid - 1 if vid > 1 else None,
                1,
                timestamp(day - dt.timedelta(days=30), g.rng),
            )
        )
        for p in range(1, n + 1):
            text_id += 1
            title = PRINCIPLE_TITLES[(p - 1) % len(PRINCIPLE_TITLES)]
            texts.append(
                (
                    text_id,
                    vid,
                    p,
                    p,
                    p,
                    title,
                    f"Signatories **{title.lower()}** (version {vid}).",
                    ["Protection", "Empowerment", "Cooperation"][p % 3],
                )
            )
    return rows, texts


def load(loader: Loader, rows: tuple[list[tuple], list[tuple]]) -> None:
    versions, texts = rows
    loader.load("charter_versions", CHARTER_VERSION_COLUMNS, versions)
    loader.load("principle_texts", PRINCIPLE_TEXT_COLUMNS, texts)


def sectors(g: Alliance, loader: Loader) -> None:
    g.sector_ids = list(range(1, len(SECTORS) + 1))
    loader.load(
        "sectors",
        ["id", "name", "slug"],
        [(i, name, slugify(name)) for i, name in enumerate(SECTORS, 1)],
    )
