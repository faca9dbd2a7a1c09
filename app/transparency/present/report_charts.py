"""The annual report's charts: its figures drawn as SVG (`app.transparency.charts`), each
with a text alternative that says what the chart shows. Computed once per document."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core import formats
from app.core.labels import label
from app.core.templating import country_name
from app.transparency import charts
from app.transparency import figures as F

PLEDGE_STATUSES = ("achieved", "in_progress", "planned", "missed", "withdrawn")


def report_charts(membership, reporting, pledge_rows, principles, groups) -> dict[str, str]:
    """Every chart of the report by key: the membership, the reporting, the pledges and
    each indicator of `groups` (the principle groups with their indicators)."""
    out = membership_charts(membership)
    out["reporting"] = reporting_chart(reporting)
    out["pledges"] = pledges_chart(pledge_rows, {p.key: p.number for p in principles})
    for group in groups:
        for item in group["indicators"]:
            out.update(indicator_charts(item))
    return out


def membership_charts(m) -> dict[str, str]:
    categories = [(c, v) for c, v, _j, _d in m.by_category.rows if v]
    top_countries = [(c, v) for c, v, _j, _d in m.by_country.rows if v][:12]
    flows = [(c, j, d) for c, _v, j, d in m.by_category.rows if j or d]
    return {
        "categories": charts.bar_chart(
            "chart-categories",
            [(label("category", c), v) for c, v in categories],
            title=_("Members at year end by category"),
            desc=_(
                "Bar chart: %(text)s.",
                text=", ".join(f"{label('category', c)} {v}" for c, v in categories),
            ),
        ),
        "countries": charts.bar_chart(
            "chart-countries",
            [(country_name(c), v) for c, v in top_countries],
            title=_("Members at year end by country (largest %(n)s)", n=len(top_countries)),
            desc=_(
                "Bar chart: %(text)s.",
                text=", ".join(f"{country_name(c)} {v}" for c, v in top_countries),
            ),
        ),
        # Side by side, each labelled: a join and a departure added up mean nothing.
        "flows": charts.paired_bars(
            "chart-flows",
            [
                (
                    label("category", c),
                    [("achieved", _("Joins"), j), ("missed", _("Departures"), d)],
                )
                for c, j, d in flows
            ],
            title=_("Joins and departures during the year by category"),
            desc=_(
                "Bar chart of joins and departures by category: %(text)s.",
                text="; ".join(
                    f"{label('category', c)}: {j} joined, {d} left" for c, j, d in flows
                ),
            ),
        ),
    }


def reporting_chart(r) -> str:
    return charts.stacked_bars(
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
            "%(on)s reported on time, %(late)s late and %(missing)s not at all, out of %(total)s.",
            on=r.on_time,
            late=r.late,
            missing=r.missing,
            total=r.required,
        ),
    )


def _status_titles() -> dict[str, str]:
    return {
        "achieved": _("Achieved"),
        "in_progress": _("In progress"),
        "planned": _("Planned"),
        "missed": _("Missed"),
        "withdrawn": _("Withdrawn"),
    }


def pledges_chart(pledge_rows, numbers: dict[str, int]) -> str:
    """Pledges per principle (`numbers`: principle key -> its number) and status."""
    titles = _status_titles()
    rows = [
        (
            _("Principle %(n)s", n=numbers[row.principle])
            if numbers.get(row.principle)
            else row.principle,
            [(k, titles[k], row.by_status.get(k, 0)) for k in PLEDGE_STATUSES],
        )
        for row in pledge_rows[:-1]
        if row.made
    ]
    return charts.stacked_bars(
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


def indicator_charts(item: F.Indicator) -> dict[str, str]:
    """The chart of one indicator (by the type of its question) and its trend."""
    q = item.question
    key = f"q{q.id}"
    out = {}
    if item.answered == 0:
        return out
    if q.type == "yes_no":
        out[key] = _yes_no_chart(key, item)
    elif q.type in ("single_choice", "multiple_choice"):
        out[key] = _choice_chart(key, item)
    elif q.type == "number" and item.median is not None:
        out[key] = _number_chart(key, item)
    if len(item.trend) > 1:
        out[f"{key}-trend"] = _trend_chart(key, item)
    return out


def _yes_no_chart(key: str, item: F.Indicator) -> str:
    return charts.stacked_bars(
        f"chart-{key}",
        [(_("Answers"), [("on_time", _("Yes"), item.yes), ("missing", _("No"), item.no)])],
        title=item.question.text,
        percent=True,
        desc=_(
            "%(yes)s of %(n)s members answered yes (%(share)s).",
            yes=item.yes,
            n=item.answered,
            share=F.percent(item.share_yes),
        ),
    )


def _choice_chart(key: str, item: F.Indicator) -> str:
    return charts.bar_chart(
        f"chart-{key}",
        [(c, share * 100) for c, _n, share in item.distribution],
        title=item.question.text,
        max_value=100,
        fmt=lambda v: F.percent(v / 100),
        desc=_(
            "Share of the %(n)s members who answered, per choice: %(text)s.",
            n=item.answered,
            text=", ".join(f"{c} {F.percent(s)}" for c, _n, s in item.distribution),
        ),
    )


def _number_chart(key: str, item: F.Indicator) -> str:
    return charts.box_plot(
        f"chart-{key}",
        (item.minimum, item.q1, item.median, item.q3, item.maximum),
        title=item.question.text,
        unit=item.question.unit,
        desc=_(
            "Minimum %(min)s, first quartile %(q1)s, median %(med)s, third quartile "
            "%(q3)s, maximum %(max)s.",
            min=formats.number(item.minimum),
            q1=formats.number(item.q1),
            med=formats.number(item.median),
            q3=formats.number(item.q3),
            max=formats.number(item.maximum),
        ),
    )


def _trend_chart(key: str, item: F.Indicator) -> str:
    q = item.question
    is_share = q.type == "yes_no"
    fmt = F.percent if is_share else formats.number
    return charts.trend_line(
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
