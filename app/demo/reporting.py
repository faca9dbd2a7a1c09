"""Demo: two closed reporting cycles (2024, 2025) and the open 2026 cycle (issue 5).

Everything goes through the real services, in the order it would have happened, with the
clock moved to each moment: the secretariat builds and opens each cycle, representatives
fill in and submit reports (some late, a few never), the secretariat accepts most of them and
returns some with comments (they come back corrected), grants an extension, and
`deadlines.run_tick` runs on the days cron would have acted — so reminders, non-communicating
members, a member that came back by reporting late, and a delisting are consistent with the
status histories. In the open 2026 cycle the demo representative (Northwind Security) has a
half-filled draft.

Emails that this history would have sent are dropped, and receipts are not rendered (no PDF
per demo submission): `make run` stays fast and its console quiet.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy import select

from app import clock
from app.accounts.models import Role, User
from app.db import db
from app.demo import questionnaire_fr
from app.mail import suppressed
from app.members.models import Organisation, Status
from app.reporting import cycles, extensions, filling, review
from app.reporting.deadlines import run_tick
from app.reporting.models import ReportingCycle

ALL_CATEGORIES = ["company", "civil_society", "academia", "government", "other"]

# Per principle number: (key, text, type, options). Principle 10 exists from charter v2.
PRINCIPLE_QUESTIONS = {
    1: [
        (
            "mfa",
            "Is multi-factor authentication available to all your customers?",
            "yes_no",
            {"required": True, "is_public": True, "is_indicator": True},
        ),
        (
            "mfa_share",
            "What share of customer accounts has multi-factor authentication on?",
            "number",
            {
                "unit": "%",
                "min_value": 0,
                "max_value": 100,
                "is_indicator": True,
                "is_public": True,
                "help_text": "An estimate is fine; say how you measured it in the last section.",
            },
        ),
    ],
    2: [
        (
            "offensive",
            "Do you have a published policy against helping offensive cyber operations?",
            "yes_no",
            {"required": True, "is_public": True, "is_indicator": True},
        ),
        (
            "misuse",
            "How do you make sure your products are not used to attack civilians?",
            "long_text",
            {"required": True},
        ),
    ],
    3: [
        (
            "trained",
            "How many people outside your organisation did you train in cyber hygiene this year?",
            "number",
            {
                "unit": "people",
                "min_value": 0,
                "max_value": 10_000_000,
                "is_indicator": True,
                "is_public": True,
            },
        ),
        (
            "guidance",
            "Which kinds of guidance do you publish for users?",
            "multiple_choice",
            {
                "choices": [
                    "Security advisories",
                    "How-to guides",
                    "Training courses",
                    "Open-source tools",
                ],
                "is_indicator": True,
            },
        ),
    ],
    4: [
        (
            "sharing",
            "Do you share threat information with other members or with CERTs?",
            "yes_no",
            {"required": True, "is_public": True, "is_indicator": True},
        ),
        (
            "sharing_often",
            "How often do you share threat information?",
            "single_choice",
            {
                "choices": ["Weekly or more", "Monthly", "A few times a year"],
                "is_indicator": True,
                "condition": ("sharing", "yes"),
            },
        ),
    ],
    5: [
        (
            "cvd",
            "Do you run a coordinated vulnerability disclosure programme?",
            "yes_no",
            {"required": True, "is_public": True, "is_indicator": True},
        ),
        (
            "cvd_url",
            "Where is your vulnerability disclosure policy published?",
            "url",
            {"required": True, "is_public": True, "condition": ("cvd", "yes")},
        ),
        (
            "fix_days",
            "Median number of days from a vulnerability report to a fix",
            "number",
            {"unit": "days", "min_value": 0, "max_value": 365, "is_indicator": True},
        ),
    ],
    6: [
        (
            "sbom",
            "For how many of your products do you keep a software bill of materials?",
            "single_choice",
            {
                "choices": ["All", "Most", "Some", "None"],
                "required": True,
                "is_indicator": True,
                "is_public": True,
            },
        ),
    ],
    7: [
        (
            "hria",
            "Have you assessed the human rights impact of your security work?",
            "yes_no",
            {"is_indicator": True},
        ),
        (
            "balance",
            "How do you balance security measures with privacy and freedom of expression?",
            "long_text",
            {},
        ),
    ],
    8: [
        (
            "transparency",
            "Do you publish a transparency report on government requests?",
            "yes_no",
            {"required": True, "is_public": True, "is_indicator": True},
        ),
        (
            "requests",
            "How many government requests for user data did you receive?",
            "number",
            {"unit": "requests", "min_value": 0, "max_value": 1_000_000, "is_indicator": True},
        ),
    ],
    9: [
        (
            "report_file",
            "Attach your latest security or transparency report (optional)",
            "evidence",
            {},
        ),
        (
            "board",
            "When did your board last review your commitments under the charter?",
            "date",
            {},
        ),
    ],
    10: [
        (
            "secure_default",
            "Are your products secure by default?",
            "yes_no",
            {"required": True, "is_public": True, "is_indicator": True},
        ),
        (
            "secure_example",
            "Give an example of something you made secure by default this year.",
            "long_text",
            {},
        ),
    ],
}

GENERAL_SECTIONS = [
    (
        "About your organisation",
        "A few facts that help read the rest of the report.",
        [
            (
                "security_staff",
                "How many people work on security in your organisation?",
                "number",
                {"unit": "people", "min_value": 0, "max_value": 100_000, "is_indicator": True},
            ),
            (
                "accountable",
                "Who is accountable for security at board level?",
                "single_choice",
                {
                    "choices": [
                        "The chief executive",
                        "A dedicated board member",
                        "A board committee",
                        "Nobody yet",
                    ],
                    "is_public": True,
                    "is_indicator": True,
                },
            ),
        ],
    ),
    (
        "Looking ahead",
        "",
        [
            ("next_year", "What will you focus on next year?", "long_text", {"is_public": True}),
            (
                "contact",
                "Who should the secretariat contact about this report?",
                "short_text",
                {"required": True},
            ),
        ],
    ),
]

FIRST = [
    "Maria",
    "Jonas",
    "Aiko",
    "Samuel",
    "Priya",
    "Lucas",
    "Fatima",
    "Noah",
    "Elena",
    "Kwame",
    "Sofia",
    "Mateo",
    "Hannah",
    "Omar",
    "Ingrid",
    "Tariq",
    "Chloe",
    "Ravi",
]
LAST = [
    "Jensen",
    "Okafor",
    "Tanaka",
    "Silva",
    "Kowalski",
    "Haddad",
    "Novak",
    "Mensah",
    "Rossi",
    "Lindqvist",
    "Dubois",
    "Moreau",
    "Costa",
    "Nakamura",
    "Schmidt",
    "Reyes",
]

FOCUS = [
    "Rolling out hardware security keys to every administrator.",
    "Moving our remaining products to memory-safe languages.",
    "Publishing a software bill of materials for every release.",
    "Training small businesses in our region in basic cyber hygiene.",
    "Shortening the time from a vulnerability report to a fix.",
]
MISUSE = [
    "We screen customers in high-risk sectors and refuse contracts that would let our "
    "tools be turned against civilians. Sales of offensive capabilities are forbidden.",
    "Every new product goes through an abuse review before launch; misuse reports reach a "
    "dedicated team that can suspend accounts within hours.",
    "Our acceptable use policy forbids attacks on civilians and we enforce it: last year we "
    "closed a handful of accounts after investigations.",
]
BALANCE = [
    "Security logging is minimised and kept for 90 days; content is never inspected without "
    "a court order.",
    "A privacy engineer reviews every new security control before it ships.",
]
EXAMPLES = [
    "New routers now ship with unique passwords and automatic updates switched on.",
    "Our cloud storage buckets are private by default and public access needs two approvals.",
    "Single sign-on with multi-factor authentication is now the default for new customers.",
]
REVIEW_COMMENTS = [
    (
        "misuse",
        "Please describe what happens when a misuse report comes in: who looks at it, "
        "and how quickly?",
    ),
    ("fix_days", "Please check this figure: we need the median, not the average."),
    ("cvd_url", "This address does not lead to the disclosure policy. Please check the link."),
    ("requests", "Please give the number of requests even if it is zero."),
]
EVIDENCE_TEXT = (
    "Security and transparency report\n\nThis file stands in for the report the "
    "organisation attached.\n"
)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


class _Story:
    """The shared state of the seeding: who acts, the random source, the schedule."""

    def __init__(self, secretariat, orgs, rng):
        self.secretariat = secretariat
        self.orgs = orgs
        self.rng = rng
        self.reps: dict[int, User] = {}
        self.events: list[tuple[dt.datetime, int, object]] = []
        self._questionnaires: dict[int, tuple[list, dict]] = {}

    def questionnaire(self, cycle) -> tuple[list, dict]:
        """(sections, {question text: question}) of an open cycle (frozen, so cached)."""
        if cycle.id not in self._questionnaires:
            sections = cycles.load_questionnaire(cycle)
            self._questionnaires[cycle.id] = (
                sections,
                {q.text: q for q in cycles.ordered_questions(sections)},
            )
        return self._questionnaires[cycle.id]

    # People -----------------------------------------------------------------------------

    def representatives(self) -> None:
        """One representative per member: the demo one for Northwind, and a colleague (who
        shares the demo password) for every other organisation that reports."""
        existing = {
            u.organisation_id: u
            for u in db.session.scalars(select(User).where(User.role == Role.REPRESENTATIVE))
        }
        demo_hash = next((u.password_hash for u in existing.values() if u.password_hash), None)
        for org in self.orgs:
            if org.id in existing:
                self.reps[org.id] = existing[org.id]
                continue
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            user = User(
                email=f"reports@{org.slug}.example",
                name=f"{first} {last}",
                job_title="Head of Information Security",
                role=Role.REPRESENTATIVE,
                organisation=org,
                password_hash=demo_hash,
            )
            db.session.add(user)
            self.reps[org.id] = user
        db.session.flush()

    # The schedule -------------------------------------------------------------------------

    def at(self, moment: dt.datetime, action) -> None:
        self.events.append((moment, len(self.events), action))

    def run(self, until: dt.datetime | None = None) -> None:
        """Play the scheduled actions in time order, with the clock at each moment."""
        self.events.sort(key=lambda e: (e[0], e[1]))
        pending = []
        for moment, order, action in self.events:
            if until is not None and moment > until:
                pending.append((moment, order, action))
                continue
            clock.freeze(moment)
            action()
        self.events = pending

    def tick(self, day: dt.date) -> None:
        self.at(at(day, 6), lambda: run_tick())

    # Questionnaires --------------------------------------------------------------------------

    def build_questionnaire(self, cycle, charter, numbers) -> None:
        texts = {t.number: t for t in charter.texts}
        for n in numbers:
            text = texts[n]
            section = cycles.add_section(
                self.secretariat,
                cycle,
                "",  # "Principle n: …", in each reader's language
                description_md=f"> {text.body_md}",
                principle=text.principle,
            )
            self.add_questions(section, PRINCIPLE_QUESTIONS[n])
        for title, description, questions in GENERAL_SECTIONS:
            section = cycles.add_section(self.secretariat, cycle, title, description_md=description)
            self.add_questions(section, questions)

    def add_questions(self, section, specs) -> None:
        added = {}
        for key, text, kind, options in specs:
            options = dict(options)
            condition = options.pop("condition", None)
            if condition:
                options["condition_question"] = added[condition[0]]
                options["condition_value"] = condition[1]
            added[key] = cycles.add_question(self.secretariat, section, text, kind, **options)

    # Answers -----------------------------------------------------------------------------------

    def answers(self, cycle, org, quality: float) -> dict[int, object]:
        """Plausible answers for every question shown (keyed by question id)."""
        rng = self.rng
        by_text = self.questionnaire(cycle)[1]
        keyed = {}
        for specs in [*PRINCIPLE_QUESTIONS.values(), *(s[2] for s in GENERAL_SECTIONS)]:
            for key, text, _kind, _options in specs:
                if text in by_text:
                    keyed[key] = by_text[text]
        yes = {
            k: rng.random() < quality
            for k in (
                "mfa",
                "offensive",
                "sharing",
                "cvd",
                "hria",
                "transparency",
                "secure_default",
            )
        }
        values = {
            "mfa": yes["mfa"],
            "mfa_share": rng.randint(40, 99) if yes["mfa"] else rng.randint(0, 20),
            "offensive": yes["offensive"],
            "misuse": rng.choice(MISUSE),
            "trained": rng.choice([0, 120, 450, 2_000, 12_500]),
            "guidance": rng.sample(
                ["Security advisories", "How-to guides", "Training courses", "Open-source tools"],
                rng.randint(1, 3),
            ),
            "sharing": yes["sharing"],
            "sharing_often": rng.choice(["Weekly or more", "Monthly", "A few times a year"]),
            "cvd": yes["cvd"],
            "cvd_url": f"https://www.{org.slug}.example/security/disclosure",
            "fix_days": rng.randint(7, 90),
            "sbom": rng.choice(["All", "Most", "Some", "None"]),
            "hria": yes["hria"],
            "balance": rng.choice(BALANCE),
            "transparency": yes["transparency"],
            "requests": rng.randint(0, 400),
            "board": (clock.today() - _days(rng.randint(30, 300))).isoformat(),
            "secure_default": yes["secure_default"],
            "secure_example": rng.choice(EXAMPLES),
            "security_staff": rng.randint(2, 400),
            "accountable": rng.choice(
                [
                    "The chief executive",
                    "A dedicated board member",
                    "A board committee",
                    "Nobody yet",
                ]
            ),
            "next_year": rng.choice(FOCUS),
            "contact": self.reps[org.id].name,
        }
        raw = {}
        for key, question in keyed.items():
            if key not in values:
                continue
            if key == "sharing_often" and not yes["sharing"]:
                continue
            if key == "cvd_url" and not yes["cvd"]:
                continue
            value = values[key]
            if isinstance(value, bool):
                value = "yes" if value else "no"
            elif isinstance(value, int):
                value = str(value)
            raw[question.id] = value
        return raw

    def fill(
        self,
        cycle,
        org,
        quality: float = 0.8,
        only_sections: int | None = None,
        attest: bool = True,
        evidence: bool = False,
    ):
        rep = self.reps[org.id]
        report = filling.get_or_start_report(rep, cycle, org)
        raw = self.answers(cycle, org, quality)
        if only_sections is not None:
            sections = self.questionnaire(cycle)[0][:only_sections]
            allowed = {q.id for s in sections for q in s.questions}
            raw = {qid: v for qid, v in raw.items() if qid in allowed}
        filling.save_answers(rep, report, raw, report.revision)
        if evidence:
            question = next(
                q for q in self.questionnaire(cycle)[1].values() if q.type == "evidence"
            )
            filling.attach_evidence(
                rep, report, question, f"{org.slug}-security-report.txt", EVIDENCE_TEXT.encode()
            )
        if attest:
            filling.set_attestation(
                rep,
                report,
                f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}",
                "Chief Executive Officer",
                f"{org.name} remains committed to the Open Cyber Accord and "
                "to every one of its principles.",
                report.revision,
            )
        return report

    def submit(self, cycle, org, **kwargs):
        report = self.fill(cycle, org, **kwargs)
        return filling.submit_report(self.reps[org.id], report, authorised=True)

    def correct(self, cycle, org, keys) -> None:
        """Answer the returned questions again, differently, and resubmit."""
        rep = self.reps[org.id]
        report = filling.find_report(cycle, org.id)
        by_text = self.questionnaire(cycle)[1]
        raw = {}
        for specs in PRINCIPLE_QUESTIONS.values():
            for key, text, _kind, _options in specs:
                if key in keys and text in by_text:
                    raw[by_text[text].id] = {
                        "misuse": MISUSE[0] + " Reports are triaged within one working day by "
                        "our trust and safety team.",
                        "fix_days": str(self.rng.randint(7, 30)),
                        "cvd_url": f"https://www.{org.slug}.example/.well-known/security.txt",
                        "requests": "0",
                    }[key]
        filling.save_answers(rep, report, raw, report.revision)
        filling.submit_report(rep, report, authorised=True)

    def return_with_comments(self, cycle, org, keys) -> None:
        version = filling.find_report(cycle, org.id).current_version
        by_text = self.questionnaire(cycle)[1]
        comments = {}
        for key, comment in REVIEW_COMMENTS:
            if key in keys:
                text = next(
                    t
                    for specs in PRINCIPLE_QUESTIONS.values()
                    for k, t, _kind, _o in specs
                    if k == key
                )
                comments[by_text[text].id] = comment
        review.return_for_changes(
            self.secretariat,
            version,
            comments,
            note="Thank you for your report. A few answers need another "
            "look before we can accept it.",
        )

    def accept(self, cycle, org) -> None:
        version = filling.find_report(cycle, org.id).current_version
        review.accept(self.secretariat, version)


def _held(cycle, orgs) -> list[Organisation]:
    """Members that must report in `cycle` and had joined when it opened."""
    return [
        o
        for o in orgs
        if o.category in cycle.categories
        and o.status in (Status.ACTIVE, Status.NON_COMMUNICATING)
        and o.joined_on is not None
        and o.joined_on <= cycle.opens_on
    ]


def _past_cycle(
    story: _Story,
    year: int,
    charter,
    principles,
    opens_on: dt.date,
    due_on: dt.date,
    close_on: dt.date,
    categories,
    plan: dict,
    copy_from=None,
) -> ReportingCycle:
    """Create, open, fill, review and close one past cycle; `plan` names who is late,
    very late (after the grace period), missing, returned, and who got an extension."""
    rng, sec = story.rng, story.secretariat
    clock.freeze(at(opens_on - _days(40), 9))
    cycle = cycles.create_cycle(
        sec,
        year,
        "",  # "2025 reporting cycle", in each reader's language
        opens_on,
        due_on,
        grace_days=14,
        categories=categories,
        charter_version=charter,
    )
    if copy_from is not None:
        cycles.copy_questionnaire(sec, copy_from, cycle)
        existing = {s.principle_id for s in cycle.sections}
        texts = {t.number: t for t in charter.texts}
        for n in principles:
            if texts[n].principle_id not in existing:
                section = cycles.add_section(
                    sec,
                    cycle,
                    "",  # "Principle n: …", in each reader's language
                    description_md=f"> {texts[n].body_md}",
                    principle=texts[n].principle,
                )
                story.add_questions(section, PRINCIPLE_QUESTIONS[n])
                for _general in GENERAL_SECTIONS:  # before the general sections
                    cycles.move_section(sec, section, "up")
    else:
        story.build_questionnaire(cycle, charter, principles)
    clock.freeze(at(opens_on, 8))
    cycles.open_cycle(sec, cycle)

    held = _held(cycle, story.orgs)
    final = due_on + _days(cycle.grace_days)
    for org in held:
        if org in plan["missing"]:
            continue
        if org in plan["very_late"]:
            day = final + _days(rng.randint(10, 25))
        elif org in plan["late"]:
            day = due_on + _days(rng.randint(1, cycle.grace_days))
        elif org in plan.get("extended", {}):
            day = plan["extended"][org] - _days(2)
        else:
            day = opens_on + _days(rng.randint(10, (due_on - opens_on).days))
        moment = at(day, rng.randint(8, 18), rng.randint(0, 59))
        story.at(
            moment,
            lambda o=org: story.submit(
                cycle, o, quality=0.6 + 0.4 * rng.random(), evidence=rng.random() < 0.3
            ),
        )
        review_day = max(day + _days(rng.randint(5, 30)), day + _days(1))
        if org in plan["returned"]:
            keys = plan["returned"][org]
            story.at(
                at(review_day, 11), lambda o=org, k=keys: story.return_with_comments(cycle, o, k)
            )
            story.at(
                at(review_day + _days(6), 15), lambda o=org, k=keys: story.correct(cycle, o, k)
            )
            story.at(at(review_day + _days(10), 11), lambda o=org: story.accept(cycle, o))
        else:
            story.at(at(review_day, 11), lambda o=org: story.accept(cycle, o))
    for org, new_date in plan.get("extended", {}).items():
        asked = {}
        story.at(
            at(due_on - _days(20), 9),
            lambda o=org, d=new_date, a=asked: a.update(
                request=extensions.request_extension(
                    story.reps[o.id],
                    cycle,
                    o,
                    "Our security lead is on parental leave and her "
                    "replacement starts next month; we need a few more weeks to collect the "
                    "figures.",
                    d,
                )
            ),
        )
        story.at(
            at(due_on - _days(18), 11),
            lambda d=new_date, a=asked: extensions.grant(
                sec, a["request"], d, note="Granted. Good luck with the handover."
            ),
        )
    for offset in cycle.reminder_offsets:
        story.tick(due_on - _days(offset))
    story.tick(final + _days(1))
    for org_date in plan.get("extended", {}).values():
        story.tick(org_date + _days(cycle.grace_days + 1))
    story.at(at(close_on, 17), lambda: cycles.close_cycle(sec, cycle))
    story.run()
    return cycle


@contextlib.contextmanager
def _quiet():
    """No emails (so no receipt PDFs) for the demo's simulated history; clock restored."""
    try:
        with suppressed():
            yield
    finally:
        clock.freeze(None)


