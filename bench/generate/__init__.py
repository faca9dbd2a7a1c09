"""A synthetic alliance the size of the largest real one, for `make bench`.

`python -m bench.generate [--orgs 25000 --cycles 10 --reports 150000 ...]` builds a SQLite
database with a fixed random seed: organisations across countries, sectors and categories with
status histories, applications and endorsements; charter versions with their principles;
yearly cycles with a 40-question questionnaire (a section per principle; mixed types, some
indicators, some public, lineage shared across years); submitted reports with their snapshot
(the format of docs/architecture.md, with short texts) and one `submitted_answers` row per
question; pledges with principles and updates; evidence files (content-addressed
`stored_files`); representatives with a known password; and this year's open cycle with
drafts for the draft-save scenario.

The schema comes from the models (`create_all`: the migrations are regenerated from them).
Rows are bulk-loaded with SQLAlchemy Core `insert()` executemany in batches, one transaction
per table, with `synchronous=OFF` during the load. The file is cached under `bench/data/`,
named after the seed, the sizes, the current year (the open cycle is this year's) and a hash of
the schema, so a second run reuses it. Closed cycles carry no draft `answers` rows (their data
lives in the snapshot and `submitted_answers`); audit events, reminders, extensions and
annual reports are not generated.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import os
import random
import re
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable

BENCH_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BENCH_DIR / "data"
PASSWORD = "bench-password-2026"  # noqa: S105  (a synthetic data set's published password)
SECRETARIAT_EMAIL = "secretariat@bench.pactum.example"
BATCH = 20_000
# Part of the cache key: bump it when a change here changes the data generated.
GENERATOR_VERSION = 1
UTC = dt.UTC


@dataclasses.dataclass(frozen=True)
class Sizes:
    orgs: int = 25_000
    cycles: int = 10
    reports: int = 150_000
    questions: int = 40
    principles: int = 10
    pledges: int = 60_000
    files: int = 3_000
    representatives: int = 3_000
    seed: int = 2026

    @classmethod
    def smoke(cls) -> Sizes:
        return cls(orgs=120, cycles=2, reports=150, pledges=200, files=12, representatives=40)

    def label(self) -> str:
        return (
            f"s{self.seed}-o{self.orgs}-c{self.cycles}-r{self.reports}-q{self.questions}"
            f"-p{self.principles}-pl{self.pledges}-f{self.files}-u{self.representatives}"
        )


# Schema -------------------------------------------------------------------------------------


def metadata() -> sa.MetaData:
    import app.models  # noqa: F401  (registers every table)
    from app.db import Base

    return Base.metadata


def schema_hash() -> str:
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    digest = hashlib.sha256(f"generator {GENERATOR_VERSION}".encode())
    for table in metadata().sorted_tables:
        digest.update(str(CreateTable(table).compile(dialect=dialect)).encode())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            digest.update(str(CreateIndex(index).compile(dialect=dialect)).encode())
    return digest.hexdigest()[:12]


def database_path(sizes: Sizes, data_dir: Path = DATA_DIR, year: int | None = None) -> Path:
    year = year or dt.date.today().year
    return data_dir / f"pactum-{sizes.label()}-y{year}-{schema_hash()}.sqlite3"


# Word lists -----------------------------------------------------------------------------------

COUNTRY_WEIGHTS = {
    "US": 1500,
    "GB": 800,
    "DE": 750,
    "FR": 600,
    "IN": 550,
    "JP": 450,
    "BR": 420,
    "ES": 400,
    "IT": 380,
    "CA": 330,
    "NL": 300,
    "AU": 280,
    "CN": 250,
    "KR": 230,
    "CH": 220,
    "SE": 200,
    "MX": 190,
    "ZA": 170,
    "NG": 150,
    "KE": 140,
    "BE": 140,
    "DK": 120,
    "NO": 110,
    "FI": 110,
    "PL": 110,
    "AT": 100,
    "IE": 100,
    "PT": 90,
    "AR": 90,
    "CL": 80,
    "CO": 80,
    "SG": 80,
    "TR": 80,
    "EG": 70,
    "ID": 70,
    "PH": 60,
    "TH": 60,
    "MY": 60,
    "VN": 50,
    "PK": 50,
    "IL": 50,
    "AE": 50,
    "GR": 50,
    "CZ": 45,
    "RO": 45,
    "HU": 40,
    "UA": 40,
    "PE": 40,
    "MA": 35,
    "GH": 35,
    "NZ": 35,
    "EE": 30,
    "LT": 25,
    "LV": 25,
    "TW": 60,
    "SA": 30,
}
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
    "Manufacturing",
    "Retail and e-commerce",
    "Transport and logistics",
    "Media and publishing",
    "Insurance",
    "Consulting",
    "Semiconductors",
    "Water utilities",
    "Agriculture and food",
    "Gaming",
]
CATEGORY_WEIGHTS = {"company": 70, "civil_society": 12, "academia": 8, "government": 5, "other": 5}
SIZE_WEIGHTS = {"1-9": 15, "10-49": 25, "50-249": 25, "250-4999": 25, "5000+": 10}
ROOTS = [
    "Northwind",
    "Aurora",
    "Cedar",
    "Delta",
    "Evergreen",
    "Fjord",
    "Galileo",
    "Helios",
    "Indigo",
    "Jacaranda",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pampas",
    "Quetzal",
    "Rift",
    "Savanna",
    "Tidewater",
    "Umbra",
    "Vistula",
    "Willow",
    "Atlas",
    "Boreal",
    "Coral",
    "Sahara",
    "Granite",
    "Harbour",
    "Ironbark",
    "Juniper",
    "Kelp",
    "Lagoon",
    "Monsoon",
    "Nordic",
    "Oakridge",
    "Polaris",
    "Quartz",
    "Redwood",
    "Summit",
    "Tundra",
    "Upland",
    "Vertex",
    "Westgate",
    "Zephyr",
    "Alpine",
    "Beacon",
    "Cobalt",
    "Dune",
    "Ember",
    "Falcon",
    "Glacier",
    "Horizon",
    "Isthmus",
    "Jade",
    "Keystone",
    "Lighthouse",
    "Mosaic",
    "Nova",
    "Onyx",
    "Pioneer",
    "Radiant",
    "Sequoia",
    "Trident",
    "Unity",
    "Valiant",
    "Wavecrest",
    "Yarrow",
    "Zenith",
    "Anchor",
    "Bluebird",
    "Crescent",
    "Driftwood",
    "Eastwind",
    "Fernhill",
    "Goldleaf",
    "Highland",
    "Ivory",
    "Kingfisher",
    "Larch",
    "Magnolia",
    "Nightingale",
    "Osprey",
    "Pinecrest",
    "Riverside",
    "Silverline",
    "Thornbury",
    "Vanguard",
    "Whitecap",
    "Amber",
    "Basalt",
    "Cypress",
    "Equinox",
    "Foxglove",
    "Global",
    "Secure",
    "Cyber",
    "Trust",
    "Open",
    "Smart",
    "Digital",
    "United",
    "Pacific",
    "Atlantic",
    "Continental",
    "Metro",
    "Prime",
    "Apex",
    "Core",
    "Bright",
    "Clear",
    "True",
]
# A few roots are far more popular, as in real company names ("Global", "Secure" ...).
ROOT_WEIGHTS = [
    8 if r in {"Global", "Secure", "Cyber", "Digital", "Smart", "Open", "Trust"} else 1
    for r in ROOTS
]
SYLLABLES = [
    "ka",
    "ri",
    "to",
    "ven",
    "lo",
    "mar",
    "sen",
    "ta",
    "vi",
    "no",
    "qu",
    "el",
    "dra",
    "mi",
    "xo",
    "ber",
    "lin",
    "ra",
    "zu",
    "co",
    "tri",
    "fa",
    "ne",
    "sol",
    "gon",
    "pe",
]
DESCRIPTORS = [
    "Security",
    "Networks",
    "Cloud",
    "Data",
    "Systems",
    "Labs",
    "Software",
    "Digital",
    "Telecom",
    "Analytics",
    "Health",
    "Energy",
    "Bank",
    "Payments",
    "Devices",
    "Identity",
    "Logistics",
    "Robotics",
    "Media",
    "Insurance",
    "Technologies",
    "Solutions",
    "Consulting",
    "Semiconductors",
    "Hosting",
    "Mobile",
    "Fintech",
    "Computing",
    "Connect",
    "Group",
]
LEGAL_SUFFIX = {
    "DE": ["GmbH", "AG"],
    "AT": ["GmbH", "AG"],
    "CH": ["AG", "SA", "GmbH"],
    "GB": ["Ltd", "plc"],
    "US": ["Inc.", "LLC", "Corp."],
    "FR": ["SA", "SAS"],
    "NL": ["B.V.", "N.V."],
    "SE": ["AB"],
    "FI": ["Oy"],
    "NO": ["AS"],
    "DK": ["A/S"],
    "JP": ["K.K."],
    "IT": ["S.p.A.", "S.r.l."],
    "ES": ["S.L.", "S.A."],
    "BR": ["Ltda."],
    "IN": ["Pvt Ltd"],
    "PL": ["Sp. z o.o."],
}
CIVIL_PATTERNS = [
    "{root} Foundation",
    "Digital Rights {country}",
    "{country} Internet Society",
    "Centre for {topic} {country}",
    "{root} Collective",
    "{root} Initiative",
    "Open {topic} Network {country}",
    "{root} Trust for {topic}",
]
ACADEMIA_PATTERNS = [
    "University of {city}",
    "{city} Institute of Technology",
    "{root} University",
    "{country} Cyber Research Centre",
    "{city} School of Computing",
    "{root} College",
]
GOVERNMENT_PATTERNS = [
    "{country} National Cyber Security Centre",
    "{country} Digital Agency",
    "Ministry of Digital Affairs of {country}",
    "{city} City Council",
    "{country} Data Protection Authority",
    "{country} CERT",
]
OTHER_PATTERNS = [
    "{root} Cooperative",
    "{root} {descriptor} Association",
    "{city} Chamber of Commerce",
]
TOPICS = [
    "Privacy",
    "Digital Rights",
    "Cyber Peace",
    "Online Safety",
    "Open Source",
    "Internet Freedom",
]
FIRST = [
    "Anna",
    "Ben",
    "Chloé",
    "David",
    "Elif",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kwame",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zofia",
]
LAST = [
    "Adeyemi",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hoang",
    "Ivanova",
    "Jensen",
    "Kim",
    "Lopez",
    "Müller",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quispe",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Urquhart",
    "Varga",
    "Wang",
    "Yilmaz",
    "Zhou",
    "Novak",
]
TITLES = [
    "Chief Executive Officer",
    "Chief Information Security Officer",
    "Executive Director",
    "General Counsel",
    "Head of Policy",
    "Rector",
    "Director General",
    "Chief Technology Officer",
]
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


def _slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:200] or "org"


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime(
        day.year,
        day.month,
        day.day,
        rng.randrange(7, 20),
        rng.randrange(60),
        rng.randrange(60),
        tzinfo=UTC,
    )


def _dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# Loading ------------------------------------------------------------------------------------------


class Loader:
    """Core `insert()` executemany in batches, one transaction per table. JSON columns are
    taken as already-serialised text (the generator writes compact JSON itself)."""

    def __init__(self, engine: sa.Engine, verbose: bool = True):
        self.engine = engine
        self.verbose = verbose
        self.tables = {t.name: t for t in metadata().sorted_tables}
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def _clause(self, name: str):
        table = self.tables[name]
        return sa.table(
            name,
            *[
                sa.column(c.name, sa.Text() if isinstance(c.type, sa.JSON) else c.type)
                for c in table.columns
            ],
        )

    def _fillers(self, name: str, columns: list[str]) -> tuple[list[int], dict]:
        """Other engineers add columns while the models evolve: keep the generated columns
        that still exist, and give every new NOT NULL column its model default (or an empty
        value of its type), so the generator keeps working on the current schema."""
        table = self.tables[name]
        keep = [i for i, c in enumerate(columns) if c in table.c]
        dropped = [c for c in columns if c not in table.c]
        if dropped and self.verbose:
            print(f"  ({name}: no column {', '.join(dropped)} any more; skipped)", flush=True)
        fill = {}
        for column in table.columns:
            if column.name in columns or column.nullable or column.server_default is not None:
                continue
            if column.primary_key and isinstance(column.type, sa.Integer):
                continue
            value = _column_default(column)
            if isinstance(column.type, sa.JSON):
                value = _dumps(value)
            fill[column.name] = value
        return keep, fill

    def load(self, name: str, columns: list[str], rows: Iterable[tuple]) -> int:
        """Insert `rows` (tuples in `columns` order) into table `name`, in one transaction.

        The statement is SQLAlchemy Core's `insert()` compiled for the engine's dialect; each
        batch goes to the driver's executemany with the column types' bind processors applied
        here (the generic per-row parameter handling costs more than the insert itself at
        six million rows).
        """
        start = time.perf_counter()
        keep, fill = self._fillers(name, columns)
        names = [columns[i] for i in keep] + list(fill)
        clause = self._clause(name)
        dialect = self.engine.dialect
        compiled = sa.insert(clause).compile(dialect=dialect, column_keys=names)
        order = [names.index(key) for key in compiled.positiontup]
        processors = [clause.c[names[i]].type.bind_processor(dialect) for i in order]
        plain = all(p is None for p in processors)
        fill_values = tuple(fill.values())
        exact = len(keep) == len(columns) and not fill_values and order == list(range(len(names)))
        sql = str(compiled)

        def convert(row: tuple) -> tuple:
            values = tuple(row[i] for i in keep) + fill_values
            values = tuple(values[i] for i in order)
            if plain:
                return values
            return tuple(
                v if p is None or v is None else p(v)
                for p, v in zip(processors, values, strict=True)
            )

        count = 0
        batch: list[tuple] = []
        with self.engine.begin() as conn:
            for row in rows:
                batch.append(row if exact and plain else convert(row))
                if len(batch) >= BATCH:
                    conn.exec_driver_sql(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                conn.exec_driver_sql(sql, batch)
                count += len(batch)
        elapsed = time.perf_counter() - start
        self.counts[name] = self.counts.get(name, 0) + count
        self.seconds[name] = self.seconds.get(name, 0) + elapsed
        if self.verbose:
            print(f"  {name:<20} {count:>10,} rows  {elapsed:7.1f} s", flush=True)
        return count


def _year_weights(n: int) -> list[float]:
    # Many founding members, then steady growth: about 6.5 reporting years per member.
    return [48] + [max(1.0, 10 - 0.6 * i) for i in range(1, n)]


def _column_default(column: sa.Column):
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return default.arg
    if default is not None and getattr(default, "is_callable", False):
        return default.arg(None)
    kind = column.type
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.Float | sa.Numeric):
        return 0
    if isinstance(kind, sa.DateTime) or getattr(kind, "impl", None).__class__ is sa.DateTime:
        return dt.datetime.now(UTC)
    if isinstance(kind, sa.Date):
        return dt.date.today()
    if isinstance(kind, sa.LargeBinary):
        return b""
    return ""


# The alliance ------------------------------------------------------------------------------


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


class Generator:
    def __init__(self, sizes: Sizes, year: int, verbose: bool = True):
        self.sizes = sizes
        self.year = year  # the open cycle's year
        self.rng = random.Random(sizes.seed)
        self.verbose = verbose
        self.orgs: list[Org] = []
        self.cycles: list[Cycle] = []
        self.summary: dict = {}

    def log(self, message: str) -> None:
        if self.verbose:
            print(message, flush=True)

    # ---------------------------------------------------------------------------------------
    def run(self, loader: Loader) -> dict:
        rng = self.rng
        first_year = self.year - self.sizes.cycles
        self.founded = dt.date(first_year - 1, 1, 15)
        self.now = dt.datetime(self.year, 11, 1, 12, tzinfo=UTC)
        self.today = self.now.date()
        self._charter(loader)
        self._sectors(loader)
        self._organisations_plan()
        self._cycles_plan()
        self._reports_plan()
        self._finish_statuses()
        self._users(loader)
        self._load_organisations(loader)
        self._status_changes(loader)
        self._applications(loader)
        self._endorsements(loader)
        self._load_cycles(loader)
        self._files(loader)
        self._load_reports(loader)
        self._pledges(loader)
        self._drafts(loader)
        self.summary.update(
            {"year": self.year, "orgs": len(self.orgs), "reports": len(self.report_rows)}
        )
        del rng
        return self.summary

    # Charter ---------------------------------------------------------------------------------
    def _charter(self, loader: Loader) -> None:
        n = self.sizes.principles
        loader.load(
            "principles",
            ["id", "key", "created_at"],
            [(i, f"P{i}", _at(self.founded, self.rng)) for i in range(1, n + 1)],
        )
        first = self.founded.year
        published = [dt.date(first, 1, 15), dt.date(first + 4, 6, 1), dt.date(first + 8, 9, 1)]
        published = [d for d in published if d <= self.today] or published[:1]
        self.versions = [(i + 1, d) for i, d in enumerate(published)]  # (id, effective date)
        rows, texts = [], []
        text_id = 0
        for vid, day in self.versions:
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
                    _at(day, self.rng),
                    1,
                    vid - 1 if vid > 1 else None,
                    1,
                    _at(day - dt.timedelta(days=30), self.rng),
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
        self._charter_rows = rows
        self._principle_text_rows = texts

    def _sectors(self, loader: Loader) -> None:
        self.sector_ids = list(range(1, len(SECTORS) + 1))
        loader.load(
            "sectors",
            ["id", "name", "slug"],
            [(i, name, _slugify(name)) for i, name in enumerate(SECTORS, 1)],
        )

    def version_on(self, day: dt.date) -> int:
        current = self.versions[0][0]
        for vid, effective in self.versions:
            if effective <= day:
                current = vid
        return current

    # Organisations ---------------------------------------------------------------------------
    def _name(self, category: str, country: str, used: set) -> str:
        rng = self.rng
        cname = _country_name(country)

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

    def _organisations_plan(self) -> None:
        rng, n = self.rng, self.sizes.orgs
        countries = list(COUNTRY_WEIGHTS)
        weights = list(COUNTRY_WEIGHTS.values())
        import pycountry

        for country in pycountry.countries:
            if country.alpha_2 not in COUNTRY_WEIGHTS:
                countries.append(country.alpha_2)
                weights.append(4)
        used_names: set[str] = set()
        used_slugs: set[str] = set()
        first_year = self.founded.year
        years = list(range(first_year, self.year + 1))
        year_weights = globals().get("YEAR_WEIGHTS") or _year_weights(len(years))
        for i in range(1, n + 1):
            country = rng.choices(countries, weights=weights)[0]
            category = _weighted(rng, CATEGORY_WEIGHTS)
            name = self._name(category, country, used_names)
            slug = _slugify(name)
            base, k = slug, 2
            while slug in used_slugs:
                slug, k = f"{base}-{k}", k + 1
            used_slugs.add(slug)
            if category == "company":
                sector = rng.choice(
                    self.sector_ids[:6] + self.sector_ids[8:9] + self.sector_ids[10:]
                )
            elif category == "academia":
                sector = 7
            elif category == "government":
                sector = 8
            elif category == "civil_society":
                sector = 10
            else:
                sector = rng.choice([None, *self.sector_ids])
            year = rng.choices(years, weights=year_weights)[0]
            start = dt.date(year, 1, 1) if year > first_year else self.founded
            end = min(dt.date(year, 12, 31), self.today - dt.timedelta(days=20))
            applied = start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))
            org = Org(
                i, name, slug, country, category, _weighted(rng, SIZE_WEIGHTS), sector, applied
            )
            roll = rng.random()
            recent = (self.today - applied).days < 60
            if recent and roll < 0.6 or roll < 0.025:
                org.planned_exit = "applicant"
            elif roll < 0.04:
                org.planned_exit = "rejected"
            else:
                org.joined_on = applied + dt.timedelta(days=rng.randrange(7, 45))
                if org.joined_on >= self.today:
                    org.joined_on, org.planned_exit = None, "applicant"
                elif roll < 0.095:
                    org.planned_exit = "withdrawn"
                elif roll < 0.105:
                    org.planned_exit = "suspended"
                if org.planned_exit in ("withdrawn", "suspended"):
                    span = (self.today - org.joined_on).days
                    if span > 60:
                        org.exit_on = org.joined_on + dt.timedelta(days=rng.randrange(30, span))
                    else:
                        org.planned_exit = None
            self.orgs.append(org)

    # Cycles and questionnaires ---------------------------------------------------------------
    def _cycles_plan(self) -> None:
        rng = self.rng
        n_q, n_s = self.sizes.questions, self.sizes.principles
        qid = sid = 0
        lineages = [f"bench-q{i:02d}" for i in range(n_q)]
        for ci, year in enumerate(range(self.year - self.sizes.cycles, self.year + 1), 1):
            is_open = year == self.year
            opens = dt.date(year, 2, 1) if not is_open else dt.date(year, 1, 5)
            due = dt.date(year, 5, 31) if not is_open else dt.date(year, 12, 31)
            version = self.version_on(opens)
            # A reworded question gets a new lineage now and then.
            if ci > 1 and ci % 4 == 0:
                lineages[(ci * 7) % n_q] = f"bench-q{(ci * 7) % n_q:02d}-y{year}"
            sections, questions = [], []
            for s in range(n_s):
                sid += 1
                sections.append(
                    {
                        "id": sid,
                        "position": s,
                        "principle_id": s + 1,
                        "title": PRINCIPLE_TITLES[s % len(PRINCIPLE_TITLES)],
                    }
                )
            per_section = [[] for _ in range(n_s)]
            for q in range(n_q):
                qid += 1
                s = q % n_s
                position = len(per_section[s])
                qtype = TYPE_CYCLE[q % len(TYPE_CYCLE)] if position else "yes_no"
                subject = SUBJECTS[(q * 5 + s) % len(SUBJECTS)]
                stem = QUESTION_STEMS[qtype][q % len(QUESTION_STEMS[qtype])]
                question = {
                    "id": qid,
                    "section": s,
                    "position": position,
                    "type": qtype,
                    "lineage": lineages[q],
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
                question["json_choices"] = [(_dumps(v), _dumps(v)) for v in pool]
                # The second question of a section is asked only if the first was answered yes.
                if position == 1 and per_section[s]:
                    question["condition"] = per_section[s][0]["id"]
                per_section[s].append(question)
                questions.append(question)
            questions.sort(key=lambda q: (q["section"], q["position"]))
            cycle = Cycle(
                ci,
                year,
                opens,
                due,
                14,
                "open" if is_open else "closed",
                version,
                questions,
                sections,
            )
            structure = [
                (q["lineage"], q["text"], q["type"], q["required"], q["choices"]) for q in questions
            ]
            cycle.q_hash = hashlib.sha256(_dumps(structure).encode()).hexdigest()
            self.cycles.append(cycle)
        del rng

    # Who reported when -----------------------------------------------------------------------
    def _reports_plan(self) -> None:
        """Decide every (organisation, closed cycle) report, and the status history it implies:
        a missed deadline makes a member non-communicating, a second one delists it."""
        closed = [c for c in self.cycles if c.status == "closed"]
        eligible = 0
        for org in self.orgs:
            if org.joined_on:
                eligible += sum(
                    1
                    for c in closed
                    if org.joined_on <= c.opens_on
                    and (org.exit_on is None or org.exit_on > c.due_on)
                )
        rate = min(0.985, self.sizes.reports / max(1, eligible))
        # Missed deadlines end some memberships early: adjust the rate until the number of
        # reports is close to the target (the same random draws each time).
        for _attempt in range(5):
            self._plan_with_rate(closed, rate, random.Random(self.sizes.seed + 1))
            count = len(self.report_plan)
            if rate >= 0.985 or abs(count - self.sizes.reports) <= 0.005 * self.sizes.reports:
                break
            rate = min(0.985, rate * self.sizes.reports / max(1, count))
        self.summary["eligible_reports"] = eligible
        self.summary["submission_rate"] = round(rate, 3)

    def _plan_with_rate(self, closed: list, rate: float, rng: random.Random) -> None:
        self.report_plan: list[tuple[Org, Cycle, bool]] = []  # (org, cycle, late)
        self.history: dict[int, list] = {}
        for org in self.orgs:
            org.ended_on = None
            events = []  # (datetime, from, to, public, public_reason)
            applied_at = _at(org.applied_on, rng)
            events.append((applied_at, None, "applicant", False, ""))
            if org.planned_exit == "rejected":
                events.append(
                    (
                        applied_at + dt.timedelta(days=rng.randrange(5, 40)),
                        "applicant",
                        "rejected",
                        False,
                        "",
                    )
                )
                org.status = "rejected"
            if org.joined_on is None:
                org.status = org.status if org.status == "rejected" else "applicant"
                org.status_since = events[-1][0]
                self.history[org.id] = events
                continue
            status = "active"
            events.append((_at(org.joined_on, rng), "applicant", "active", True, ""))
            misses = 0
            for cycle in closed:
                if org.joined_on > cycle.opens_on:
                    continue
                if org.exit_on is not None and org.exit_on <= cycle.due_on:
                    break
                final = cycle.due_on + dt.timedelta(days=cycle.grace_days)
                if rng.random() < rate:
                    late = rng.random() < 0.07
                    self.report_plan.append((org, cycle, late))
                    misses = 0
                    if status == "non_communicating":
                        status = "active"
                        back = cycle.due_on - dt.timedelta(days=rng.randrange(1, 60))
                        events.append(
                            (_at(back, rng), "non_communicating", "active", True, "Reported again.")
                        )
                else:
                    misses += 1
                    when = _at(final + dt.timedelta(days=1), rng)
                    if misses == 1:
                        events.append(
                            (
                                when,
                                status,
                                "non_communicating",
                                True,
                                f"No report for {cycle.year}.",
                            )
                        )
                        status = "non_communicating"
                    else:
                        events.append(
                            (
                                when,
                                status,
                                "delisted",
                                True,
                                f"No report for {cycle.year - 1} and {cycle.year}.",
                            )
                        )
                        status = "delisted"
                        org.ended_on = final
                        break
            if status != "delisted" and org.planned_exit in ("withdrawn", "suspended"):
                events.append(
                    (
                        _at(org.exit_on, rng),
                        status,
                        org.planned_exit,
                        True,
                        "Withdrew from the alliance."
                        if org.planned_exit == "withdrawn"
                        else "Suspended pending review of a complaint.",
                    )
                )
                status = org.planned_exit
                org.ended_on = org.exit_on
            events.sort(key=lambda e: e[0])
            org.status = status
            org.status_since = events[-1][0]
            self.history[org.id] = events

    def _finish_statuses(self) -> None:
        counts: dict[str, int] = {}
        for org in self.orgs:
            counts[org.status] = counts.get(org.status, 0) + 1
        self.summary["statuses"] = counts

    # Users ------------------------------------------------------------------------------------
    def _users(self, loader: Loader) -> None:
        from argon2 import PasswordHasher

        rng = self.rng
        password_hash = PasswordHasher().hash(PASSWORD)
        members = [o for o in self.orgs if o.status in ("active", "non_communicating")]
        # Representatives for the first members to have reported most: busy dashboards.
        rng.shuffle(members)
        chosen = sorted(members[: self.sizes.representatives], key=lambda o: o.id)
        rows = [
            (
                1,
                SECRETARIAT_EMAIL,
                "Sam Secretariat",
                "Secretariat",
                "secretariat",
                None,
                password_hash,
                f"bench-sec-{rng.getrandbits(48):x}",
                True,
                _at(self.founded, rng),
                _at(self.today, rng),
            )
        ]
        uid = 1
        for i, org in enumerate(chosen, 1):
            for extra in range(2 if i % 10 == 0 else 1):
                uid += 1
                email = f"rep{i:05d}{'b' if extra else ''}@bench.pactum.example"
                rows.append(
                    (
                        uid,
                        email,
                        f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                        rng.choice(TITLES),
                        "representative",
                        org.id,
                        password_hash,
                        f"bench-{uid}-{rng.getrandbits(48):x}",
                        True,
                        _at(org.joined_on or org.applied_on, rng),
                        _at(self.today, rng),
                    )
                )
                org.rep_ids.append(uid)
        self.rep_orgs = chosen
        self.user_info = {row[0]: {"id": row[0], "name": row[2], "email": row[1]} for row in rows}
        self.secretariat_id = 1
        # Charter versions reference the secretariat: load them now that it exists.
        loader.load(
            "users",
            [
                "id",
                "email",
                "name",
                "job_title",
                "role",
                "organisation_id",
                "password_hash",
                "session_token",
                "active",
                "created_at",
                "last_login_at",
            ],
            rows,
        )
        loader.load(
            "charter_versions",
            [
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
            ],
            self._charter_rows,
        )
        loader.load(
            "principle_texts",
            ["id", "version_id", "principle_id", "number", "position", "title", "body_md", "theme"],
            self._principle_text_rows,
        )

    def _load_organisations(self, loader: Loader) -> None:
        rng = self.rng
        # Endorsements decide endorsed_version_id: plan them first.
        self.endorsement_rows = []
        eid = 0
        for org in self.orgs:
            if not org.joined_on:
                continue
            last = None
            for vid, effective in self.versions:
                if effective <= org.joined_on:
                    day = org.joined_on
                    if vid != self.version_on(org.joined_on):
                        continue
                else:
                    day = effective + dt.timedelta(days=rng.randrange(3, 150))
                    if (
                        day >= self.today
                        or (org.ended_on and day >= org.ended_on)
                        or rng.random() > 0.85
                    ):
                        continue
                eid += 1
                self.endorsement_rows.append(
                    (
                        eid,
                        org.id,
                        vid,
                        f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                        rng.choice(TITLES),
                        day,
                        1,
                        _at(day, rng),
                    )
                )
                last = vid
            org.endorsed_version_id = last
        columns = [
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

        def rows():
            for o in self.orgs:
                created = _at(o.applied_on, rng)
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
                    f"{_country_name(o.country)}.",
                    o.status,
                    o.status_since,
                    o.joined_on,
                    o.endorsed_version_id,
                    created,
                    max(created, o.status_since),
                )

        loader.load("organisations", columns, rows())

    def _status_changes(self, loader: Loader) -> None:
        def rows():
            sid = 0
            for org in self.orgs:
                for at, from_status, to_status, public, reason in self.history[org.id]:
                    sid += 1
                    yield (
                        sid,
                        org.id,
                        from_status,
                        to_status,
                        at,
                        1 if from_status else None,
                        reason or "",
                        reason,
                        public,
                    )

        loader.load(
            "status_changes",
            [
                "id",
                "organisation_id",
                "from_status",
                "to_status",
                "at",
                "by_user_id",
                "reason",
                "public_reason",
                "is_public",
            ],
            rows(),
        )

    def _applications(self, loader: Loader) -> None:
        rng = self.rng

        def rows():
            aid = 0
            for org in self.orgs:
                if org.status not in ("applicant", "rejected") and rng.random() > 0.5:
                    continue
                aid += 1
                state = {"applicant": "pending", "rejected": "rejected"}.get(org.status, "approved")
                decided = None if state == "pending" else _at(org.joined_on or org.applied_on, rng)
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
                    _at(org.applied_on, rng),
                    self.version_on(org.applied_on),
                    contact,
                    rng.choice(TITLES),
                    True,
                )

        loader.load(
            "applications",
            [
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
            ],
            rows(),
        )

    def _endorsements(self, loader: Loader) -> None:
        loader.load(
            "endorsements",
            [
                "id",
                "organisation_id",
                "charter_version_id",
                "signatory_name",
                "signatory_title",
                "endorsed_on",
                "recorded_by_id",
                "created_at",
            ],
            self.endorsement_rows,
        )

    def _load_cycles(self, loader: Loader) -> None:
        all_categories = _dumps(list(CATEGORY_WEIGHTS))
        cycles = []
        for c in self.cycles:
            closed = c.status == "closed"
            final = c.due_on + dt.timedelta(days=c.grace_days)
            cycles.append(
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
                    _at(c.opens_on, self.rng),
                    _at(dt.date(c.year, 12, 31), self.rng) if closed else None,
                    _at(final + dt.timedelta(days=1), self.rng) if closed else None,
                    _at(c.opens_on - dt.timedelta(days=30), self.rng),
                )
            )
        loader.load(
            "reporting_cycles",
            [
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
            ],
            cycles,
        )
        loader.load(
            "sections",
            ["id", "cycle_id", "position", "title", "description_md", "principle_id"],
            [
                (s["id"], c.id, s["position"], s["title"], "", s["principle_id"])
                for c in self.cycles
                for s in c.sections
            ],
        )
        loader.load(
            "questions",
            [
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
            ],
            [
                (
                    q["id"],
                    c.sections[q["section"]]["id"],
                    q["lineage"],
                    q["position"],
                    q["text"],
                    "",
                    q["type"],
                    q["required"],
                    _dumps(q["choices"]),
                    q["unit"],
                    q["min"],
                    q["max"],
                    q["condition"],
                    "yes" if q["condition"] else "",
                    q["is_indicator"],
                    q["is_public"],
                )
                for c in self.cycles
                for q in c.questions
            ],
        )

    # Evidence files ----------------------------------------------------------------------------
    def _files(self, loader: Loader) -> None:
        rng = self.rng
        self.file_pool = []

        def rows():
            for i in range(self.sizes.files):
                kind = i % 3
                if kind == 0:
                    body = (
                        f"%PDF-1.4\n% bench evidence {i}\n1 0 obj << /Type /Catalog >> endobj\n"
                        + "x" * rng.randrange(200, 2000)
                        + "\n%%EOF\n"
                    ).encode()
                    ctype, name = "application/pdf", f"policy-{i}.pdf"
                elif kind == 1:
                    body = (
                        "metric,value\n"
                        + "\n".join(
                            f"m{j},{rng.randrange(1000)}" for j in range(rng.randrange(5, 60))
                        )
                    ).encode()
                    ctype, name = "text/csv", f"figures-{i}.csv"
                else:
                    body = (
                        f"Evidence note {i}\n"
                        + "Lorem ipsum dolor sit amet. " * rng.randrange(3, 40)
                    ).encode()
                    ctype, name = "text/plain", f"note-{i}.txt"
                digest = hashlib.sha256(body).hexdigest()
                self.file_pool.append((digest, name, ctype, len(body)))
                yield (digest, len(body), ctype, _at(self.founded, rng), body)

        loader.load(
            "stored_files", ["sha256", "size", "content_type", "created_at", "data"], rows()
        )

    # Reports, versions, snapshots, submitted answers -------------------------------------------
    @staticmethod
    def _answer(rng: random.Random, q: dict, slug: str, year: int, shown: bool):
        """One answer as (is_yes, value JSON, display JSON): serialised here, once, because
        the same text goes into the snapshot and into `submitted_answers`."""
        if not shown or (not q["required"] and rng.random() < 0.15):
            return False, "null", '""'
        t = q["type"]
        if t == "yes_no":
            return (True, "true", '"Yes"') if rng.random() < 0.78 else (False, "false", '"No"')
        if t == "single_choice" or t in ("short_text", "long_text"):
            return (False, *rng.choice(q["json_choices"]))
        if t == "multiple_choice":
            picked = sorted(rng.sample(range(len(q["choices"])), rng.randrange(1, 4)))
            value = [q["choices"][i] for i in picked]
            return False, _dumps(value), _dumps(", ".join(value))
        if t == "number":
            value = min(
                int(rng.paretovariate(1.2) * 3) if q["unit"] else rng.randrange(0, 400), 100_000
            )
            return False, str(value), f'"{value:,}{" " + q["unit"] if q["unit"] else ""}"'
        if t == "url":
            url = f'"https://www.{slug[:40]}.example/policy"'
            return False, url, url
        if t == "date":
            day = f'"{(dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(150))).isoformat()}"'
            return False, day, day
        return False, "null", '""'  # evidence: the files are listed instead

    def _load_reports(self, loader: Loader) -> None:
        rng = self.rng
        reps = {o.id: o.rep_ids[0] for o in self.orgs if o.rep_ids}
        self.report_rows = []
        version_rows = []
        answers_by_version: list[tuple[int, list]] = []
        evidence_rows = []
        ev_id = 0
        qmeta = {}
        for cycle in self.cycles:
            qmeta[cycle.id] = {
                q["id"]: (
                    f'{{"id":{q["id"]},"lineage":{_dumps(q["lineage"])},'
                    f'"text":{_dumps(q["text"])},"type":{_dumps(q["type"])},'
                    f'"unit":{_dumps(q["unit"])},"required":{_dumps(q["required"])},'
                    f'"is_public":{_dumps(q["is_public"])},'
                    f'"is_indicator":{_dumps(q["is_indicator"])},'
                    f'"choices":{_dumps(q["choices"])}'
                )
                for q in cycle.questions
            }
        by_section = {
            c.id: [[q for q in c.questions if q["section"] == s["position"]] for s in c.sections]
            for c in self.cycles
        }

        rid = 0
        self.plan_sorted = sorted(self.report_plan, key=lambda p: (p[1].year, p[0].id))
        for rid, (org, cycle, late) in enumerate(self.plan_sorted, 1):
            vid = rid  # one submitted version per report
            final_due = cycle.due_on + (
                dt.timedelta(days=rng.randrange(1, 14))
                if late
                else -dt.timedelta(days=rng.randrange(0, 100))
            )
            submitted = _at(final_due, rng)
            accepted = rng.random() < 0.96
            reviewed = submitted + dt.timedelta(days=rng.randrange(2, 60)) if accepted else None
            submitter = reps.get(org.id)
            officer = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            officer_title = rng.choice(TITLES)
            statement = "We confirm our continued support for the charter."
            answers = {}
            yes = set()
            parts = []
            for section, section_questions in zip(
                cycle.sections, by_section[cycle.id], strict=True
            ):
                qparts = []
                for q in section_questions:
                    shown = q["condition"] is None or q["condition"] in yes
                    is_yes, value, display = self._answer(rng, q, org.slug, cycle.year, shown)
                    if is_yes:
                        yes.add(q["id"])
                    answers[q["id"]] = value
                    evidence = "[]"
                    if q["type"] == "evidence" and shown and self.file_pool and rng.random() < 0.12:
                        files = rng.sample(
                            self.file_pool, min(len(self.file_pool), rng.choice((1, 1, 2)))
                        )
                        items = []
                        for digest, name, ctype, size in files:
                            ev_id += 1
                            evidence_rows.append(
                                (
                                    ev_id,
                                    rid,
                                    q["id"],
                                    digest,
                                    name,
                                    ctype,
                                    size,
                                    submitted - dt.timedelta(days=3),
                                    submitter,
                                    False,
                                )
                            )
                            items.append(
                                {
                                    "sha256": digest,
                                    "filename": name,
                                    "content_type": ctype,
                                    "size": size,
                                }
                            )
                        evidence = _dumps(items)
                        display = _dumps(", ".join(i["filename"] for i in items))
                    qparts.append(
                        f'{qmeta[cycle.id][q["id"]]},"shown":{"true" if shown else "false"},'
                        f'"value":{value},"display":{display},"evidence":{evidence}}}'
                    )
                pid = section["principle_id"]
                parts.append(
                    f'{{"id":{section["id"]},"title":{_dumps(section["title"])},'
                    f'"principle":{{"id":{pid},"key":"P{pid}","number":{pid}}},'
                    f'"questions":[{",".join(qparts)}]}}'
                )
            cycle_json = _dumps(
                {"id": cycle.id, "year": cycle.year, "title": f"{cycle.year} reporting cycle"}
            )
            org_json = _dumps(
                {
                    "id": org.id,
                    "name": org.name,
                    "slug": org.slug,
                    "country": org.country,
                    "category": org.category,
                }
            )
            version_json = _dumps(
                {"id": cycle.charter_version_id, "number": cycle.charter_version_id}
            )
            attestation = _dumps(
                {
                    "officer_name": officer,
                    "officer_title": officer_title,
                    "support_statement": statement,
                    "submitted_by": self.user_info.get(submitter),
                    "submitted_at": submitted.isoformat(),
                }
            )
            snapshot = (
                f'{{"schema":1,"cycle":{cycle_json},"organisation":{org_json},'
                f'"charter_version":{version_json},"questionnaire_hash":"{cycle.q_hash}",'
                f'"sections":[{",".join(parts)}],"pledges":[],"attestation":{attestation}}}'
            )
            state = "accepted" if accepted else "submitted"
            self.report_rows.append(
                (
                    rid,
                    cycle.id,
                    org.id,
                    state,
                    1,
                    submitted,
                    submitter,
                    officer,
                    officer_title,
                    statement,
                    submitted,
                    submitted,
                    reviewed,
                    late,
                    vid,
                    submitted - dt.timedelta(days=20),
                )
            )
            version_rows.append(
                (
                    vid,
                    rid,
                    1,
                    submitted,
                    submitter,
                    late,
                    officer,
                    officer_title,
                    statement,
                    snapshot,
                    cycle.q_hash,
                    state,
                    reviewed,
                    1 if reviewed else None,
                    "",
                )
            )
            answers_by_version.append(
                (
                    vid,
                    [answers[q["id"]] for q in cycle.questions],
                    [q["id"] for q in cycle.questions],
                )
            )
        self.open_cycle = self.cycles[-1]
        self.next_report_id = rid + 1
        loader.load(
            "reports",
            [
                "id",
                "cycle_id",
                "organisation_id",
                "state",
                "revision",
                "updated_at",
                "updated_by_id",
                "officer_name",
                "officer_title",
                "support_statement",
                "first_submitted_at",
                "last_submitted_at",
                "accepted_at",
                "is_late",
                "current_version_id",
                "created_at",
            ],
            self.report_rows,
        )
        loader.load(
            "report_versions",
            [
                "id",
                "report_id",
                "number",
                "submitted_at",
                "submitted_by_id",
                "is_late",
                "officer_name",
                "officer_title",
                "support_statement",
                "snapshot",
                "questionnaire_hash",
                "review_state",
                "reviewed_at",
                "reviewed_by_id",
                "review_note",
            ],
            version_rows,
        )
        del version_rows

        def answer_rows() -> Iterator[tuple]:
            aid = 0
            for version_id, values, qids in answers_by_version:
                for qid, value in zip(qids, values, strict=True):
                    aid += 1
                    yield (aid, version_id, qid, value)

        loader.load(
            "submitted_answers", ["id", "version_id", "question_id", "value"], answer_rows()
        )
        loader.load(
            "evidence",
            [
                "id",
                "report_id",
                "question_id",
                "sha256",
                "filename",
                "content_type",
                "size",
                "uploaded_at",
                "uploaded_by_id",
                "removed",
            ],
            evidence_rows,
        )
        self.next_evidence_id = ev_id + 1

    # Pledges ------------------------------------------------------------------------------------
    def _pledges(self, loader: Loader) -> None:
        rng = self.rng
        members = [o for o in self.orgs if o.joined_on]
        weights = [
            {"1-9": 1, "10-49": 2, "50-249": 3, "250-4999": 4, "5000+": 6}[o.size_band]
            for o in members
        ]
        owners = sorted(
            rng.choices(members, weights=weights, k=self.sizes.pledges), key=lambda o: o.id
        )
        pledges, links, updates = [], [], []
        uid = 0
        statuses = list(PLEDGE_STATUS)
        for pid, org in enumerate(owners, 1):
            created = org.joined_on + dt.timedelta(
                days=rng.randrange(0, max(1, (self.today - org.joined_on).days))
            )
            status = _weighted(rng, PLEDGE_STATUS)
            title = rng.choice(PLEDGE_TITLES).format(n=rng.choice((3, 5, 10, 30, 90)))
            history = ["planned"]
            if status != "planned":
                history += ["in_progress"] * rng.randrange(0, 3) + [status]
            step = max(1, (self.today - created).days // (len(history) + 1))
            at = _at(created, rng)
            for i, s in enumerate(history):
                uid += 1
                when = at + dt.timedelta(days=step * i)
                updates.append(
                    (
                        uid,
                        pid,
                        when,
                        s,
                        "" if i == 0 else "Progress noted in our report.",
                        org.rep_ids[0] if org.rep_ids else None,
                        None,
                        when + dt.timedelta(days=20) if i and rng.random() < 0.3 else None,
                        1 if i and rng.random() < 0.3 else None,
                    )
                )
            last = at + dt.timedelta(days=step * (len(history) - 1))
            pledges.append(
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
                    org.rep_ids[0] if org.rep_ids else None,
                    at,
                    last,
                )
            )
            for principle in rng.sample(
                range(1, self.sizes.principles + 1), rng.choice((1, 1, 2, 3))
            ):
                links.append((pid, principle))
        self.pledge_count = len(pledges)
        loader.load(
            "pledges",
            [
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
            ],
            pledges,
        )
        loader.load("pledge_principles", ["pledge_id", "principle_id"], links)
        loader.load(
            "pledge_updates",
            [
                "id",
                "pledge_id",
                "at",
                "status",
                "note",
                "by_user_id",
                "report_version_id",
                "verified_at",
                "verified_by_id",
            ],
            updates,
        )
        del statuses

    # This year's open cycle: drafts of the organisations with representatives ------------------
    def _drafts(self, loader: Loader) -> None:
        rng = self.rng
        cycle = self.open_cycle
        reports, answers, edits = [], [], []
        aid = eid = 0
        rid = self.next_report_id
        started = cycle.opens_on + dt.timedelta(days=10)
        self.draft_reports = []
        for org in self.rep_orgs:
            revision = rng.randrange(0, 4)
            user = org.rep_ids[0]
            when = _at(started + dt.timedelta(days=rng.randrange(0, 200)), rng)
            reports.append(
                (
                    rid,
                    cycle.id,
                    org.id,
                    "draft",
                    revision,
                    when,
                    user if revision else None,
                    "",
                    "",
                    "",
                    None,
                    None,
                    None,
                    False,
                    None,
                    when,
                )
            )
            filled = rng.randrange(0, 5) if revision else 0
            yes = set()
            for q in cycle.questions:
                if q["section"] >= filled or q["type"] == "evidence":
                    continue
                shown = q["condition"] is None or q["condition"] in yes
                is_yes, value, _display = self._answer(rng, q, org.slug, cycle.year, shown)
                if is_yes:
                    yes.add(q["id"])
                if value != "null":
                    aid += 1
                    answers.append((aid, rid, q["id"], value, when))
            for r in range(1, revision + 1):
                eid += 1
                edits.append(
                    (eid, rid, r, when - dt.timedelta(hours=revision - r), user, "{}", "[]")
                )
            self.draft_reports.append(rid)
            rid += 1
        loader.load(
            "reports",
            [
                "id",
                "cycle_id",
                "organisation_id",
                "state",
                "revision",
                "updated_at",
                "updated_by_id",
                "officer_name",
                "officer_title",
                "support_statement",
                "first_submitted_at",
                "last_submitted_at",
                "accepted_at",
                "is_late",
                "current_version_id",
                "created_at",
            ],
            reports,
        )
        loader.load("answers", ["id", "report_id", "question_id", "value", "updated_at"], answers)
        loader.load(
            "report_edits",
            ["id", "report_id", "revision", "at", "by_user_id", "changes", "parts"],
            edits,
        )


_COUNTRY_NAMES: dict[str, str] = {}


def _country_name(code: str) -> str:
    if not _COUNTRY_NAMES:
        import pycountry

        for c in pycountry.countries:
            _COUNTRY_NAMES[c.alpha_2] = getattr(c, "common_name", None) or c.name
    return _COUNTRY_NAMES.get(code, code)


# Entry points ----------------------------------------------------------------------------------


def _sqlite_engine(path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{path}")

    @sa.event.listens_for(engine, "connect")
    def _fast(dbapi_connection, record):  # runs after app.db's pragmas (same event, later)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute(f"PRAGMA journal_mode={os.environ.get('BENCH_JOURNAL', 'WAL')}")
        cursor.execute("PRAGMA cache_size=-200000")
        cursor.close()

    return engine


def generate(
    sizes: Sizes, path: Path, year: int | None = None, verbose: bool = True, check: bool = False
) -> dict:
    """Build the database at `path` (through a temporary file, renamed when complete)."""
    year = year or dt.date.today().year
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    start = time.perf_counter()
    engine = _sqlite_engine(tmp)
    metadata().create_all(engine)
    if verbose:
        print(f"Generating {sizes.label()} into {path.name}", flush=True)
    loader = Loader(engine, verbose)
    summary = Generator(sizes, year, verbose).run(loader)
    t_an = time.perf_counter()
    with engine.begin() as conn:
        if check:
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign key problems: {problems[:5]}")
        conn.exec_driver_sql("ANALYZE")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    if verbose:
        print(f"  ANALYZE and checkpoint         {time.perf_counter() - t_an:7.1f} s", flush=True)
    os.replace(tmp, path)
    for leftover in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    summary["rows"] = loader.counts
    summary["seconds"] = round(time.perf_counter() - start, 1)
    summary["table_seconds"] = {k: round(v, 2) for k, v in loader.seconds.items()}
    summary_path = path.with_suffix(".json")
    summary_path.write_text(json.dumps(summary, indent=2, default=str))
    if verbose:
        total = sum(loader.counts.values())
        print(
            f"Generated {total:,} rows in {summary['seconds']} s "
            f"({path.stat().st_size / 1e6:,.0f} MB)",
            flush=True,
        )
    return summary


def ensure_database(
    sizes: Sizes, data_dir: Path = DATA_DIR, verbose: bool = True, check: bool = False
) -> tuple[Path, dict]:
    """The cached database for these sizes, generated when missing."""
    path = database_path(sizes, data_dir)
    if path.exists():
        summary_path = path.with_suffix(".json")
        summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
        if verbose:
            print(
                f"Reusing {path.relative_to(path.parent.parent) if data_dir == DATA_DIR else path}"
                f" (generated in {summary.get('seconds', '?')} s)",
                flush=True,
            )
        return path, summary
    return path, generate(sizes, path, verbose=verbose, check=check)


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Sizes()
    for field in dataclasses.fields(Sizes):
        parser.add_argument(
            f"--{field.name}",
            type=int,
            default=None,
            help=f"default {getattr(defaults, field.name):,}",
        )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")


def sizes_from_args(args: argparse.Namespace) -> Sizes:
    base = Sizes.smoke() if args.smoke else Sizes()
    changes = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(Sizes)
        if getattr(args, f.name) is not None
    }
    return dataclasses.replace(base, **changes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    add_size_arguments(parser)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--force", action="store_true", help="regenerate even when cached")
    parser.add_argument("--check", action="store_true", help="PRAGMA foreign_key_check at the end")
    args = parser.parse_args(argv)
    sizes = sizes_from_args(args)
    path = database_path(sizes, args.data_dir)
    if args.force:
        path.unlink(missing_ok=True)
    path, summary = ensure_database(sizes, args.data_dir, check=args.check)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
