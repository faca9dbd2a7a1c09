"""The principle pages of the transparency centre: the charter in force as a map, one
principle in depth, one question over the years. Plain values in, plain values out; the
figures are the annual report's (`app.transparency.figures`), so they agree with it."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from app.charter.diff import readable_text
from app.charter.translations.reading import Text
from app.core import formats
from app.core.textdiff import Segment, word_diff
from app.errors import NotFound
from app.members.directory.pages import country_label, load_sectors
from app.reporting.translations.public import Asked, PublicTexts, public_texts
from app.transparency import charts
from app.transparency import figures as F
from app.transparency.centre import queries
from app.transparency.centre.filters import PER_PAGE, AnswerFilters, parse_answer_filters
from app.transparency.centre.queries import AnswerRow, PrincipleRow, QuestionRow, WordingRow

SUMMARISED = ("yes_no", "single_choice", "multiple_choice", "number")
MAX_LINEAGE = 40


@dataclass
class MapEntry:
    principle: PrincipleRow
    pledged: int  # members in the alliance with a public pledge on it
    indicators: list[F.Indicator]  # this year's public indicators
    trend: list[tuple[int, float]]  # (year, share of yes across its yes/no indicators)
    chart: Markup | None
    title: Text | None = None  # the principle's title in the reader's language


@dataclass
class PrincipleMap:
    year: int | None  # the latest closed cycle with public answers (else the latest one)
    first_year: int | None
    entries: list[MapEntry]
    texts: PublicTexts | None = None  # the charter's and the questions' texts, for the reader


@dataclass
class YearSummary:
    year: int
    question: QuestionRow
    summary: F.Indicator | None  # None for answers in words


@dataclass
class Lineage:
    lineage: str
    text: str  # the latest wording
    type: str
    years: list[YearSummary]
    chart: Markup | None = None
    wording: Text | None = None  # the latest wording in the reader's language


@dataclass
class Wording:
    row: WordingRow
    changes: list[Segment] | None  # against the previous version; None for the first
    changed: bool = False
    title: Text | None = None  # the principle's title in that version, for the reader
    lang: str = ""  # the language the comparison is read in


@dataclass
class AnswersPage:
    filters: AnswerFilters
    errors: dict[str, str]
    years: list[int]
    countries: tuple[tuple[str, str], ...]  # (code, name in the reader's language)
    sectors: list
    total: int
    pages: int
    rows: list[AnswerRow] = field(default_factory=list)


@dataclass
class PrinciplePage:
    principle: PrincipleRow
    wordings: list[Wording]
    lineages: list[Lineage]
    answers: AnswersPage
    texts: PublicTexts
    title: Text
    body: Text


@dataclass
class QuestionPage:
    principle: PrincipleRow
    lineage: Lineage
    answers: AnswersPage
    texts: PublicTexts
    title: Text


def _texts(language: str | None, questions, versions) -> PublicTexts:
    """The texts of these public questions (`QuestionRow`s, public by their query) and of
    these charter versions' principles, in the reader's language: one query (none in the
    source language)."""
    asked = [Asked(q.id, True, q.type, len(q.choices)) for q in questions]
    return public_texts(language, asked, (), versions)


def _picked(texts: PublicTexts, questions) -> None:
    """Pick each text of these questions the page shows (wording, unit, choices) once in
    Python, so the page's notice counts them before the template shows them."""
    for q in questions:
        texts.question(q.id, q.text)
        if q.unit and q.type == "number":
            texts.unit(q.id, q.unit)
        for choice in q.choices:
            texts.choice(q.id, q.choices, choice)


def _yes_share(items: list[F.Indicator]) -> float | None:
    yes = sum(i.yes for i in items if i.question.type == "yes_no")
    answered = sum(i.answered for i in items if i.question.type == "yes_no")
    return yes / answered if answered else None


