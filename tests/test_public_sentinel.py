"""Nothing private on any public route (issue 15): one walk that a new route cannot escape.

The transparency centre's world (`tests/centre/conftest.py`) plants the SENTINEL in every
place the public must never see: draft answers, a non-public question and its answers, a
returned version, a submitted (never accepted) report, a reviewer's comment, an evidence
file's name, a private pledge and the submitter's name and email in the snapshot. This
module plants it in the remaining ones (`plant_everywhere_else`): a private pledge's
history and a private pledge inside an accepted snapshot, the internal reason of a status
change and a private status change, a representative's name and email, an applicant (its
name, contact and motivation), the attesting officer and the secretariat's review note, a
superseded accepted version, an extension request, an unpublished charter draft (and its
French translation), French translations of non-public questions and of a public question's
help text, an unpublished annual report's texts and the audit trail. The annual report is published
for real (its PDF and HTML edition laid out by WeasyPrint) and every member PDF rendered.

Then every public GET route of the URL map (`tests.test_query_scaling.public_rules`, the
same enumeration the query-scaling test uses) is fetched with every value of the world its
arguments can take, anonymously and as the secretariat, plus variants: filters, searches
for the sentinel and for the words next to it, every page of every API list, the open-data
zip with each member file read, the feeds, and every PDF read back as text. The pages that
read translations (the home page, the charter, the transparency centre, the member report
PDFs) are walked again in French (`?lang=fr`), by an anonymous visitor and the secretariat. No body may
contain the sentinel or a representative's address, in any case or split across lines.

The walk fails listing any public route it cannot build a URL for (add its argument to
`VALUES`), any route no URL of the walk reached with a 2xx answer, and every leak.
"""

from __future__ import annotations

import datetime as dt
import functools
import html as html_lib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import quote, unquote_plus, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from app.accounts import services as account_services
from app.charter.models import CharterVersion, PrincipleText
from app.charter.translations.entries import source_hash
from app.charter.translations.models import CharterTranslation
from app.core.models import AuditEvent
from app.core.services import store_file
from app.members.models import Application, PledgeUpdate, StatusChange
from app.reporting.models import (
    Extension,
    QuestionnaireTranslation,
    Report,
    ReportVersion,
    SubmittedAnswer,
)
from app.transparency import jobs, services
from app.transparency.models import AnnualReport, AnnualReportTranslation
from app.transparency.opendata.indexing import reindex_all
from tests import factories
from tests.centre.conftest import SENTINEL, build_centre_world
from tests.centre.test_languages import plant_french
from tests.conftest import login_as
from tests.members.builders import image_bytes
from tests.test_query_scaling import public_rules
from tests.transparency.builders import at, make_cycle, make_member, make_pledge, make_report
from tests.transparency.pdftools import page_texts

REP_EMAILS = ("rep@sentinel.example", "officer@sentinel.example", "applicant@sentinel.example")
APPLICANT = "Applicant Sentinel Org"
# The sentinel's parts, and words planted next to it: searched for, and never in a body.
NEAR_WORDS = [
    "ZEBRA",
    "4711",
    "zebra sentinel",
    "secret answer",
    "returned words",
    "pending words",
    "draft",
    "Internal question",
    "ransoms",
    "Fix",
    "Private pledge",
    "private note",
    "Rep",
    "evidence",
    "officer",
    "motivation",
    "review note",
    "superseded words",
    "sentinel.example",
]


def _values(w) -> dict[str, list]:
    """Every value of the world a URL argument can take (a route's URLs are the product)."""
    return {
        "slug": [w.alpha.slug, w.beta.slug, w.gamma.slug, w.delta.slug, w.applicant.slug],
        "year": [2024, 2025, 2026],
        "number": [1, 2, 3],  # principles; charter versions; annual report editions
        "a": [1],
        "b": [2, 3],  # charter version 3 is the unpublished draft
        "lineage": ["mfa", "share", "approach", "programme", "secret", "ransom", "policy"],
        "token": [w.reset_token, w.invite_token],
    }


