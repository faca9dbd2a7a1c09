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
from app.transparency.models import AnnualReport, BuildJob, Edition

MAX_TEXT = 20_000
KINDS = ("draft", "publish")
PDF = "application/pdf"


# Reading ------------------------------------------------------------------------------


def cycle_for_year(year: int) -> ReportingCycle:
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year))
    if cycle is None:
        raise NotFound(_("There is no reporting cycle for %(year)s.", year=year))
    return cycle


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
    for edition, cycle_id in db.session.execute(
        select(Edition, AnnualReport.cycle_id)
        .join(AnnualReport, AnnualReport.id == Edition.annual_report_id)
        .where(AnnualReport.cycle_id.in_(ids))
        .order_by(Edition.number)
    ):
        editions.setdefault(cycle_id, []).append(edition)
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


def editions_of(year: int) -> list[Edition]:
    cycle = cycle_for_year(year)
    return db.session.scalars(
        select(Edition)
        .join(AnnualReport, AnnualReport.id == Edition.annual_report_id)
        .where(AnnualReport.cycle_id == cycle.id)
        .order_by(Edition.number.desc())
    ).all()


@dataclass
class ArchiveRow:
    year: int
    title: str
    edition: Edition
    is_latest: bool


def archive() -> list[ArchiveRow]:
    """Every published edition, newest year first, latest edition first."""
    rows = db.session.execute(
        select(Edition, ReportingCycle.year, ReportingCycle.title)
        .join(AnnualReport, AnnualReport.id == Edition.annual_report_id)
        .join(ReportingCycle, ReportingCycle.id == AnnualReport.cycle_id)
        .order_by(ReportingCycle.year.desc(), Edition.number.desc())
    ).all()
    seen: set[int] = set()
    result = []
    for edition, year, title in rows:
        result.append(ArchiveRow(year, title, edition, year not in seen))
        seen.add(year)
    return result


def edition(year: int, number: int | None = None) -> Edition:
    """A published edition (the latest when `number` is None), or 404."""
    query = (
        select(Edition)
        .join(AnnualReport, AnnualReport.id == Edition.annual_report_id)
        .join(ReportingCycle, ReportingCycle.id == AnnualReport.cycle_id)
        .where(ReportingCycle.year == year)
    )
    if number is None:
        query = query.order_by(Edition.number.desc()).limit(1)
    else:
        query = query.where(Edition.number == number)
    found = db.session.scalar(query)
    if found is None:
        raise NotFound(_("No published transparency report for %(year)s.", year=year))
    return found


def stored_bytes(sha256: str) -> bytes:
    data = db.session.execute(
        select(StoredFile.data).where(StoredFile.sha256 == sha256)
    ).scalar_one_or_none()
    if data is None:
        raise NotFound(_("That file is no longer available."))
    return data


# Builds -------------------------------------------------------------------------------


def request_build(actor, year: int, kind: str, note: str = "") -> tuple[BuildJob, bool]:
    """Queue a build of the annual report. Returns (job, created): when a build of this
    report is already queued or running, that one is returned instead of a second."""
    ensure_secretariat(actor)
    if kind not in KINDS:
        raise ValidationFailed(_("Unknown kind of build."))
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
        f"Requested a {kind} build of the {year} annual report",
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


def run_build(
    job_id: int, *, progress: Callable[[int, str], None] | None = None, workers: int | None = None
) -> BuildJob:
    """Build the PDF of a running job and store the result (an Edition for publications).
    The document is made by the registered presentation (`presented_by`)."""
    job = db.session.get(BuildJob, job_id)
    if job is None or job.state != "running":
        raise Conflict(_("This build is not running."))
    cycle = db.session.get(ReportingCycle, job.cycle_id)
    report = db.session.scalar(select(AnnualReport).where(AnnualReport.cycle_id == cycle.id))
    publish = job.kind == "publish"
    now = clock.now()
    number = None
    if publish:
        number = (
            db.session.scalar(
                select(func.max(Edition.number)).where(Edition.annual_report_id == report.id)
            )
            or 0
        ) + 1
    document = presentation()(
        cycle, report, draft=not publish, published_at=now, edition_number=number
    )
    built = document.build_pdf(
        variants=pdfengine.VARIANTS if publish else (pdfengine.VARIANT_UA,),
        workers=workers,
        progress=progress,
    )
    pdf = built.pdfs[pdfengine.VARIANT_UA]
    stored = store_file(pdf, PDF)
    job.result_sha256 = stored.sha256
    job.pages = built.pages
    if publish:
        pdfa = store_file(built.pdfs[pdfengine.VARIANT_A], PDF)
        html = store_file(document.screen_html().encode(), "text/html; charset=utf-8")
        new = Edition(
            annual_report_id=report.id,
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
        job.edition_id = new.id
        record(
            job.requested_by,
            "annual_report.published",
            new,
            f"Published edition {number} of the {cycle.year} annual report",
            sha256=stored.sha256,
            pages=built.pages,
        )
    # Still ours? (Not taken as interrupted while it was laid out: then nothing is kept.)
    still_running(job_id, heartbeat_at=clock.now())
    finish(
        job, "done", _("Published as edition %(n)s.", n=number) if publish else _("Draft ready.")
    )
    job.progress = 100
    db.session.flush()
    return job


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