def seed(secretariat, versions, orgs, rng) -> list:
    """Seed the three cycles; returns them oldest first."""
    v1, v2 = versions
    with _quiet():
        story = _Story(secretariat, orgs, rng)
        story.representatives()
        today = clock.today()
        northwind = orgs[0]

        def pick(pool, n, exclude=()):
            choices = [o for o in pool if o is not northwind and o not in exclude]
            return rng.sample(choices, n)

        # 2024: reported in early 2025 on charter v1, every category.
        start = dt.date(2025, 1, 15)
        pool = [
            o for o in orgs if o.status == Status.ACTIVE and o.joined_on and o.joined_on <= start
        ]
        missing = pick(pool, 1)
        very_late = pick(pool, 1, missing)
        late = pick(pool, 3, missing + very_late)
        returned = pick(pool, 3, missing + very_late + late)
        c2024 = _past_cycle(
            story,
            2024,
            v1,
            range(1, 10),
            start,
            dt.date(2025, 3, 31),
            dt.date(2025, 7, 15),
            ALL_CATEGORIES,
            {
                "missing": missing,
                "very_late": very_late,
                "late": late,
                "returned": dict(
                    zip(returned, [["misuse"], ["fix_days"], ["cvd_url", "requests"]], strict=True)
                ),
            },
        )
        # The member that never reported for 2024 is delisted when the year it became
        # non-communicating ends.
        story.tick(dt.date(2026, 1, 1))
        story.run()

        # 2025: reported in early 2026 on charter v2 (with its new principle 10); civil
        # society reports every second year, so not in 2025.
        start = dt.date(2026, 1, 15)
        categories = ["company", "academia", "government", "other"]
        pool = [
            o
            for o in orgs
            if o.status == Status.ACTIVE
            and o.joined_on
            and o.joined_on <= start
            and o.category in categories
        ]
        missing = pick(pool, 3)
        late = pick(pool, 3, missing)
        returned = pick(pool, 1, missing + late)
        extended = pick(pool, 1, missing + late + returned)
        c2025 = _past_cycle(
            story,
            2025,
            v2,
            range(1, 11),
            start,
            dt.date(2026, 3, 31),
            dt.date(2026, 6, 30),
            categories,
            {
                "missing": missing,
                "very_late": [],
                "late": late,
                "returned": {returned[0]: ["fix_days"], northwind: ["misuse"]},
                "extended": {extended[0]: dt.date(2026, 4, 24)},
            },
            copy_from=c2024,
        )
        non_communicating = missing

        c2026 = _open_cycle(story, v2, c2025, today, northwind, non_communicating)
    return [c2024, c2025, c2026]