def _map_year(questions: list[QuestionRow], counts) -> tuple[int | None, list[int]]:
    """The map's year (the latest closed cycle with public answers, else the latest cycle
    with any) and the years of its trends (up to that year)."""
    answered = [q for q in questions if counts.get(q.id)]
    closed = [q.year for q in answered if q.closed]
    year = max(closed or [q.year for q in answered] or [0]) or None
    return year, sorted({q.year for q in answered if q.year <= (year or 0)})


def _entry(principle: PrincipleRow, pledged: int, questions, counts, year, years) -> MapEntry:
    summaries = [
        (q.year, F.indicator(q.info, counts.get(q.id, [])))
        for q in questions
        if q.principle_id == principle.id and q.is_indicator and q.type in SUMMARISED
    ]
    shares = [(y, _yes_share([s for sy, s in summaries if sy == y])) for y in years]
    trend = [(y, share) for y, share in shares if share is not None]
    return MapEntry(
        principle,
        pledged,
        [s for sy, s in summaries if sy == year and s.answered],
        trend,
        _trend_chart(f"trend-{principle.key}", principle, trend),
    )


def principle_map(language: str | None = None) -> PrincipleMap:
    """One entry per principle of the charter in force: pledges, this year's indicators and
    the trend of the share of yes across its yes/no indicators since the first cycle; the
    principles and the questions in `language` (default: the reader's)."""
    principles = queries.principles_in_force()
    pledged = queries.pledging_members()
    questions = queries.public_questions()
    counts = queries.answer_counts()
    year, years = _map_year(questions, counts)
    entries = [_entry(p, pledged.get(p.id, 0), questions, counts, year, years) for p in principles]
    shown = [i.question for e in entries for i in e.indicators]
    texts = _texts(language, shown, {p.version_id for p in principles})
    _picked(texts, shown)
    for e in entries:
        p = e.principle
        e.title = texts.principle_title(p.version_id, p.key, p.title)
    return PrincipleMap(year, years[0] if years else None, entries, texts)


def _trend_chart(chart_id: str, principle: PrincipleRow, trend) -> Markup | None:
    if not trend:
        return None
    text = "; ".join(f"{y}: {F.percent(v)}" for y, v in trend)
    return charts.trend_line(
        chart_id,
        trend,
        title=_("Principle %(n)s: share of yes answers by year", n=principle.number),
        desc=_("Share of yes answers to its yes/no indicators: %(points)s.", points=text),
        fmt=F.percent,
        y_max=1.0,
        width=320,
    )


def _wordings(rows: list[WordingRow], texts: PublicTexts, key: str) -> list[Wording]:
    """Each version's wording against the previous one, in the reader's language when every
    version's title and text are translated (a comparison never mixes languages), else in
    the source language."""
    probe = PublicTexts(texts.language, texts.source_language, texts.rows)
    shown = [
        (
            probe.principle_title(r.version_id, key, r.title),
            probe.principle_body(r.version_id, key, r.body_md),
        )
        for r in rows
    ]
    if texts.translating and probe.untranslated:
        texts.fallbacks |= probe.fallbacks  # the page says so
        shown = [(texts.source(r.title), texts.source(r.body_md)) for r in rows]
    found, previous = [], None
    for row, (title, body) in zip(rows, shown, strict=True):
        if previous is None:
            found.append(Wording(row, None, title=title, lang=title.lang))
        else:
            old = f"{previous[0].text}\n\n{readable_text(previous[1].text)}"
            new = f"{title.text}\n\n{readable_text(body.text)}"
            segments = word_diff(old, new)
            changed = any(s.op != "equal" for s in segments)
            found.append(Wording(row, segments, changed, title, title.lang))
        previous = (title, body)
    return found


