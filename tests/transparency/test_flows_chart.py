"""The "joins and departures" chart (issue 16) labels each count on its own bar: their sum,
which a stacked bar printed, means nothing."""

from __future__ import annotations

import re
from types import SimpleNamespace

from app.transparency.present.report_charts import membership_charts


def _svg_texts(svg: str) -> list[str]:
    return re.findall(r"<text [^>]*>([^<]*)</text>", svg)


def test_joins_and_departures_are_labelled_each_never_summed(app):
    rows = [("company", 40, 7, 3), ("civil_society", 12, 2, 0), ("academia", 5, 0, 4)]
    membership = SimpleNamespace(
        by_category=SimpleNamespace(rows=rows), by_country=SimpleNamespace(rows=[])
    )
    with app.test_request_context():
        svg = str(membership_charts(membership)["flows"])
    texts = _svg_texts(svg)
    assert texts[:3] == ["Company", "7", "3"]
    assert texts[3:6] == ["Civil society", "2", "0"]
    assert texts[6:9] == ["Academia", "0", "4"]
    assert "10" not in texts and "4" in texts  # 7 + 3 is printed nowhere
    assert texts[-2:] == ["Joins", "Departures"]  # the legend
    # Two bars a row, each as long as its own count on one scale.
    widths = [
        float(w) for w in re.findall(r'<rect x="190" y="[\d.]+" width="([\d.]+)" height="11"', svg)
    ]
    assert len(widths) == 6
    assert (
        widths[0] == max(widths)
        and abs(widths[2] - 2 / 7 * widths[0]) < 0.1
        and widths[1] > widths[3]
    )
    assert "Company: 7 joined, 3 left" in svg
