"""Annual transparency reports: the domain operations.

* The secretariat edits the executive summary and methodology of a closed cycle's report,
  previews it (HTML, and a draft PDF watermarked "DRAFT") and publishes it. A publication
  is an immutable `Edition`: the PDF bytes (and a PDF/A-3b twin, and the HTML version) are
  stored once by SHA-256; publishing again makes a new edition and keeps the old ones.
* PDF builds run in the background (`app.transparency.jobs`); a `BuildJob` row carries
  the progress, and its `active_key` (unique) stops two builds of one report at once.
  The document itself (figures, HTML, PDF) is the presentation's
  (`app.transparency.present.document`), which registers itself with `presented_by`.
* Members' public report PDFs: `app.transparency.member_reports`.

Services take the acting user, check authorisation, flush and never commit (the unit of
work of the request, or the job runner, commits)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import clock
from app.core import languages
from app.core.models import StoredFile
from app.core.services import record, store_file
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.reporting.models import ReportingCycle
from app.security import ensure_secretariat
from app.transparency import pdfengine
from app.transparency.builds import (
    ACTIVE,
    expire_if_stale,
    finish,
    still_running,
)
from app.transparency.builds import BuildInterrupted as BuildInterrupted  # re-exported
from app.transparency.builds import build_timeout as build_timeout
from app.transparency.builds import expire_stale_builds as expire_stale_builds
from app.transparency.builds import fail_build as fail_build
from app.transparency.builds import note_progress as note_progress
from app.transparency.builds import start_build as start_build
from app.transparency.editions import ArchiveRow as ArchiveRow  # re-exported
from app.transparency.editions import Found as Found
from app.transparency.editions import archive as archive
from app.transparency.editions import cycle_for_year
from app.transparency.editions import edition as edition
from app.transparency.editions import edition_for_reader as edition_for_reader
from app.transparency.editions import editions_of as editions_of
from app.transparency.editions import ensure_language as ensure_language
from app.transparency.models import AnnualReport, BuildJob, Edition

MAX_TEXT = 20_000
KINDS = ("draft", "publish")
PDF = "application/pdf"
ALL = "all"  # a publication in every language of the alliance, one edition each


# Reading ------------------------------------------------------------------------------


@dataclass
class CycleOverview:
    cycle: ReportingCycle
    annual_report: AnnualReport | None
    latest: Edition | None
    editions: int
    active_job: BuildJob | None
    last_draft: BuildJob | None


def overview(actor) -> list[CycleOverview]:
    """The annual report of every closed cycle, newest first (a constant number of queries)."""
    ensure_secretariat(actor)
    cycles = db.session.scalars(
        select(ReportingCycle)
        .where(ReportingCycle.status == "closed")
        .order_by(ReportingCycle.year.desc())
    ).all()
    ids = [c.id for c in cycles]
    if not ids:
        return []
    reports = {
        r.cycle_id: r
        for r in db.session.scalars(select(AnnualReport).where(AnnualReport.cycle_id.in_(ids)))
    }
    editions: dict[int, list[Edition]] = {}
    source = languages.source_language()
    for found, cycle_id in db.session.execute(
        select(Edition, AnnualReport.cycle_id)
        .join(AnnualReport, AnnualReport.id == Edition.annual_report_id)
        .where(AnnualReport.cycle_id.in_(ids), Edition.language == source)
        .order_by(Edition.number)
    ):
        editions.setdefault(cycle_id, []).append(found)
    active = {
        j.cycle_id: j
        for j in db.session.scalars(
            select(BuildJob).where(BuildJob.cycle_id.in_(ids), BuildJob.state.in_(ACTIVE))
        )
        if not expire_if_stale(j)
    }
    drafts: dict[int, BuildJob] = {}
    for job in db.session.scalars(
        select(BuildJob)
        .where(BuildJob.cycle_id.in_(ids), BuildJob.kind == "draft", BuildJob.state == "done")
        .order_by(BuildJob.id)
    ):
        drafts[job.cycle_id] = job
    return [
        CycleOverview(
            c,
            reports.get(c.id),
            (editions.get(c.id) or [None])[-1],
            len(editions.get(c.id, [])),
            active.get(c.id),
            drafts.get(c.id),
        )
        for c in cycles
    ]


def annual_report(actor, year: int) -> AnnualReport:
    """The editable annual report of a cycle, created on first use with default texts."""
    ensure_secretariat(actor)
    cycle = cycle_for_year(year)
    report = db.session.scalar(select(AnnualReport).where(AnnualReport.cycle_id == cycle.id))
    if report is None:
        report = AnnualReport(
            cycle=cycle,
            cycle_id=cycle.id,
            executive_summary_md=default_summary(cycle),
            methodology_md=default_methodology(cycle),
        )
        db.session.add(report)
        db.session.flush()
    return report


def update_texts(actor, year: int, executive_summary: str, methodology: str) -> AnnualReport:
    report = annual_report(actor, year)
    errors = {}
    for field, text in (
        ("executive_summary_md", executive_summary),
        ("methodology_md", methodology),
    ):
        if len(text or "") > MAX_TEXT:
            errors[field] = [_("Please keep this under %(n)s characters.", n=f"{MAX_TEXT:,}")]
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(errors[first][0], field=first, errors=errors)
    report.executive_summary_md = (executive_summary or "").strip()
    report.methodology_md = (methodology or "").strip()
    report.updated_at = clock.now()
    db.session.flush()
    record(actor, "annual_report.edited", report, f"Edited the {year} annual report's texts")
    return report


def jobs_for(actor, year: int, limit: int = 10) -> list[BuildJob]:
    ensure_secretariat(actor)
    cycle = cycle_for_year(year)
    found = db.session.scalars(
        select(BuildJob)
        .where(BuildJob.cycle_id == cycle.id)
        .options(joinedload(BuildJob.requested_by))
        .order_by(BuildJob.id.desc())
        .limit(limit)
    ).all()
    for job in found:
        expire_if_stale(job)
    return found


def stored_bytes(sha256: str) -> bytes:
    data = db.session.execute(
        select(StoredFile.data).where(StoredFile.sha256 == sha256)
    ).scalar_one_or_none()
    if data is None:
        raise NotFound(_("That file is no longer available."))
    return data


# Builds -------------------------------------------------------------------------------


def request_build(
    actor, year: int, kind: str, note: str = "", language: str | None = None
) -> tuple[BuildJob, bool]:
    """Queue a build of the annual report in one language (default: the source language;
    a publication may be in every language at once, `ALL`: one edition each). Returns
    (job, created): when a build of this report is already queued or running, that one is
    returned instead of a second."""
    ensure_secretariat(actor)
    if kind not in KINDS:
        raise ValidationFailed(_("Unknown kind of build."))
    language = language or languages.source_language()
    if not (languages.is_language(language) or (language == ALL and kind == "publish")):
        raise ValidationFailed(_("The report cannot be built in this language."), field="language")
    if len(note or "") > 1000:
        raise ValidationFailed(_("Please keep the note under 1,000 characters."), field="note")
    cycle = cycle_for_year(year)
    if cycle.status != "closed":
        raise ValidationFailed(
            _("The annual report can be built once the %(year)s cycle is closed.", year=year)
        )
    annual_report(actor, year)
    key = f"annual-report:{cycle.id}"
    existing = _active_job(key)
    if existing is not None and not expire_if_stale(existing):
        return existing, False
    job = BuildJob(
        cycle_id=cycle.id,
        kind=kind,
        state="queued",
        progress=0,
        message=_("Waiting to start"),
        requested_by_id=actor.id,
        active_key=key,
        language=language,
        note=(note or "").strip(),
        heartbeat_at=clock.now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        # Another request queued the same build a moment ago.
        existing = _active_job(key)
        if existing is None:
            raise Conflict(_("Please try again in a moment.")) from None
        return existing, False
    record(
        actor,
        f"annual_report.{kind}_requested",
        job,
        f"Requested a {kind} build of the {year} annual report ({language})",
        language=language,
    )
    return job, True


def _active_job(key: str) -> BuildJob | None:
    return db.session.scalar(select(BuildJob).where(BuildJob.active_key == key))


def build_job(actor, job_id: int) -> BuildJob:
    ensure_secretariat(actor)
    job = db.session.get(BuildJob, job_id)
    if job is None:
        raise NotFound(_("No such build."))
    expire_if_stale(job)
    return job


class Presentation(Protocol):
    """What a build needs of the annual report's presentation: its PDF and its screen HTML
    (`app.transparency.present.document.AnnualDocument`)."""

    def build_pdf(
        self,
        *,
        variants: tuple[str, ...] = ...,
        workers: int | None = None,
        progress: Callable[[int, str], None] | None = None,
    ) -> pdfengine.Built: ...

    def screen_html(self) -> str: ...


PresentationFactory = Callable[..., Presentation]
_presentations: list[PresentationFactory] = []


def presented_by(factory: PresentationFactory) -> PresentationFactory:
    """Register the annual report's presentation. It renders templates, which a service may
    not: the edge module that does (`present.document`) registers itself here on import,
    and the views and the job runner import it."""
    _presentations[:] = [factory]
    return factory


def presentation() -> PresentationFactory:
    if not _presentations:
        raise RuntimeError(
            "no presentation of the annual report: import app.transparency.present.document"
        )
    return _presentations[0]


def build_languages(job: BuildJob) -> list[str]:
    """The languages a build lays out, the source language first."""
    if job.language == ALL:
        return list(languages.languages())
    return [job.language or languages.source_language()]


def run_build(
    job_id: int, *, progress: Callable[[int, str], None] | None = None, workers: int | None = None
) -> BuildJob:
    """Build the PDF of a running job in its language (or in each language, one after the
    other) and store the result: for a publication, an Edition per language, numbered in
    that language. The document is made by the registered presentation (`presented_by`)."""
    job = db.session.get(BuildJob, job_id)
    if job is None or job.state != "running":
        raise Conflict(_("This build is not running."))
    cycle = db.session.get(ReportingCycle, job.cycle_id)
    report = db.session.scalar(select(AnnualReport).where(AnnualReport.cycle_id == cycle.id))
    publish = job.kind == "publish"
    codes = build_languages(job)
    now = clock.now()
    published: list[Edition] = []
    first_pdf = None
    for index, language in enumerate(codes):
        step = _step_progress(progress, index, len(codes), language)
        pdf, built, new = _build_one(
            job, cycle, report, language, publish, now, workers=workers, progress=step
        )
        if first_pdf is None:
            first_pdf, job.pages = pdf, built.pages
        if new is not None:
            published.append(new)
    job.result_sha256 = first_pdf.sha256
    if published:
        job.edition_id = published[0].id
    # Still ours? (Not taken as interrupted while it was laid out: then nothing is kept.)
    still_running(job_id, heartbeat_at=clock.now())
    if publish and len(published) == 1:
        finish(job, "done", _("Published as edition %(n)s.", n=published[0].number))
    elif publish:
        message = ", ".join(
            _(
                "%(language)s: edition %(n)s",
                language=languages.language_name(e.language),
                n=e.number,
            )
            for e in published
        )
        finish(job, "done", _("Published: %(editions)s.", editions=message))
    else:
        finish(job, "done", _("Draft ready."))
    job.progress = 100
    db.session.flush()
    return job


def _step_progress(progress, index: int, count: int, language: str):
    """A language's share of the build's progress (its notes name the language)."""
    if progress is None or count == 1:
        return progress
    name = languages.language_name(language)

    def step(percent: int, message: str) -> None:
        progress(int((index * 100 + percent) / count), f"{name}: {message}")

    return step


def _build_one(job, cycle, report, language, publish, now, *, workers, progress):
    number = None
    if publish:
        number = (
            db.session.scalar(
                select(func.max(Edition.number)).where(
                    Edition.annual_report_id == report.id, Edition.language == language
                )
            )
            or 0
        ) + 1
    document = presentation()(
        cycle,
        report,
        draft=not publish,
        published_at=now,
        edition_number=number,
        language=language,
    )
    built = document.build_pdf(
        variants=pdfengine.VARIANTS if publish else (pdfengine.VARIANT_UA,),
        workers=workers,
        progress=progress,
    )
    pdf = built.pdfs[pdfengine.VARIANT_UA]
    stored = store_file(pdf, PDF)
    if not publish:
        return stored, built, None
    pdfa = store_file(built.pdfs[pdfengine.VARIANT_A], PDF)
    html = store_file(document.screen_html().encode(), "text/html; charset=utf-8")
    new = Edition(
        annual_report_id=report.id,
        language=language,
        number=number,
        published_at=now,
        published_by_id=job.requested_by_id,
        sha256=stored.sha256,
        size=len(pdf),
        pages=built.pages,
        html_sha256=html.sha256,
        note=job.note,
        pdfa_sha256=pdfa.sha256,
        pdfa_size=len(built.pdfs[pdfengine.VARIANT_A]),
    )
    db.session.add(new)
    db.session.flush()
    record(
        job.requested_by,
        "annual_report.published",
        new,
        f"Published edition {number} of the {cycle.year} annual report in {language}",
        sha256=stored.sha256,
        pages=built.pages,
        language=language,
    )
    return stored, built, new


# Default texts of a new annual report ---------------------------------------------------


def default_summary(cycle: ReportingCycle) -> str:
    return _(
        "This report gives an account of the alliance in %(year)s: who its members were, "
        "how many of them reported on how they live up to the charter, what they answered, "
        "and what they have pledged.",
        year=cycle.year,
    )


def default_methodology(cycle: ReportingCycle) -> str:
    return _(
        "All figures are computed from the alliance's records at the end of %(year)s.\n\n"
        "* **Members** are organisations that are active or non-communicating; suspended "
        "members are counted separately.\n"
        "* A **join** is an approval during the year; a **departure** is a withdrawal or a "
        "delisting during the year.\n"
        "* An organisation **had to report** when its category was part of the cycle and it "
        "was a member while the cycle was open. Reports filed after the due date (plus any "
        "extension) count as **late**.\n"
        "* **Indicators** aggregate the latest version each member submitted. Medians and "
        "quartiles use the inclusive method.\n"
        "* **Pledges** are the public pledges of the members at year end, in the status they "
        "had on 31 December.",
        year=cycle.year,
    )
