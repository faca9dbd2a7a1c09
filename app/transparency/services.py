"""Annual transparency reports and members' public reports: the domain operations.

* The secretariat edits the executive summary and methodology of a closed cycle's report,
  previews it (HTML, and a draft PDF watermarked "DRAFT") and publishes it. A publication
  is an immutable `Edition`: the PDF bytes (and a PDF/A-3b twin, and the HTML version) are
  stored once by SHA-256; publishing again makes a new edition and keeps the old ones.
* PDF builds run in the background (`app.transparency.jobs`); a `BuildJob` row carries
  the progress, and its `active_key` (unique) stops two builds of one report at once.
* A member's public report PDF is rendered on demand from its accepted submission and
  cached in `MemberReportPdf` under a fingerprint of the data it shows.

Services take the acting user, check authorisation, flush and never commit (the view or
the job runner commits).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import clock
from app.charter.models import CharterVersion, Principle
from app.core.labels import label
from app.core.models import StoredFile
from app.core.services import record, store_file
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.members.models import Organisation, Pledge, Sector
from app.members.models import pledge_principles as pledge_principles_table
from app.reporting.models import Report, ReportingCycle, ReportVersion
from app.security import ensure_secretariat
from app.transparency import build, charts, queries
from app.transparency import figures as F
from app.transparency.models import AnnualReport, BuildJob, Edition, MemberReportPdf

MAX_TEXT = 20_000
APPENDIX_CHUNK = 40  # members per laid-out chunk
PRINCIPLES_PER_CHUNK = 1
STALE_AFTER = dt.timedelta(minutes=10)
ACTIVE = ("queued", "running")
KINDS = ("draft", "publish")
PDF = "application/pdf"
MEMBER_REPORT_VERSION = 1  # bump when the member report's template changes


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
    return db.session.scalars(
        select(BuildJob)
        .where(BuildJob.cycle_id == cycle.id)
        .options(joinedload(BuildJob.requested_by))
        .order_by(BuildJob.id.desc())
        .limit(limit)
    ).all()


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
    if existing is not None:
        if not _stale(existing):
            return existing, False
        _finish(existing, "failed", _("Interrupted: the build stopped without finishing."))
        db.session.flush()
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


def _stale(job: BuildJob) -> bool:
    last = job.heartbeat_at or job.requested_at
    return last is not None and clock.now() - last > STALE_AFTER


def _finish(job: BuildJob, state: str, message: str) -> None:
    job.state = state
    job.message = message[:300]
    job.finished_at = clock.now()
    job.active_key = None


def build_job(actor, job_id: int) -> BuildJob:
    ensure_secretariat(actor)
    job = db.session.get(BuildJob, job_id)
    if job is None:
        raise NotFound(_("No such build."))
    return job


def start_build(job_id: int) -> BuildJob | None:
    """Mark a queued build as running (None when it is not queued any more)."""
    job = db.session.get(BuildJob, job_id)
    if job is None or job.state != "queued":
        return None
    job.state = "running"
    job.started_at = job.heartbeat_at = clock.now()
    job.message = _("Collecting the figures")
    job.progress = 1
    db.session.flush()
    return job


def note_progress(job_id: int, percent: int, message: str) -> None:
    job = db.session.get(BuildJob, job_id)
    if job is None:
        return
    job.progress = max(job.progress, min(99, int(percent)))
    job.message = message[:300]
    job.heartbeat_at = clock.now()
    db.session.flush()


def fail_build(job_id: int, message: str) -> None:
    job = db.session.get(BuildJob, job_id)
    if job is not None and job.state in ACTIVE:
        _finish(job, "failed", message)
        db.session.flush()


def run_build(
    job_id: int, *, progress: Callable[[int, str], None] | None = None, workers: int | None = None
) -> BuildJob:
    """Build the PDF of a running job and store the result (an Edition for publications)."""
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
    document = AnnualDocument(
        cycle, report, draft=not publish, published_at=now, edition_number=number
    )
    built = document.build_pdf(
        variants=build.VARIANTS if publish else (build.VARIANT_UA,),
        workers=workers,
        progress=progress,
    )
    pdf = built.pdfs[build.VARIANT_UA]
    stored = store_file(pdf, PDF)
    job.result_sha256 = stored.sha256
    job.pages = built.pages
    if publish:
        pdfa = store_file(built.pdfs[build.VARIANT_A], PDF)
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
            pdfa_size=len(built.pdfs[build.VARIANT_A]),
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
    _finish(
        job, "done", _("Published as edition %(n)s.", n=number) if publish else _("Draft ready.")
    )
    job.progress = 100
    db.session.flush()
    return job


# The annual report document -------------------------------------------------------------


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


@dataclass
class Section:
    anchor: str
    title: str
    level: int = 1


class AnnualDocument:
    """The annual report of one cycle: its figures, its HTML (screen, chunks, single pass)
    and its PDF."""

    def __init__(
        self,
        cycle: ReportingCycle,
        report: AnnualReport,
        *,
        draft: bool,
        published_at: dt.datetime | None = None,
        edition_number: int | None = None,
    ):
        self.cycle = cycle
        self.report = report
        self.draft = draft
        self.published_at = published_at or clock.now()
        self.edition_number = edition_number
        self.data = queries.load(cycle)
        self.year_end_members = F.members_at(self.data.history, self.data.period.end)
        self.membership = F.membership(self.data.history, self.data.period)
        self.reporting = F.reporting(self.data.history, self.data.cycle, self.data.reports)
        keys = [p.key for p in self.data.principles]
        self.pledge_rows = F.pledges(self.data.pledge_records, keys)
        self.sections = self._sections()
        self._contexts: dict[str, dict] = {}

    # Structure --------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return _("Transparency report %(year)s", year=self.cycle.year)

    def principle_groups(self) -> list[dict]:
        groups = []
        for p in self.data.principles:
            groups.append(
                {
                    "anchor": f"principle-{p.key}",
                    "key": p.key,
                    "number": p.number,
                    "title": p.title,
                    "heading": _("Principle %(n)s: %(title)s", n=p.number, title=p.title),
                    "indicators": self.data.indicators.get(p.key, []),
                }
            )
        if self.data.indicators.get(""):
            groups.append(
                {
                    "anchor": "principle-general",
                    "key": "",
                    "number": None,
                    "title": _("General"),
                    "heading": _("General indicators"),
                    "indicators": self.data.indicators[""],
                }
            )
        return groups

    def _sections(self) -> list[Section]:
        sections = [
            Section("summary", _("Executive summary")),
            Section("methodology", _("Methodology")),
            Section("membership", _("Membership")),
            Section("reporting", _("Reporting")),
            Section("principles", _("Principles and indicators")),
        ]
        sections += [Section(g["anchor"], g["heading"], 2) for g in self.principle_groups()]
        sections += [Section("pledges", _("Pledges")), Section("appendix", _("Appendix: members"))]
        return sections

    def outline(self) -> list[build.OutlineEntry]:
        entries = [build.OutlineEntry(1, _("Contents"), "contents")]
        entries += [build.OutlineEntry(s.level, s.title, s.anchor) for s in self.sections]
        entries += [
            build.OutlineEntry(2, org.name, member_anchor(org))
            for org, _status in self.year_end_members
        ]
        return entries

    # Template values --------------------------------------------------------------------

    def context(self, mode: str) -> dict:
        if mode not in self._contexts:
            self._contexts[mode] = self._context(mode)
        return self._contexts[mode]

    def _context(self, mode: str) -> dict:
        config = current_app.config
        return {
            "mode": mode,  # "print" or "screen"
            "doc": self,
            "alliance_name": config["ALLIANCE_NAME"],
            "alliance_short": config["ALLIANCE_SHORT"],
            "site_url": config["SERVER_URL"].rstrip("/") if mode == "print" else "",
            "lang": config.get("BABEL_DEFAULT_LOCALE") or "en",
            "title": self.title,
            "year": self.cycle.year,
            "draft": self.draft,
            "published_on": self.published_at.date(),
            "edition_number": self.edition_number,
            "period_end": self.data.period.end.date(),
            "summary_md": self.report.executive_summary_md,
            "methodology_md": self.report.methodology_md,
            "membership": self.membership,
            "reporting": self.reporting,
            "cycle": self.data.cycle,
            "principles": self.principle_groups(),
            "pledge_rows": self.pledge_rows[:-1],
            "pledge_total": self.pledge_rows[-1],
            "principle_titles": {p.key: p.number for p in self.data.principles},
            "sections": self.sections,
            "charts": self.charts(),
            "F": F,
        }

    def charts(self) -> dict:
        m, r = self.membership, self.reporting
        out = {}
        out["categories"] = charts.bar_chart(
            "chart-categories",
            [(label("category", c), v) for c, v, _j, _d in m.by_category.rows if v],
            title=_("Members at year end by category"),
            desc=_(
                "Bar chart: %(text)s.",
                text=", ".join(
                    f"{label('category', c)} {v}" for c, v, _j, _d in m.by_category.rows if v
                ),
            ),
        )
        top_countries = [(c, v) for c, v, _j, _d in m.by_country.rows if v][:12]
        from app.core.templating import country_name

        out["countries"] = charts.bar_chart(
            "chart-countries",
            [(country_name(c), v) for c, v in top_countries],
            title=_("Members at year end by country (largest %(n)s)", n=len(top_countries)),
            desc=_(
                "Bar chart: %(text)s.",
                text=", ".join(f"{country_name(c)} {v}" for c, v in top_countries),
            ),
        )
        out["flows"] = charts.stacked_bars(
            "chart-flows",
            [
                (
                    label("category", c),
                    [("achieved", _("Joins"), j), ("missed", _("Departures"), d)],
                )
                for c, _v, j, d in m.by_category.rows
                if j or d
            ],
            title=_("Joins and departures during the year by category"),
            desc=_(
                "Stacked bar chart of joins and departures by category: %(text)s.",
                text="; ".join(
                    f"{label('category', c)}: {j} joined, {d} left"
                    for c, _v, j, d in m.by_category.rows
                    if j or d
                ),
            ),
        )
        out["reporting"] = charts.stacked_bars(
            "chart-reporting",
            [
                (
                    _("All members that had to report"),
                    [
                        ("on_time", _("On time"), r.on_time),
                        ("late", _("Late"), r.late),
                        ("missing", _("Not at all"), r.missing),
                    ],
                )
            ],
            title=_("Reports: on time, late, not at all"),
            percent=True,
            desc=_(
                "%(on)s reported on time, %(late)s late and %(missing)s not at all, out of "
                "%(total)s.",
                on=r.on_time,
                late=r.late,
                missing=r.missing,
                total=r.required,
            ),
        )
        numbers = {row.principle: self._principle_number(row.principle) for row in self.pledge_rows}
        statuses = [
            ("achieved", _("Achieved")),
            ("in_progress", _("In progress")),
            ("planned", _("Planned")),
            ("missed", _("Missed")),
            ("withdrawn", _("Withdrawn")),
        ]
        rows = [
            (
                _("Principle %(n)s", n=numbers[row.principle])
                if numbers[row.principle]
                else row.principle,
                [(k, t, row.by_status.get(k, 0)) for k, t in statuses],
            )
            for row in self.pledge_rows[:-1]
            if row.made
        ]
        out["pledges"] = charts.stacked_bars(
            "chart-pledges",
            rows,
            title=_("Pledges by principle and status at year end"),
            desc=_(
                "Stacked bar chart of pledges per principle: %(text)s.",
                text="; ".join(
                    f"{name}: " + ", ".join(f"{v} {t.lower()}" for _k, t, v in segs if v)
                    for name, segs in rows
                ),
            ),
        )
        for group in self.principle_groups():
            for item in group["indicators"]:
                out.update(self._indicator_charts(item))
        return out

    def _principle_number(self, key: str):
        for p in self.data.principles:
            if p.key == key:
                return p.number
        return None

    def _indicator_charts(self, item: F.Indicator) -> dict:
        q = item.question
        key = f"q{q.id}"
        out = {}
        if item.answered == 0:
            return out
        if q.type == "yes_no":
            out[key] = charts.stacked_bars(
                f"chart-{key}",
                [(_("Answers"), [("on_time", _("Yes"), item.yes), ("missing", _("No"), item.no)])],
                title=q.text,
                percent=True,
                desc=_(
                    "%(yes)s of %(n)s members answered yes (%(share)s).",
                    yes=item.yes,
                    n=item.answered,
                    share=F.percent(item.share_yes),
                ),
            )
        elif q.type in ("single_choice", "multiple_choice"):
            out[key] = charts.bar_chart(
                f"chart-{key}",
                [(c, share * 100) for c, _n, share in item.distribution],
                title=q.text,
                max_value=100,
                fmt=lambda v: f"{v:.0f}%",
                desc=_(
                    "Share of the %(n)s members who answered, per choice: %(text)s.",
                    n=item.answered,
                    text=", ".join(f"{c} {F.percent(s)}" for c, _n, s in item.distribution),
                ),
            )
        elif q.type == "number" and item.median is not None:
            out[key] = charts.box_plot(
                f"chart-{key}",
                (item.minimum, item.q1, item.median, item.q3, item.maximum),
                title=q.text,
                unit=q.unit,
                desc=_(
                    "Minimum %(min)s, first quartile %(q1)s, median %(med)s, third quartile "
                    "%(q3)s, maximum %(max)s.",
                    min=f"{item.minimum:g}",
                    q1=f"{item.q1:g}",
                    med=f"{item.median:g}",
                    q3=f"{item.q3:g}",
                    max=f"{item.maximum:g}",
                ),
            )
        if len(item.trend) > 1:
            is_share = q.type == "yes_no"
            fmt = (lambda v: f"{v * 100:.0f}%") if is_share else (lambda v: f"{v:g}")
            out[f"{key}-trend"] = charts.trend_line(
                f"chart-{key}-trend",
                item.trend,
                fmt=fmt,
                y_max=1 if is_share else None,
                title=_("%(question)s: trend", question=q.text),
                desc=_(
                    "%(what)s by year: %(text)s.",
                    what=_("Share of yes answers") if is_share else _("Median"),
                    text=", ".join(f"{y} {fmt(v)}" for y, v in item.trend),
                ),
            )
        return out

    # HTML -------------------------------------------------------------------------------

    def _render(self, template: str, mode: str, **extra) -> str:
        return render_template(f"transparency/report/{template}", **self.context(mode), **extra)

    def parts(self, mode: str) -> Iterator[tuple[str, str]]:
        """The report body after the contents, as (running header, HTML) parts; each part
        starts on a new page in print. Appendix parts are rendered when asked for."""
        context = self.context(mode)

        def render(template, **extra):
            return render_template(f"transparency/report/{template}", **context, **extra)

        yield _("Executive summary"), render("_summary.html")
        yield _("Methodology"), render("_methodology.html")
        yield _("Membership"), render("_membership.html")
        yield _("Reporting"), render("_reporting.html")
        groups = context["principles"]
        if not groups:
            yield _("Principles and indicators"), render("_principles.html", groups=[], first=True)
        for i in range(0, len(groups), PRINCIPLES_PER_CHUNK):
            yield (
                _("Principles and indicators"),
                render(
                    "_principles.html", groups=groups[i : i + PRINCIPLES_PER_CHUNK], first=i == 0
                ),
            )
        yield _("Pledges"), render("_pledges.html")
        members = self.year_end_members
        if not members:
            yield _("Appendix: members"), render("_appendix.html", members=[], first=True)
        for start in range(0, len(members), APPENDIX_CHUNK):
            group = members[start : start + APPENDIX_CHUNK]
            yield (
                _("Appendix: members"),
                render("_appendix.html", members=self.appendix_members(group), first=start == 0),
            )

    def part_count(self) -> int:
        groups = max(1, -(-len(self.principle_groups()) // PRINCIPLES_PER_CHUNK))
        appendix = max(1, -(-len(self.year_end_members) // APPENDIX_CHUNK))
        return 4 + groups + 1 + appendix

    def appendix_members(self, group: list[tuple[F.Org, str]]) -> list[dict]:
        snapshots = queries.accepted_snapshots(self.cycle.id, [org.id for org, _s in group])
        reports = self.data.reports
        out = []
        for org, status in group:
            report = reports.get(org.id)
            snapshot = snapshots.get(org.id)
            if report is not None and report.submitted:
                reported = "late" if report.is_late else "on_time"
            else:
                reported = "missing"
            out.append(
                {
                    "org": org,
                    "anchor": member_anchor(org),
                    "status": status,
                    "endorsed": self.data.endorsed.get(org.id),
                    "pledges": self.data.appendix_pledges.get(org.id, []),
                    "reported": reported,
                    "answers": public_answers(snapshot) if snapshot else None,
                }
            )
        return out

    def front_html(self, page_of: dict[str, int] | None, mode: str = "print") -> str:
        body = self._render("_front.html", mode, page_of=page_of)
        return self._document(body)

    def _document(self, body: str, parts: list[tuple[str, str]] | None = None) -> str:
        return render_template(
            "transparency/report/document.html",
            body=Markup(body),  # noqa: S704
            parts=parts,
            **self.context("print"),
        )

    def chunk_html(self, running: str, body: str) -> str:
        return self._document("", parts=[(running, Markup(body))])  # noqa: S704

    def single_html(self) -> str:
        """The whole report as one HTML document (the single-pass comparison)."""
        parts = [(running, Markup(body)) for running, body in self.parts("print")]  # noqa: S704
        front = self._render("_front.html", "print", page_of=None, single=True)
        return self._document(front, parts=parts)

    def screen_html(self) -> str:
        """The report for reading on screen: a fragment put inside the site's layout."""
        body = self._render("_front.html", "screen", page_of=None)
        return body + "".join(
            f'<div class="report-part">{html}</div>' for _r, html in self.parts("screen")
        )

    def build_pdf(
        self,
        *,
        variants=(build.VARIANT_UA,),
        workers: int | None = None,
        progress: Callable[[int, str], None] | None = None,
    ) -> build.Built:
        if workers is None:
            workers = current_app.config.get("TRANSPARENCY_PDF_WORKERS", 2)
            if len(self.year_end_members) < current_app.config.get(
                "TRANSPARENCY_PARALLEL_FROM", 150
            ):
                workers = 0  # a small report: starting worker processes costs more
        chunks = (self.chunk_html(running, body) for running, body in self.parts("print"))
        return build.build_report(
            self.front_html,
            chunks,
            self.part_count(),
            outline=self.outline(),
            variants=variants,
            lang=self.context("print")["lang"],
            footer_label=footer_label(),
            watermark=_("DRAFT") if self.draft else None,
            workers=workers,
            progress=progress,
            messages={
                "layout": _("Laying out the pages"),
                "laid_out": _("Laid out %(done)s of %(total)s parts"),
                "numbering": _("Numbering the pages"),
                "joining": _("Joining the parts"),
                "storing": _("Storing the PDF"),
            },
        )


