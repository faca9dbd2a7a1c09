"""The annual report of one cycle as a document: its figures, its HTML (for print in
chunks, for the screen, in a single pass) and its PDF.

Each body part is laid out on its own (`pdfengine.build_report`), so the print HTML is made
part by part as the engine asks for it; a small published report is laid out in one pass
(`pdfengine.build_single`). A publication also stores the screen edition: its
parts are rendered alongside the print ones, from the same values (an appendix part's
answers are loaded once), so the build reads the report's data and draws its charts once.
The screen and print parts still differ (the cover, the page numbers of the contents,
absolute links in print), so each edition renders its own HTML, once.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from app import clock
from app.core import languages
from app.reporting.models import ReportingCycle
from app.transparency import figures as F
from app.transparency import localising, pdfengine, queries, services, translations
from app.transparency.models import AnnualReport
from app.transparency.present.print_css import footer_label, single_pass_css
from app.transparency.present.report_charts import report_charts
from app.transparency.public_answers import public_answers

APPENDIX_CHUNK = 40  # members per laid-out chunk
PRINCIPLES_PER_CHUNK = 1


@dataclass
class Section:
    anchor: str
    title: str
    level: int = 1


def member_anchor(org: F.Org) -> str:
    return f"member-{org.slug}"


def in_its_language(method):
    """Run a method of the document in the document's language (`force_locale`)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.in_language():
            return method(self, *args, **kwargs)

    return wrapper