def _lineages(questions: list[QuestionRow], counts, texts: PublicTexts) -> list[Lineage]:
    by_lineage: dict[str, Lineage] = {}
    for q in questions:  # by year, then questionnaire order
        summary = F.indicator(q.info, counts.get(q.id, [])) if q.type in SUMMARISED else None
        entry = by_lineage.get(q.lineage)
        if entry is None:
            entry = by_lineage[q.lineage] = Lineage(q.lineage, q.text, q.type, [])
        entry.text, entry.type = q.text, q.type
        entry.wording = texts.question(q.id, q.text)
        entry.years.append(YearSummary(q.year, q, summary))
    for entry in by_lineage.values():
        points = F.trend((y.year, y.summary) for y in entry.years if y.summary is not None)
        if len(points) > 1:
            is_share = entry.type == "yes_no"
            entry.chart = charts.trend_line(
                f"lineage-{entry.lineage}",
                points,
                title=_(
                    "%(question)s, by year",
                    question=entry.wording.text if entry.wording else entry.text,
                ),
                desc="; ".join(
                    f"{y}: {F.percent(v) if is_share else formats.number(v)}" for y, v in points
                ),
                fmt=F.percent if is_share else formats.number,
                y_max=1.0 if is_share else None,
                width=480,
            )
    return list(by_lineage.values())


def _answers(
    args: Mapping, years: list[int], principle_id: int, lineage: str | None = None
) -> AnswersPage:
    sectors = load_sectors()
    filters, errors = parse_answer_filters(args, sectors, years)
    total = queries.count_answers(filters, sectors, principle_id, lineage)
    pages = max(1, -(-total // PER_PAGE))
    if filters.page > pages:
        filters = AnswerFilters(**{**filters.__dict__, "page": pages})
    rows = queries.answers(
        filters,
        sectors,
        principle_id,
        lineage,
        limit=PER_PAGE,
        offset=(filters.page - 1) * PER_PAGE,
    )
    countries = _country_choices(tuple(queries.member_countries()), str(get_locale() or "en"))
    return AnswersPage(filters, errors, years, countries, sectors, total, pages, rows)


@functools.lru_cache(maxsize=64)
def _country_choices(codes: tuple[str, ...], language: str) -> tuple[tuple[str, str], ...]:
    """(code, name in `language`, the reader's) of the country filter, named once per set of
    countries and language: the same tuple each time, so the filter's options
    (`views.country_options`) are written once for it too."""
    return tuple((code, country_label(code, language)) for code in codes)


def principle_page(number: int, args: Mapping, language: str | None = None) -> PrinciplePage:
    """Principle `number` of the charter in force in depth (404 when there is none), its
    texts and questions in `language` (default: the reader's); the answers as written."""
    principle = queries.principle_in_force(number)
    questions = queries.public_questions(principle.id)
    counts = queries.answer_counts(principle.id)
    years = sorted({q.year for q in questions})
    rows = queries.wordings(principle.id)
    texts = _texts(language, questions, {principle.version_id} | {r.version_id for r in rows})
    _picked(texts, questions)
    return PrinciplePage(
        principle,
        _wordings(rows, texts, principle.key),
        _lineages(questions, counts, texts),
        _answers(args, years, principle.id),
        texts,
        texts.principle_title(principle.version_id, principle.key, principle.title),
        texts.principle_body(principle.version_id, principle.key, principle.body_md),
    )


def question_page(
    number: int, lineage: str, args: Mapping, language: str | None = None
) -> QuestionPage:
    """One public question of principle `number`, followed across the years by its lineage,
    in `language` (default: the reader's)."""
    principle = queries.principle_in_force(number)
    asked = (principle.id, lineage[:MAX_LINEAGE])
    questions = queries.public_questions(*asked) if len(lineage) <= MAX_LINEAGE else []
    if not questions:
        raise NotFound(
            _("Principle %(number)s has no such public question.", number=principle.number)
        )
    counts = queries.answer_counts(*asked)
    texts = _texts(language, questions, {principle.version_id})
    _picked(texts, questions)
    found = _lineages(questions, counts, texts)[0]
    return QuestionPage(
        principle,
        found,
        _answers(args, [y.year for y in found.years], principle.id, lineage[:MAX_LINEAGE]),
        texts,
        texts.principle_title(principle.version_id, principle.key, principle.title),
    )