def member_anchor(org: F.Org) -> str:
    return f"member-{org.slug}"


def footer_label() -> str:
    return _("Page %(n)s of %(m)s", n="{n}", m="{m}")


def page_number_css() -> str:
    """Footers ("Page 3 of 48") done by WeasyPrint itself, for documents laid out in one
    pass: members' reports and the single-pass layout of the annual report."""
    before, _sep, rest = footer_label().partition("{n}")
    middle, _sep, after = rest.partition("{m}")

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    footer = (
        "{ @bottom-center { content: "
        + quoted(before)
        + " counter(page) "
        + quoted(middle)
        + " counter(pages) "
        + quoted(after)
        + "; font: 9pt 'Source Sans 3', sans-serif; color: #4f5d6b; } }\n"
    )
    # print-base.css hides the footer of the first page: members' reports number it too.
    return (
        "@page "
        + footer
        + "@page :first "
        + footer
        + "@page cover { @bottom-center { content: none; } }\n"
    )


def single_pass_css() -> str:
    """The single-pass layout of the annual report (the benchmark's comparison, and a
    cross-check of the chunked numbering in the tests): WeasyPrint numbers the pages and
    fills in the contents with target-counter()."""
    return page_number_css() + (
        ".toc .toc-page { display: none; }\n"
        ".toc .toc-title::after { content: none; }\n"
        ".toc a::after { content: leader(dotted) target-counter(attr(href), page); "
        "font-variant-numeric: tabular-nums; }\n"
    )