# The routes that read the alliance's translations, walked again with `?lang=fr`.
FRENCH_ROUTES = ("core.home", "charter.", "centre.", "transparency.member_report_pdf")


def _in_french(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "lang=fr"


# Routes whose URL carries one value of its own, not the product of `_values`.
OVERRIDES = {
    "accounts.reset_password": lambda w: [f"/password/reset/{w.reset_token}"],
    "accounts.accept_invitation": lambda w: [f"/invitation/{w.invite_token}"],
}

# Public routes that show the secretariat more than the public, by design, with the reason.
SECRETARIAT_VIEWS = {
    "members.profile": "the secretariat manages the member there: private pledges and their "
    "history, private status changes and internal reasons",
}

# Routes that answer no 2xx by design, with the reason.
NO_SUCCESS = {
    "accounts.logout": "a redirect to the home page",
    "mfa.code": "a redirect to the login page without a first factor",
}


def _variants(w) -> list[str]:
    """Query strings that take other paths through the same views."""
    slugs = f"{w.alpha.slug},{w.beta.slug},{w.gamma.slug},{w.delta.slug}"
    urls = [
        f"/compare?members={slugs}&year=2025",
        f"/compare?members={slugs}&year=2024",
        f"/compare?members={w.alpha.slug},{w.applicant.slug}",
        "/principles/1?year=2024",
        "/reports/2025?lang=fr",
        "/reports/2025?lang=de",
        "/reports/2025.pdf?lang=fr",
        "/reports/2025.pdf?lang=fr&variant=pdf-a",
        "/reports/2025/editions/1?lang=fr",
        "/reports/2025/editions/1.pdf?lang=fr",
        "/reports/2024?lang=fr",
        "/principles/1?year=2025&country=DE&category=company",
        "/principles/1?sort=member",
        "/principles/1?sort=oldest&status=active",
        "/principles/2?sector=cloud",
        "/principles/1/questions/approach?country=DE",
        "/principles/1/questions/approach?year=2024",
        "/members?q=sentinel",
        "/members?q=applicant",
        "/members?status=applicant",
        "/members.csv?q=applicant",
        "/api/v1/members?per_page=100",
        "/api/v1/members?q=applicant",
        "/api/v1/reports?year=2024",
        "/api/v1/reports?member=gamma-cloud",
        "/api/v1/answers?year=2025&member=alpha-security",
        "/api/v1/answers?principle=1&year=2024",
        "/api/v1/answers?lineage=approach",
        "/api/v1/answers?lineage=secret",
        "/api/v1/pledges?member=gamma-cloud",
        "/reports/2025.pdf?variant=pdf-a",
        "/search?q=keys",
        "/search?q=words&kind=answer",
        "/search?q=pledge&kind=pledge",
        "/search?q=principle&kind=principle",
        "/search?q=words&year=2024",
        "/search?q=words&country=DE&category=company",
    ]
    for word in [SENTINEL, *NEAR_WORDS]:
        urls.append(f"/search?q={quote(word)}")
    return urls


# The world ------------------------------------------------------------------------------


def plant_everywhere_else(db, w, secretariat) -> None:
    """The sentinel in the private places `build_centre_world` leaves empty."""
    # A private pledge's history, and a public pledge's private twin in the snapshot.
    private = next(p for p in w.gamma.pledges if not p.is_public)
    private.updates.append(
        PledgeUpdate(at=at(2025, 6, 1), status="in_progress", note=f"private note {SENTINEL}")
    )
    make_pledge(w.alpha, f"Private pledge of alpha {SENTINEL}", [w.p2], public=False)
    # Status changes: an internal reason beside a public one, and a private change.
    w.delta.status_changes.append(
        StatusChange(
            from_status="active",
            to_status="active",
            at=at(2025, 7, 1),
            reason=f"internal reason {SENTINEL}",
            public_reason="Reviewed.",
        )
    )
    w.beta.status_changes.append(
        StatusChange(
            from_status="active",
            to_status="active",
            at=at(2025, 8, 1),
            reason="checked",
            public_reason=f"private change {SENTINEL}",
            is_public=False,
        )
    )
    w.alpha.logo_sha256 = store_file(image_bytes(), "image/png").sha256
    # An organisation the public may not see (it never joined) with an accepted report: its
    # public answers count in the figures, but neither it nor its words are ever listed
    # (the read model keeps its rows with the flags `listed_condition()` checks).
    hidden = factories.make_org(name=f"Hidden {SENTINEL} Org", sector=None, joined_on=None)
    make_report(w.c2025, hidden, {w.q2025.mfa: True, w.q2025.approach: f"hidden words {SENTINEL}"})
    # People: representatives, an applicant and its contact.
    factories.make_user(
        role="representative", organisation=w.alpha, email=REP_EMAILS[0], name=f"Rep {SENTINEL}"
    )
    factories.make_user(
        role="representative", organisation=w.gamma, email=REP_EMAILS[1], name="Olga Officer"
    )
    observer = make_member("Eta Observer", country="FR")  # a member with nothing private
    w.observer = factories.make_user(role="representative", organisation=observer)
    w.applicant = factories.make_org(name=APPLICANT, status="applicant", country="DE")
    w.applicant.slug = "pending-applicant"  # a URL of the walk must not spell its name
    db.session.add(
        Application(
            organisation_id=w.applicant.id,
            contact_name=f"Contact {SENTINEL}",
            contact_email=REP_EMAILS[2],
            contact_title="Chief",
            motivation=f"motivation {SENTINEL}",
            signatory_name=f"Signatory {SENTINEL}",
            signatory_title="CEO",
        )
    )
    # The accepted version of Alpha's 2025 report: its officer, the review note, and a
    # private pledge in its snapshot.
    alpha_version = w.alpha_2025.versions[-1]
    for holder in (w.alpha_2025, alpha_version):
        holder.officer_name = f"Officer {SENTINEL}"
        holder.support_statement = f"We support it {SENTINEL}."
    alpha_version.review_note = f"review note {SENTINEL}"
    alpha_version.snapshot["pledges"] = [
        {
            "id": 0,
            "title": f"Private pledge in a snapshot {SENTINEL}",
            "status": "planned",
            "note": f"pledge note {SENTINEL}",
            "principles": ["P1"],
            "is_public": False,
        }
    ]
    alpha_version.snapshot["attestation"]["officer_name"] = f"Officer {SENTINEL}"
    flag_modified(alpha_version, "snapshot")
    # Delta's 2025 report: version 1 accepted (with the sentinel), then superseded by an
    # accepted version 2 that says the same without it.
    delta_report = db.session.scalar(
        select(Report).where(Report.organisation_id == w.delta.id, Report.cycle_id == w.c2025.id)
    )
    first = delta_report.versions[0]
    second = ReportVersion(
        report_id=delta_report.id,
        number=2,
        submitted_at=first.submitted_at,
        is_late=False,
        officer_name="Officer",
        officer_title="CEO",
        support_statement="We support it.",
        snapshot=json.loads(json.dumps(first.snapshot)),
        questionnaire_hash=first.questionnaire_hash,
        review_state="accepted",
        reviewed_at=first.reviewed_at + dt.timedelta(days=30),
    )
    db.session.add(second)
    db.session.flush()
    for row in first.answers:
        db.session.add(
            SubmittedAnswer(version_id=second.id, question_id=row.question_id, value=row.value)
        )
        if row.question_id == w.q2025.approach.id:
            row.value = f"superseded words {SENTINEL}"
    for section in first.snapshot["sections"]:
        for question in section["questions"]:
            if question["lineage"] == "approach":
                question["value"] = question["display"] = f"superseded words {SENTINEL}"
    flag_modified(first, "snapshot")
    delta_report.current_version_id = second.id
    # An extension request, a charter draft, an unpublished annual report, the audit trail.
    open_cycle = make_cycle(2026, status="open", charter=w.charter)
    db.session.add(
        Extension(
            cycle_id=open_cycle.id,
            organisation_id=w.alpha.id,
            requested_due_on=dt.date(2026, 5, 1),
            reason=f"extension {SENTINEL}",
        )
    )
    _charter_versions(db, w)
    unpublished = AnnualReport(
        cycle_id=w.c2024.id,
        executive_summary_md=f"unpublished summary {SENTINEL}",
        methodology_md=f"unpublished method {SENTINEL}",
    )
    db.session.add(unpublished)
    db.session.flush()
    db.session.add(
        AnnualReportTranslation(
            annual_report_id=unpublished.id,
            language="fr",
            key="executive_summary",
            text=f"résumé non publié {SENTINEL}",
            source_hash=source_hash(unpublished.executive_summary_md),
        )
    )
    # (French translations of non-public questions, one of them an indicator the annual
    # report aggregates: `_plant_translations`; the French edition must show neither.)
    db.session.add(
        AuditEvent(
            actor_id=secretariat.id,
            action="report.returned",
            object_type="reports",
            object_id=1,
            summary=f"audit {SENTINEL}",
            detail={"email": REP_EMAILS[0]},
        )
    )
    invited = factories.make_user(
        role="representative", organisation=w.beta, email="invited@beta.example", password=None
    )
    w.invite_token = account_services.make_token(invited, "invite")
    w.reset_token = account_services.make_token(
        factories.make_user(role="representative", organisation=w.beta), "reset"
    )
    db.session.flush()


def _plant_translations(db, w) -> None:
    """French translations: public ones (so the French pages read some), and the sentinel
    in those of non-public questions, a public question's help text (no public page shows
    help) and the unpublished charter draft."""
    plant_french(db, w)  # with the sentinel in two non-public questions of 2025
    for cycle, q in ((w.c2024, w.q2024), (w.c2025, w.q2025)):
        for key, source in (
            (f"q{q.secret.id}.text", q.secret.text),
            (f"q{q.mfa.id}.help", q.mfa.help_text or "Help."),
            (f"q{q.hidden_yes.id}.text", q.hidden_yes.text),
        ):
            if cycle is w.c2025 and key.endswith(".text"):
                continue  # planted by `plant_french`
            db.session.add(
                QuestionnaireTranslation(
                    cycle_id=cycle.id,
                    language="fr",
                    key=key,
                    text=f"traduction privée {SENTINEL}",
                    source_hash=source_hash(source),
                )
            )
    draft = db.session.scalar(select(CharterVersion).where(CharterVersion.number == 3))
    for text in draft.texts:
        for part, source in (("title", text.title), ("body", text.body_md)):
            db.session.add(
                CharterTranslation(
                    version_id=draft.id,
                    language="fr",
                    key=f"{text.principle.key}.{part}",
                    text=f"Brouillon {SENTINEL}",
                    source_hash=source_hash(source),
                )
            )
    db.session.add(
        CharterTranslation(
            version_id=draft.id,
            language="fr",
            key="title",
            text=f"Accord brouillon {SENTINEL}",
            source_hash=source_hash(draft.title),
        )
    )
    db.session.flush()


def _charter_versions(db, w) -> None:
    """Version 2 in force since 2025 (the same principles, one reworded), and an
    unpublished draft 3 with the sentinel."""
    second = CharterVersion(
        number=2,
        title="The Test Accord",
        status="published",
        effective_date=dt.date(2025, 1, 1),
        published_at=at(2024, 12),
        change_summary="Principle 1 reworded.",
    )
    draft = CharterVersion(
        number=3, title=f"Draft accord {SENTINEL}", status="draft", preamble_md=SENTINEL
    )
    for version, word in ((second, "Reworded"), (draft, f"Draft {SENTINEL}")):
        for text in w.charter.texts:
            version.texts.append(
                PrincipleText(
                    principle=text.principle,
                    number=text.number,
                    position=text.position,
                    title=text.title if text.number != 1 else f"{word} title 1",
                    body_md=text.body_md,
                )
            )
        db.session.add(version)
    db.session.flush()


def _publish_annual_report(app, db, secretariat) -> None:
    """Edition 1 of the 2025 report in English and in French, laid out for real (in this
    process)."""
    saved = app.config.get("TRANSPARENCY_PDF_WORKERS")
    app.config["TRANSPARENCY_PDF_WORKERS"] = 0
    try:
        for language in ("en", "fr"):
            job, created = services.request_build(secretariat, 2025, "publish", "First.", language)
            assert created
            db.session.commit()
            assert jobs.run_job(job.id) == "done"
    finally:
        if saved is None:
            app.config.pop("TRANSPARENCY_PDF_WORKERS", None)
        else:
            app.config["TRANSPARENCY_PDF_WORKERS"] = saved


# Reading what a route answers -----------------------------------------------------------


@functools.cache
def _file_texts(data: bytes) -> tuple[str, ...]:
    """A PDF's text (and its raw bytes: metadata, attachments) or a zip's files, once per
    distinct file (every visitor downloads the same ones)."""
    if data.startswith(b"%PDF"):
        return ("\n".join(page_texts(data)), data.decode("latin-1"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist(), "an empty zip"
    return tuple(archive.read(name).decode("utf-8") for name in archive.namelist())


def _texts(response) -> list[str]:
    """Everything a response says, as text: PDFs and zips read back, JSON undecoded."""
    data = response.get_data()
    mimetype = response.mimetype
    if data.startswith((b"%PDF", b"PK\x03\x04")) or mimetype == "application/zip":
        return list(_file_texts(data))
    if mimetype.startswith("image/"):
        return [data.decode("latin-1")]
    text = data.decode("utf-8")
    texts = [text, html_lib.unescape(text)]
    if mimetype == "application/json":
        texts.append(json.dumps(json.loads(text), ensure_ascii=False))
    return texts


def _leaks(texts: list[str], echoed: str = "") -> list[str]:
    """The private strings in `texts` (the visitor's own query, echoed back, excepted)."""
    found = []
    for text in texts:
        if echoed:
            for form in (echoed, html_lib.escape(echoed), quote(echoed), quote(echoed, safe="")):
                text = text.replace(form, "")
        squashed = re.sub(r"[\s\-‐­]+", "", text).lower()
        for secret in ("zebrasentinel", "sentinel4711", *REP_EMAILS, APPLICANT.lower()):
            if secret.replace("-", "").replace(" ", "") in squashed:
                found.append(secret)
    return sorted(set(found))


@dataclass(frozen=True)
class Visit:
    endpoint: str
    status: int
    found: list[str]


def _next_pages(body: dict) -> list[str]:
    """The API's link to its next page, wherever the list puts it."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "next" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)

    walk(body)
    return found


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# The walk ---------------------------------------------------------------------------------


def public_urls(app, w) -> tuple[dict[str, list[str]], list[str]]:
    """Endpoint -> every URL of it in world `w`; and the public routes without one."""
    adapter = app.url_map.bind("localhost")
    values = _values(w)
    urls: dict[str, list[str]] = {}
    unbuildable = []
    for rule in public_rules(app):
        if rule.endpoint in OVERRIDES:
            urls[rule.endpoint] = OVERRIDES[rule.endpoint](w)
            continue
        missing = sorted(set(rule.arguments) - set(values))
        if missing:
            unbuildable.append(f"{rule.endpoint} ({rule.rule}) needs {missing}")
            continue
        combinations = [{}]
        for name in sorted(rule.arguments):
            combinations = [{**c, name: v} for c in combinations for v in values[name]]
        urls[rule.endpoint] = [adapter.build(rule.endpoint, c) for c in combinations]
    return urls, unbuildable


@pytest.fixture
def world(app, db, secretariat):
    w = build_centre_world(db)
    plant_everywhere_else(db, w, secretariat)
    db.session.commit()
    _plant_translations(db, w)
    db.session.commit()
    _publish_annual_report(app, db, secretariat)
    reindex_all()
    db.session.commit()
    return w


def test_the_walk_builds_every_public_route(app):
    """Without a world: every argument of every public route has values in `_values`."""

    class Anything:
        def __getattr__(self, name):
            return Anything()

        slug = "x"
        reset_token = invite_token = "t"

    _urls, unbuildable = public_urls(app, Anything())
    assert not unbuildable, (
        "public GET routes the sentinel walk cannot build a URL for (give their arguments "
        f"values in `_values`, or the route an entry in OVERRIDES): {unbuildable}"
    )
    stale = sorted(
        (set(OVERRIDES) | set(NO_SUCCESS) | set(SECRETARIAT_VIEWS))
        - {r.endpoint for r in public_rules(app)}
    )
    assert not stale, f"entries for routes that are not public GET routes: {stale}"


def test_no_public_route_shows_anything_private(app, world, secretariat):
    """The secretariat walks first (a page it is shown must not reach the anonymous
    visitor through the page cache), then a representative of another member (who sees
    nothing more of anyone else than the public), then the anonymous visitor."""
    urls, unbuildable = public_urls(app, world)
    assert not unbuildable, unbuildable
    sec = app.test_client()
    login_as(sec, secretariat)
    rep = app.test_client()
    login_as(rep, world.observer)
    sec_fr = app.test_client()
    login_as(sec_fr, secretariat)
    visitors = {
        "secretariat": sec,
        "representative": rep,
        "anonymous": app.test_client(),
        # Separate clients: `?lang=fr` is remembered in the session.
        "secretariat (fr)": sec_fr,
        "anonymous (fr)": app.test_client(),
    }
    adapter = app.url_map.bind("localhost")
    seen: dict[tuple[str, str], Visit] = {}

    def visit(who: str, url: str, endpoint: str | None = None) -> None:
        if (who, url) in seen:
            return
        response = visitors[who].get(url)
        query = dict(p.split("=", 1) for p in urlsplit(url).query.split("&") if "=" in p)
        echoed = html_lib.unescape(unquote_plus(query.get("q", "")))
        texts = _texts(response)
        found = _leaks(texts, echoed)
        if echoed in (SENTINEL, "ZEBRA", "4711", "zebra sentinel") and "<mark>" in texts[0]:
            found.append("a search for the sentinel found something")
        endpoint = endpoint or adapter.match(urlsplit(url).path)[0]
        seen[who, url] = Visit(endpoint, response.status_code, found)
        if response.mimetype == "application/json" and response.status_code == 200:
            for following in _next_pages(json.loads(texts[0])):
                visit(who, _path(following), endpoint)

    for who in ("secretariat", "representative", "anonymous"):
        for endpoint, built in urls.items():
            for url in built:
                visit(who, url, endpoint)
        for url in _variants(world):
            visit(who, url)
    for who in ("secretariat (fr)", "anonymous (fr)"):
        for endpoint, built in urls.items():
            if endpoint.startswith(FRENCH_ROUTES):
                for url in built:
                    visit(who, _in_french(url), endpoint)
        for url in _variants(world):
            if url.startswith(("/principles", "/compare")):
                visit(who, _in_french(url))

    errors = [f"{who} {url}: {v.status}" for (who, url), v in seen.items() if v.status >= 500]
    assert not errors, "public routes that failed:\n" + "\n".join(errors)
    public = {
        url for (who, url), v in seen.items() if who.startswith("anonymous") and v.status < 400
    }
    leaks = [
        f"{who} {url} ({v.status}): {v.found}"
        for (who, url), v in seen.items()
        if v.found
        and (
            not who.startswith("secretariat")
            or (url in public and v.endpoint not in SECRETARIAT_VIEWS)
        )
    ]
    assert not leaks, "private data on public routes:\n" + "\n".join(leaks)
    succeeded = {
        v.endpoint for (who, _url), v in seen.items() if who == "anonymous" and v.status < 300
    }
    unreached = sorted(set(urls) - succeeded - set(NO_SUCCESS))
    assert not unreached, (
        "public routes no URL of the walk opened with a 2xx answer, so the walk proves "
        f"nothing about them (give the world what they show): {unreached}"
    )
    assert len(seen) > 400  # the walk really walked
    french = [v for (who, _url), v in seen.items() if who == "anonymous (fr)" and v.status < 300]
    assert {v.endpoint for v in french} >= {
        "core.home",
        "centre.principle",
        "centre.member_report",
        "transparency.member_report_pdf",
    }
