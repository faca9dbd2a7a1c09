"""Charts as SVG drawn on the server: crisp in print, no JavaScript, accessible.

Each chart is an inline `<svg role="img">` with a `<title>` and a `<desc>` that says what it
shows in words (WeasyPrint uses the title as the PDF figure's alternate text); the
templates put a data table next to every chart. Colours have at least 3:1 contrast on
white and every series is also named in text, so colour is never the only cue. Styling
uses presentation attributes only (the Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

from app.core import formats

INK = "#1b2631"
MUTED = "#4f5d6b"
GRID = "#d5dde5"
FONT = "Source Sans 3, Segoe UI, Roboto, sans-serif"
SERIES = ("#0b4f6c", "#2f7d4f", "#a8620a", "#a12622", "#5c6b7a", "#6b4c9a", "#1f7a8c")
STATUS_COLOURS = {
    "achieved": "#2f7d4f",
    "in_progress": "#0b4f6c",
    "planned": "#5c6b7a",
    "missed": "#a12622",
    "withdrawn": "#a8620a",
    "on_time": "#2f7d4f",
    "late": "#a8620a",
    "missing": "#a12622",
}


def _e(text) -> str:
    return escape(str(text), quote=True)


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{_e(chart_id)}-title {_e(chart_id)}-desc" font-family="{FONT}" '
        f'font-size="12" class="chart-svg">',
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>',
        f'<desc id="{_e(chart_id)}-desc">{_e(desc)}</desc>',
    ]


def _text(x, y, text, anchor="start", size=12, fill=INK, weight=None) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{w}>{_e(text)}</text>'
    )


def _truncate(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def bar_chart(
    chart_id: str,
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str,
    fmt: Callable[[float], str] = formats.number,
    max_value: float | None = None,
    width: int = 640,
    label_width: int = 190,
    colour: str = SERIES[0],
) -> Markup:
    """Horizontal bars, one per row, with the value printed after each bar."""
    bar, gap, top = 18, 8, 6
    height = top + len(rows) * (bar + gap) + 4
    scale_max = max_value if max_value else max([v for _, v in rows] + [0]) or 1
    plot = width - label_width - 70
    out = _open(chart_id, width, max(height, 30), title, desc)
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar + gap)
        length = max(0.0, plot * (value / scale_max)) if scale_max else 0
        out.append(_text(label_width - 8, y + bar - 5, _truncate(str(label), 32), "end"))
        out.append(
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" '
            f'fill="{colour}" rx="2"/>'
        )
        out.append(_text(label_width + length + 6, y + bar - 5, fmt(value), fill=INK, weight="600"))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every value is escaped by _e)


def paired_bars(
    chart_id: str,
    rows: Sequence[tuple[str, Sequence[tuple[str, str, float]]]],
    *,
    title: str,
    desc: str,
    width: int = 640,
    label_width: int = 190,
) -> Markup:
    """Horizontal bars side by side: rows of (label, [(series key, series label, value)]),
    one bar per series on a shared scale, each with its own value after it. For counts
    that mean nothing added up (joins and departures), which stacked bars would total."""
    bar, inner, gap, top = 11, 2, 9, 6
    series: dict[str, str] = {}
    for _, segments in rows:
        for key, label, _ in segments:
            series.setdefault(key, label)
    colours = {
        key: STATUS_COLOURS.get(key, SERIES[i % len(SERIES)]) for i, key in enumerate(series)
    }
    scale = max([v for _, segments in rows for _, _, v in segments] + [0]) or 1
    plot = width - label_width - 50
    block = len(series) * (bar + inner) - inner
    legend_rows = 1 + (len(series) - 1) // 4 if series else 0
    height = top + len(rows) * (block + gap) + 10 + legend_rows * 20
    out = _open(chart_id, width, height, title, desc)
    for i, (label, segments) in enumerate(rows):
        y = top + i * (block + gap)
        out.append(_text(label_width - 8, y + block / 2 + 4, _truncate(str(label), 32), "end"))
        for j, (key, _series_label, value) in enumerate(segments):
            yy = y + j * (bar + inner)
            length = plot * (value / scale)
            out.append(
                f'<rect x="{label_width}" y="{yy}" width="{length:.1f}" height="{bar}" '
                f'fill="{colours[key]}" rx="1.5"/>'
            )
            out.append(
                _text(label_width + length + 5, yy + bar - 2, f"{value:g}", size=10, weight="600")
            )
    ly = top + len(rows) * (block + gap) + 10
    for j, (key, label) in enumerate(series.items()):
        lx = label_width + (j % 4) * 115
        yy = ly + (j // 4) * 20
        out.append(f'<rect x="{lx}" y="{yy}" width="12" height="12" fill="{colours[key]}"/>')
        out.append(_text(lx + 17, yy + 11, _truncate(label, 18), size=11, fill=MUTED))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every value is escaped by _e)


def stacked_bars(
    chart_id: str,
    rows: Sequence[tuple[str, Sequence[tuple[str, str, float]]]],
    *,
    title: str,
    desc: str,
    width: int = 640,
    label_width: int = 190,
    percent: bool = False,
) -> Markup:
    """Horizontal stacked bars: rows of (label, [(series key, series label, value)]).

    With `percent`, each row fills the width (shares); otherwise bars share one scale.
    A legend names every series.
    """
    bar, gap, top = 18, 8, 6
    series: dict[str, str] = {}
    for _, segments in rows:
        for key, label, _ in segments:
            series.setdefault(key, label)
    colours = {
        key: STATUS_COLOURS.get(key, SERIES[i % len(SERIES)]) for i, key in enumerate(series)
    }
    totals = [sum(v for _, _, v in segments) for _, segments in rows]
    scale = max(totals + [0]) or 1
    plot = width - label_width - 50
    legend_rows = 1 + (len(series) - 1) // 4 if series else 0
    height = top + len(rows) * (bar + gap) + 10 + legend_rows * 20
    out = _open(chart_id, width, height, title, desc)
    for i, ((label, segments), total) in enumerate(zip(rows, totals, strict=True)):
        y = top + i * (bar + gap)
        out.append(_text(label_width - 8, y + bar - 5, _truncate(str(label), 32), "end"))
        x = float(label_width)
        denominator = (total or 1) if percent else scale
        for key, _series_label, value in segments:
            length = plot * (value / denominator) if denominator else 0
            if length > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{bar}" '
                    f'fill="{colours[key]}" stroke="#ffffff" stroke-width="1"/>'
                )
                if length > 26:
                    shown = (
                        formats.percent(value / total)
                        if percent and total
                        else formats.number(value)
                    )
                    out.append(
                        _text(x + length / 2, y + bar - 5, shown, "middle", 11, "#ffffff", "600")
                    )
            x += length
        if not percent:
            out.append(_text(x + 6, y + bar - 5, formats.number(total), fill=INK, weight="600"))
    ly = top + len(rows) * (bar + gap) + 10
    for j, (key, label) in enumerate(series.items()):
        lx = label_width + (j % 4) * 115
        yy = ly + (j // 4) * 20
        out.append(f'<rect x="{lx}" y="{yy}" width="12" height="12" fill="{colours[key]}"/>')
        out.append(_text(lx + 17, yy + 11, _truncate(label, 18), size=11, fill=MUTED))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every value is escaped by _e)


def box_plot(
    chart_id: str,
    stats: tuple[float, float, float, float, float],
    *,
    title: str,
    desc: str,
    unit: str = "",
    width: int = 640,
) -> Markup:
    """One box plot: minimum, first quartile, median, third quartile, maximum."""
    low, q1, median, q3, high = stats
    left, right, mid = 30, width - 30, 34
    span = (high - low) or 1

    def x(value: float) -> float:
        return left + (right - left) * (value - low) / span

    def label(value: float) -> str:
        return formats.number(value) + ("" if not unit else unit if unit == "%" else f" {unit}")

    out = _open(chart_id, width, 86, title, desc)
    out.append(
        f'<line x1="{x(low):.1f}" y1="{mid}" x2="{x(q1):.1f}" y2="{mid}" stroke="{MUTED}" stroke-width="1.5"/>'
    )
    out.append(
        f'<line x1="{x(q3):.1f}" y1="{mid}" x2="{x(high):.1f}" y2="{mid}" stroke="{MUTED}" stroke-width="1.5"/>'
    )
    for v in (low, high):
        out.append(
            f'<line x1="{x(v):.1f}" y1="{mid - 9}" x2="{x(v):.1f}" y2="{mid + 9}" stroke="{MUTED}" stroke-width="1.5"/>'
        )
    out.append(
        f'<rect x="{x(q1):.1f}" y="{mid - 14}" width="{max(x(q3) - x(q1), 1):.1f}" height="28" '
        f'fill="#e8f1f8" stroke="{SERIES[0]}" stroke-width="1.5"/>'
    )
    out.append(
        f'<line x1="{x(median):.1f}" y1="{mid - 14}" x2="{x(median):.1f}" y2="{mid + 14}" '
        f'stroke="{SERIES[0]}" stroke-width="3"/>'
    )
    out.append(_text(x(low), 66, label(low), "start", 11, MUTED))
    out.append(_text(x(high), 66, label(high), "end", 11, MUTED))
    out.append(_text(x(median), 82, label(median), "middle", 11, INK, "600"))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every value is escaped by _e)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is at least `value` (a readable axis top)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def trend_line(
    chart_id: str,
    points: Sequence[tuple[int, float]],
    *,
    title: str,
    desc: str,
    fmt: Callable[[float], str] = formats.number,
    y_max: float | None = None,
    width: int = 640,
) -> Markup:
    """A line through (year, value) points, each labelled with its value."""
    height, left, right, top, bottom = 150, 60, width - 40, 22, 120
    years = [p[0] for p in points]
    values = [p[1] for p in points]
    top_value = y_max if y_max is not None else nice_ceiling(max(values + [0]) * 1.1)
    first, last = (min(years), max(years)) if years else (0, 1)
    span = (last - first) or 1

    def x(year: int) -> float:
        inner_left, inner_right = left + 24, right - 24
        if len(points) == 1:
            return (inner_left + inner_right) / 2
        return inner_left + (inner_right - inner_left) * (year - first) / span

    def y(value: float) -> float:
        return bottom - (bottom - top) * (value / top_value if top_value else 0)

    out = _open(chart_id, width, height, title, desc)
    for fraction in (0, 0.5, 1):
        yy = y(top_value * fraction)
        out.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{right}" y2="{yy:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(_text(left - 8, yy + 4, fmt(top_value * fraction), "end", 10, MUTED))
    if len(points) > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x(yr):.1f},{y(v):.1f}" for i, (yr, v) in enumerate(points)
        )
        out.append(f'<path d="{path}" fill="none" stroke="{SERIES[0]}" stroke-width="2.5"/>')
    for yr, v in points:
        out.append(f'<circle cx="{x(yr):.1f}" cy="{y(v):.1f}" r="4" fill="{SERIES[0]}"/>')
        out.append(_text(x(yr), y(v) - 9, fmt(v), "middle", 11, INK, "600"))
        out.append(_text(x(yr), bottom + 18, yr, "middle", 11, MUTED))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every value is escaped by _e)