@dataclass
class PublicAnswer:
    question: str
    type: str
    value: object
    display: str
    unit: str
    files: list[str]


@dataclass
class PublicSection:
    title: str
    answers: list[PublicAnswer]


def public_answers(snapshot: dict) -> list[PublicSection]:
    """The answers of a submitted snapshot to questions marked public (as submitted)."""
    sections = []
    for section in snapshot.get("sections") or []:
        answers = []
        for q in section.get("questions") or []:
            if not q.get("is_public") or q.get("shown") is False:
                continue
            value = q.get("value")
            display = q.get("display")
            if not isinstance(display, str) or not display.strip():
                display = _display(q.get("type"), value, q.get("unit") or "")
            answers.append(
                PublicAnswer(
                    question=str(q.get("text") or ""),
                    type=str(q.get("type") or ""),
                    value=value,
                    display=display,
                    unit=q.get("unit") or "",
                    files=[
                        str(e.get("filename") or "")
                        for e in q.get("evidence") or []
                        if isinstance(e, dict)
                    ],
                )
            )
        if answers:
            sections.append(PublicSection(str(section.get("title") or ""), answers))
    return sections


def _display(kind: str | None, value, unit: str) -> str:
    if value is None or value == "" or value == []:
        return _("Not answered")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int | float):
        return f"{value:g}" + (f" {unit}" if unit else "")
    return str(value)


