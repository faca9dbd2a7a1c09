"""What the generator has drawn so far, shared by its steps: the organisations and cycles it
planned, and one random stream seeded from the sizes. Every step draws from that stream, so the
steps run in the order `build.build` gives them, and the same seed gives the same alliance."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from bench.generate.sizes import Sizes


@dataclasses.dataclass
class Org:
    id: int
    name: str
    slug: str
    country: str
    category: str
    size_band: str
    sector_id: int | None
    applied_on: dt.date
    joined_on: dt.date | None = None
    status: str = "applicant"
    status_since: dt.datetime | None = None
    ended_on: dt.date | None = None  # withdrawn / delisted: no more reports after this
    planned_exit: str | None = None  # "withdrawn" / "suspended" / "rejected"
    exit_on: dt.date | None = None
    endorsed_version_id: int | None = None
    rep_ids: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Cycle:
    id: int
    year: int
    opens_on: dt.date
    due_on: dt.date
    grace_days: int
    status: str
    charter_version_id: int
    questions: list  # dicts: id, section position, type ...
    sections: list
    q_hash: str = ""


class Alliance:
    def __init__(self, sizes: Sizes, year: int):
        self.sizes = sizes
        self.year = year  # the open cycle's year
        self.rng = random.Random(sizes.seed)
        self.founded = dt.date(year - sizes.cycles - 1, 1, 15)
        self.today = dt.date(year, 11, 1)  # the data is as of 1 November of the open cycle's year
        self.summary: dict = {}
        self.versions: list[tuple[int, dt.date]] = []  # charter versions: (id, effective date)
        self.sector_ids: list[int] = []
        self.orgs: list[Org] = []
        self.cycles: list[Cycle] = []  # the closed ones, then this year's open one
        self.report_plan: list[tuple[Org, Cycle, bool]] = []  # (org, closed cycle, late)
        self.history: dict[int, list] = {}  # organisation id -> its status changes
        self.rep_orgs: list[Org] = []  # the organisations with representatives
        self.user_info: dict[int, dict] = {}  # user id -> id, name, email (for snapshots)
        self.file_pool: list[tuple] = []  # evidence files: (sha256, name, content type, size)
        self.next_report_id = 1  # the open cycle's drafts come after the submitted reports

    def version_on(self, day: dt.date) -> int:
        """The charter version in force on `day`."""
        current = self.versions[0][0]
        for vid, effective in self.versions:
            if effective <= day:
                current = vid
        return current
