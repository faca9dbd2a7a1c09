"""Pledges: drawn for members (more for larger ones), each with the principles it serves and
its status updates from planned to where it stands today."""

from __future__ import annotations

import datetime as dt

from bench.generate.common import timestamp, weighted
from bench.generate.loader import Loader
from bench.generate.state import Alliance, Org

PLEDGE_TITLES = [
    "Fix critical vulnerabilities within {n} days",
    "Multi-factor authentication on by default",
    "Publish a software bill of materials for every product",
    "Train {n},000 small businesses in cyber hygiene",
    "Publish a transparency report twice a year",
    "Coordinated vulnerability disclosure policy",
    "Security updates for {n} years after release",
    "Encrypt customer data at rest by default",
    "Phase out default passwords on all devices",
    "Independent security audit every year",
    "Support {n} digital-rights organisations",
    "Open-source our incident-response playbooks",
    "Memory-safe languages for all new components",
    "Share threat intelligence with national CERTs",
    "Free security training for {n}% of staff",
    "Report incidents to customers within {n} hours",
]
PLEDGE_STATUS = {"planned": 15, "in_progress": 45, "achieved": 30, "missed": 6, "withdrawn": 4}
SIZE_BAND_WEIGHTS = {"1-9": 1, "10-49": 2, "50-249": 3, "250-4999": 4, "5000+": 6}
PLEDGE_COLUMNS = [
    "id",
    "organisation_id",
    "title",
    "description_md",
    "target_date",
    "indicator",
    "is_public",
    "status",
    "status_since",
    "created_by_id",
    "created_at",
    "updated_at",
]
UPDATE_COLUMNS = [
    "id",
    "pledge_id",
    "at",
    "status",
    "note",
    "by_user_id",
    "report_version_id",
    "verified_at",
    "verified_by_id",
]


class _Pledges:
    def __init__(self, g: Alliance):
        self.g = g
        self.rng = g.rng
        self.pledges: list[tuple] = []
        self.links: list[tuple[int, int]] = []  # (pledge id, principle id)
        self.updates: list[tuple] = []

    def add(self, pid: int, org: Org) -> None:
        rng, today = self.rng, self.g.today
        created = org.joined_on + dt.timedelta(
            days=rng.randrange(0, max(1, (today - org.joined_on).days))
        )
        status = weighted(rng, PLEDGE_STATUS)
        title = rng.choice(PLEDGE_TITLES).format(n=rng.choice((3, 5, 10, 30, 90)))
        history = ["planned"]
        if status != "planned":
            history += ["in_progress"] * rng.randrange(0, 3) + [status]
        step = max(1, (today - created).days // (len(history) + 1))
        at = timestamp(created, rng)
        author = org.rep_ids[0] if org.rep_ids else None
        self._updates(pid, history, at, step, author)
        last = at + dt.timedelta(days=step * (len(history) - 1))
        self.pledges.append(
            (
                pid,
                org.id,
                title,
                f"We commit to this: {title.lower()}.",
                created + dt.timedelta(days=rng.randrange(180, 1500)),
                "Share of products covered",
                rng.random() < 0.85,
                status,
                last,
                author,
                at,
                last,
            )
        )
        for principle in rng.sample(
            range(1, self.g.sizes.principles + 1), rng.choice((1, 1, 2, 3))
        ):
            self.links.append((pid, principle))

    def _updates(
        self, pid: int, history: list[str], at: dt.datetime, step: int, author: int | None
    ) -> None:
        rng = self.rng
        for i, s in enumerate(history):
            when = at + dt.timedelta(days=step * i)
            self.updates.append(
                (
                    len(self.updates) + 1,
                    pid,
                    when,
                    s,
                    "" if i == 0 else "Progress noted in our report.",
                    author,
                    None,
                    when + dt.timedelta(days=20) if i and rng.random() < 0.3 else None,
                    1 if i and rng.random() < 0.3 else None,
                )
            )


def load(g: Alliance, loader: Loader) -> None:
    members = [o for o in g.orgs if o.joined_on]
    weights = [SIZE_BAND_WEIGHTS[o.size_band] for o in members]
    owners = sorted(g.rng.choices(members, weights=weights, k=g.sizes.pledges), key=lambda o: o.id)
    pledges = _Pledges(g)
    for pid, org in enumerate(owners, 1):
        pledges.add(pid, org)
    loader.load("pledges", PLEDGE_COLUMNS, pledges.pledges)
    loader.load("pledge_principles", ["pledge_id", "principle_id"], pledges.links)
    loader.load("pledge_updates", UPDATE_COLUMNS, pledges.updates)