@services.presented_by
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
        language: str | None = None,
    ):
        self.cycle = cycle
        self.report = report
        self.draft = draft
        self.published_at = published_at or clock.now()
        self.edition_number = edition_number
        # Everything in the document is in this language: Pactum's own words, the
        # secretariat's texts, the principles and questions (the source where untranslated).
        self.language = language or languages.source_language()
        self.texts = translations.texts_in(report, self.language)
        self.localised = localising.localise(cycle, queries.load(cycle), self.language)
        self.data = self.localised.data
        self.year_end_members = F.members_at(self.data.history, self.data.period.end)
        self.membership = F.membership(self.data.history, self.data.period)
        self.reporting = F.reporting(self.data.history, self.data.cycle, self.data.reports)
        keys = [p.key for p in self.data.principles]
        self.pledge_rows = F.pledges(self.data.pledge_records, keys)
        with self.in_language():
            self.sections = self._sections()
        self._shared: dict | None = None
        self._contexts: dict[str, dict] = {}
        self._screen_parts: list[str] | None = None

    @contextmanager
    def in_language(self):
        """Pactum's own words (labels, generated titles, numbers, dates) in the document's
        language."""
        with force_locale(self.language):
            yield

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

    def outline(self) -> list[pdfengine.OutlineEntry]:
        entries = [pdfengine.OutlineEntry(1, _("Contents"), "contents")]
        entries += [pdfengine.OutlineEntry(s.level, s.title, s.anchor) for s in self.sections]
        entries += [
            pdfengine.OutlineEntry(2, org.name, member_anchor(org))
            for org, _status in self.year_end_members
        ]
        return entries

    # Template values --------------------------------------------------------------------

    def context(self, mode: str) -> dict:
        """The templates' values in `mode` ("print" or "screen"); what both modes share
        (the figures, the charts) is computed once."""
        if mode not in self._contexts:
            config = current_app.config
            self._contexts[mode] = {
                **self._shared_context(),
                "mode": mode,
                "site_url": config["SERVER_URL"].rstrip("/") if mode == "print" else "",
            }
        return self._contexts[mode]

    def _shared_context(self) -> dict:
        if self._shared is None:
            config = current_app.config
            groups = self.principle_groups()
            self._shared = {
                "doc": self,
                "alliance_name": config["ALLIANCE_NAME"],
                "alliance_short": config["ALLIANCE_SHORT"],
                "lang": self.language,
                "source_language": self.texts.source_language,
                "language_name": languages.language_name(self.language),
                "source_language_name": languages.language_name(self.texts.source_language),
                "title": self.title,
                "year": self.cycle.year,
                "draft": self.draft,
                "published_on": self.published_at.date(),
                "edition_number": self.edition_number,
                "period_end": self.data.period.end.date(),
                "summary_md": self.texts.executive_summary.text,
                "summary_lang": self.texts.executive_summary.lang,
                "methodology_md": self.texts.methodology.text,
                "methodology_lang": self.texts.methodology.lang,
                "membership": self.membership,
                "reporting": self.reporting,
                "cycle": self.data.cycle,
                "principles": groups,
                "pledge_rows": self.pledge_rows[:-1],
                "pledge_total": self.pledge_rows[-1],
                "principle_titles": {p.key: p.number for p in self.data.principles},
                "sections": self.sections,
                "charts": self.charts(groups),
                "F": F,
            }
        return self._shared

    def charts(self, groups: list[dict] | None = None) -> dict:
        return report_charts(
            self.membership,
            self.reporting,
            self.pledge_rows,
            self.data.principles,
            self.principle_groups() if groups is None else groups,
        )

    # HTML -------------------------------------------------------------------------------

    def _render(self, template: str, mode: str, **extra) -> str:
        return render_template(f"transparency/report/{template}", **self.context(mode), **extra)

    def _pieces(self) -> Iterator[tuple[str, str, dict]]:
        """The report body after the contents, as (running header, template, values) per
        part; each part starts on a new page in print. An appendix part's values are loaded
        when it is reached."""
        yield _("Executive summary"), "_summary.html", {}
        yield _("Methodology"), "_methodology.html", {}
        yield _("Membership"), "_membership.html", {}
        yield _("Reporting"), "_reporting.html", {}
        groups = self._shared_context()["principles"]
        if not groups:
            yield _("Principles and indicators"), "_principles.html", {"groups": [], "first": True}
        for i in range(0, len(groups), PRINCIPLES_PER_CHUNK):
            values = {"groups": groups[i : i + PRINCIPLES_PER_CHUNK], "first": i == 0}
            yield _("Principles and indicators"), "_principles.html", values
        yield _("Pledges"), "_pledges.html", {}
        members = self.year_end_members
        if not members:
            yield _("Appendix: members"), "_appendix.html", {"members": [], "first": True}
        for start in range(0, len(members), APPENDIX_CHUNK):
            group = members[start : start + APPENDIX_CHUNK]
            values = {"members": self.appendix_members(group), "first": start == 0}
            yield _("Appendix: members"), "_appendix.html", values

    def parts(self, mode: str) -> Iterator[tuple[str, str]]:
        """The report body after the contents, as (running header, HTML) parts; each part
        starts on a new page in print. Appendix parts are rendered when asked for."""
        for running, template, values in self._pieces():
            yield running, self._render(template, mode, **values)

    def _print_parts(self) -> Iterator[tuple[str, str]]:
        """The parts for print; for a publication, the screen edition of each part is made
        at the same time from the same values, and kept for `screen_html`."""
        screen = None if self.draft else []
        for running, template, values in self._pieces():
            if screen is not None:
                screen.append(self._render(template, "screen", **values))
            yield running, self._render(template, "print", **values)
        self._screen_parts = screen

    def part_count(self) -> int:
        groups = max(1, -(-len(self._shared_context()["principles"]) // PRINCIPLES_PER_CHUNK))
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
                    "answers": (
                        localising.answers_in(public_answers(snapshot), self.localised)
                        if snapshot
                        else None
                    ),
                }
            )
        return out

    @in_its_language
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

    @staticmethod
    def _marked(parts) -> list[tuple[str, Markup]]:
        return [(running, Markup(body)) for running, body in parts]  # noqa: S704

    @in_its_language
    def chunk_html(self, running: str, body: str) -> str:
        return self._document("", parts=[(running, Markup(body))])  # noqa: S704

    @in_its_language
    def single_html(self) -> str:
        """The whole report as one HTML document, numbered by WeasyPrint itself (with
        `single_pass_css()`): how the app lays out a small published report, and the
        benchmark's comparison."""
        return self._single_html(self._marked(self.parts("print")))

    def _single_html(self, parts: list[tuple[str, Markup]]) -> str:
        front = self._render("_front.html", "print", page_of=None, single=True)
        return self._document(front, parts=parts)

    def printed_texts(self) -> Iterator[tuple[str, str]]:
        """(where, text) for every text of the report that people wrote, from the values
        the print edition sets (no layout, no template): the summary and methodology, the
        principles and questions, members' names and sectors, pledges and public answers.
        What the check for characters no shipped font draws reads before publishing; the
        labels Pactum prints itself come from its own translations."""
        with self.in_language():
            yield from self._printed_texts()

    def _printed_texts(self) -> Iterator[tuple[str, str]]:
        yield self.title, current_app.config["ALLIANCE_NAME"]
        yield _("Executive summary"), self.texts.executive_summary.text
        yield _("Methodology"), self.texts.methodology.text
        for group in self.principle_groups():
            yield group["heading"], group["title"]
            for item in group["indicators"]:
                question = item.question
                texts = (question.text, question.unit, *question.choices)
                yield group["heading"], " ".join((*texts, *(c for c, _n, _s in item.distribution)))
        members = self.year_end_members
        for org in self.reporting.non_communicating:
            yield _("Reporting"), org.name
        for start in range(0, len(members), APPENDIX_CHUNK):
            for member in self.appendix_members(members[start : start + APPENDIX_CHUNK]):
                org = member["org"]
                yield org.name, f"{org.name} {org.sector or ''}"
                for pledge in member["pledges"]:
                    yield org.name, pledge.title
                for section in member["answers"] or []:
                    yield org.name, section.title
                    for answer in section.answers:
                        value = answer.value if isinstance(answer.value, str) else ""
                        texts = (answer.question, answer.display, value)
                        yield org.name, " ".join(texts)

    @in_its_language
    def screen_html(self) -> str:
        """The report for reading on screen: a fragment put inside the site's layout (its
        parts made during the PDF build of a publication, else now)."""
        body = self._render("_front.html", "screen", page_of=None)
        parts = self._screen_parts
        if parts is None:
            parts = [html for _running, html in self.parts("screen")]
        return body + "".join(f'<div class="report-part">{html}</div>' for html in parts)

    def build_pdf(
        self,
        *,
        variants=(pdfengine.VARIANT_UA,),
        workers: int | None = None,
        progress: Callable[[int, str], None] | None = None,
    ) -> pdfengine.Built:
        """The PDF, in the document's language; the progress notes stay in the language of
        whoever follows the build."""
        messages = {
            "layout": _("Laying out the pages"),
            "laid_out": _("Laid out %(done)s of %(total)s parts"),
            "numbering": _("Numbering the pages"),
            "joining": _("Joining the parts"),
            "storing": _("Storing the PDF"),
        }
        with self.in_language():
            return self._build_pdf(variants, workers, progress, messages)

    def _build_pdf(self, variants, workers, progress, messages) -> pdfengine.Built:
        single = False
        if workers is None:
            members = len(self.year_end_members)
            config = current_app.config
            workers = config.get("TRANSPARENCY_PDF_WORKERS", 2)
            if members < config.get("TRANSPARENCY_PARALLEL_FROM", 150):
                workers = 0  # a small report: starting worker processes costs more
            # Below this size the body is laid out in one pass (one chunk after the front):
            # chunking a small report only adds layout passes and joins (issue 20: at 100
            # members, chunked took 1.24x the time and 400 MB against 260 MB).
            single = members < config.get("TRANSPARENCY_SINGLE_PASS_BELOW", 150)
        if single and not self.draft:
            # One WeasyPrint pass over the whole report, as the benchmark's single pass: it
            # numbers the pages and the contents itself (issue 20: the engine's path with
            # one body chunk still laid the front out twice and joined, 1.13x the time).
            # A draft keeps the engine's path below: its watermark is an overlay.
            return pdfengine.build_single(
                self._single_html(self._marked(self._print_parts())),
                outline=self.outline(),
                variants=variants,
                extra_css=single_pass_css(),
                progress=progress,
                messages=messages,
            )
        if single:
            chunks = iter([self._document("", parts=self._marked(self._print_parts()))])
            count = 1
        else:
            chunks = (self.chunk_html(running, body) for running, body in self._print_parts())
            count = self.part_count()
        return pdfengine.build_report(
            self.front_html,
            chunks,
            count,
            outline=self.outline(),
            variants=variants,
            lang=self.context("print")["lang"],
            footer_label=footer_label(),
            watermark=_("DRAFT") if self.draft else None,
            workers=workers,
            progress=progress,
            messages=messages,
        )