# Member reports -------------------------------------------------------------------------


@dataclass
class MemberPdf:
    sha256: str
    size: int
    generated_at: dt.datetime
    filename: str


def member_report_pdf(slug: str, year: int, variant: str = build.VARIANT_UA) -> MemberPdf:
    """A member's public report for a year, from its accepted submission; cached."""
    org = db.session.execute(
        select(Organisation, CharterVersion.number, Sector.name)
        .outerjoin(CharterVersion, CharterVersion.id == Organisation.endorsed_version_id)
        .outerjoin(Sector, Sector.id == Organisation.sector_id)
        .where(Organisation.slug == slug)
    ).first()
    if org is None or org[0].joined_on is None or org[0].status in ("applicant", "rejected"):
        raise NotFound(_("There is no such member."))
    organisation, endorsed, sector = org
    cycle = cycle_for_year(year)
    version = db.session.execute(
        select(
            ReportVersion.id,
            ReportVersion.number,
            ReportVersion.reviewed_at,
            ReportVersion.submitted_at,
            Report.is_late,
        )
        .join(Report, Report.id == ReportVersion.report_id)
        .where(
            Report.cycle_id == cycle.id,
            Report.organisation_id == organisation.id,
            Report.state == "accepted",
            ReportVersion.review_state == "accepted",
        )
        .order_by(ReportVersion.number.desc())
        .limit(1)
    ).first()
    if version is None:
        raise NotFound(
            _("%(name)s has no accepted report for %(year)s.", name=organisation.name, year=year)
        )
    pledges = db.session.execute(
        select(Pledge.id, Pledge.title, Pledge.status, Pledge.target_date, Pledge.updated_at)
        .where(Pledge.organisation_id == organisation.id, Pledge.is_public.is_(True))
        .order_by(Pledge.created_at, Pledge.id)
    ).all()
    keys: dict[int, list[str]] = {}
    if pledges:
        for pledge_id, key in db.session.execute(
            select(pledge_principles_table.c.pledge_id, Principle.key)
            .join(Principle, Principle.id == pledge_principles_table.c.principle_id)
            .where(pledge_principles_table.c.pledge_id.in_([p.id for p in pledges]))
            .order_by(Principle.id)
        ):
            keys.setdefault(pledge_id, []).append(key)
    config = current_app.config
    facts = {
        "v": MEMBER_REPORT_VERSION,
        "variant": variant,
        "version": version.id,
        "reviewed": str(version.reviewed_at),
        "name": organisation.name,
        "slug": organisation.slug,
        "status": organisation.status,
        "since": str(organisation.status_since),
        "country": organisation.country,
        "category": organisation.category,
        "sector": sector,
        "endorsed": endorsed,
        "pledges": [
            (p.id, p.title, p.status, str(p.target_date), str(p.updated_at), keys.get(p.id, []))
            for p in pledges
        ],
        "alliance": config["ALLIANCE_NAME"],
        "site": config["SERVER_URL"],
        "year": year,
    }
    fingerprint = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()
    cached = db.session.scalar(
        select(MemberReportPdf).where(
            MemberReportPdf.organisation_id == organisation.id,
            MemberReportPdf.cycle_id == cycle.id,
            MemberReportPdf.variant == variant,
        )
    )
    filename = (
        f"{organisation.slug}-report-{year}{'-pdfa' if variant == build.VARIANT_A else ''}.pdf"
    )
    if cached is not None and cached.fingerprint == fingerprint:
        return MemberPdf(cached.sha256, cached.size, cached.generated_at, filename)

    snapshot = db.session.scalar(
        select(ReportVersion.snapshot).where(ReportVersion.id == version.id)
    )
    lang = config.get("BABEL_DEFAULT_LOCALE") or "en"
    # One PDF serves every visitor: written in the site's language, whoever asks first.
    with force_locale(lang):
        html = render_template(
            "transparency/member_report.html",
            org=organisation,
            sector=sector,
            endorsed=endorsed,
            year=year,
            cycle=cycle,
            version=version,
            answers=public_answers(snapshot or {}),
            pledges=[(p, keys.get(p.id, [])) for p in pledges],
            lang=lang,
            alliance_name=config["ALLIANCE_NAME"],
            site_url=config["SERVER_URL"].rstrip("/"),
            generated_on=clock.today(),
        )
        page_css = page_number_css()
    pdf, _pages = build.render_pdf(html, variant, extra_css=page_css)
    stored = store_file(pdf, PDF)
    now = clock.now()
    if cached is None:
        cached = MemberReportPdf(
            organisation_id=organisation.id, cycle_id=cycle.id, variant=variant
        )
        try:
            with db.session.begin_nested():
                cached.fingerprint, cached.sha256, cached.size = (
                    fingerprint,
                    stored.sha256,
                    len(pdf),
                )
                cached.generated_at = now
                db.session.add(cached)
        except IntegrityError:
            # Rendered at the same moment by another request: serve ours, keep theirs.
            return MemberPdf(stored.sha256, len(pdf), now, filename)
    else:
        cached.fingerprint, cached.sha256, cached.size = fingerprint, stored.sha256, len(pdf)
        cached.generated_at = now
        db.session.flush()
    return MemberPdf(stored.sha256, len(pdf), now, filename)