def _open_cycle(
    story: _Story, charter, previous, today: dt.date, northwind, non_communicating
) -> ReportingCycle:
    """The open cycle: due three weeks from today; about half the members have submitted."""
    rng, sec = story.rng, story.secretariat
    opens_on = today - _days(45)
    due_on = today + _days(21)
    clock.freeze(at(opens_on - _days(20), 9))
    cycle = cycles.create_cycle(
        sec,
        2026,
        "",  # "2026 reporting cycle", in each reader's language
        opens_on,
        due_on,
        grace_days=14,
        categories=ALL_CATEGORIES,
        charter_version=charter,
    )
    cycles.copy_questionnaire(sec, previous, cycle)
    questionnaire_fr.translate(sec, cycle)
    clock.freeze(at(opens_on, 8))
    cycles.open_cycle(sec, cycle)

    held = _held(cycle, story.orgs)
    others = [o for o in held if o is not northwind and o not in non_communicating]
    rng.shuffle(others)
    submitted = others[: len(others) // 2]
    drafts = others[len(others) // 2 : len(others) // 2 + 4]
    came_back = non_communicating[0]
    waits_for_correction = submitted[0]
    for i, org in enumerate(submitted):
        if org is waits_for_correction:
            # Returned with a comment three days ago; the correction is not in yet.
            story.at(at(today - _days(9), 15), lambda o=org: story.submit(cycle, o, quality=0.8))
            story.at(
                at(today - _days(3), 10),
                lambda o=org: story.return_with_comments(cycle, o, ["fix_days"]),
            )
            continue
        day = opens_on + _days(rng.randint(3, (today - opens_on).days - 1))
        story.at(
            at(day, rng.randint(8, 18), rng.randint(0, 59)),
            lambda o=org: story.submit(
                cycle, o, quality=0.65 + 0.35 * rng.random(), evidence=rng.random() < 0.3
            ),
        )
        if day <= today - _days(12) and i % 3 != 2:
            story.at(at(day + _days(rng.randint(3, 9)), 11), lambda o=org: story.accept(cycle, o))
    # A member made non-communicating for 2025 comes back by reporting for 2026.
    story.at(at(today - _days(10), 16), lambda: story.submit(cycle, came_back, quality=0.7))
    for org in drafts:
        story.at(
            at(today - _days(rng.randint(1, 20)), 14),
            lambda o=org: story.fill(cycle, o, only_sections=rng.randint(2, 6), attest=False),
        )
    # Northwind Security: half of the questionnaire is filled in.
    story.at(
        at(today - _days(2), 16, 40),
        lambda: story.fill(cycle, northwind, only_sections=6, attest=False),
    )
    # Extensions: one granted, one waiting for the secretariat.
    asked, waiting = drafts[0], drafts[1]

    requested = {}
    story.at(
        at(today - _days(15), 9),
        lambda: requested.update(
            request=extensions.request_extension(
                story.reps[asked.id],
                cycle,
                asked,
                "We are migrating our ticketing system and "
                "cannot pull this year's figures until it is finished.",
                due_on + _days(21),
            )
        ),
    )
    story.at(
        at(today - _days(14), 10),
        lambda: extensions.grant(
            sec,
            requested["request"],
            due_on + _days(21),
            note="Granted; please submit as soon as the migration is done.",
        ),
    )
    story.at(
        at(today - _days(1), 17),
        lambda: extensions.request_extension(
            story.reps[waiting.id],
            cycle,
            waiting,
            "Our CISO has just left and the interim needs a few weeks to sign off the answers.",
            due_on + _days(14),
        ),
    )
    for offset in cycle.reminder_offsets:
        if due_on - _days(offset) <= today:
            story.tick(due_on - _days(offset))
    story.tick(today)
    story.run(until=at(today, 23, 59))
    return cycle
