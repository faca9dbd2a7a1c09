"""Percentages and dates in one style per language everywhere (issue 16): the transparency
figures and their charts' labels and text alternatives, the annual report's build page and
its status, the members' Atom feed and the security notice mail all go through Babel's data
(`app.core.formats`), never through a hand-written "%" or an ISO date."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

from flask import render_template
from flask_babel import force_locale

from app.core import formats
from app.transparency import charts
from app.transparency import figures as F
from app.transparency.present import report_charts
from tests.charter.builders import publish_charter
from tests.factories import make_org

NBSP = "\xa0"


def test_figures_percent_follows_the_language(app):
    with app.test_request_context("/"):
        assert F.percent(0.42) == "42%"
        assert F.percent(0.425, digits=1) == "42.5%"
        assert F.percent(None) == "–"
        with force_locale("fr"):
            assert F.percent(0.42) == f"42{NBSP}%"
            assert F.percent(0.425, digits=1) == f"42,5{NBSP}%"


def test_percent_charts_label_their_bars_in_the_languages_style(app):
    rows = [("Answers", [("on_time", "Yes", 3), ("missing", "No", 1)])]
    with app.test_request_context("/"), force_locale("fr"):
        svg = str(charts.stacked_bars("c", rows, title="T", desc="D", percent=True, width=900))
    assert f">75{NBSP}%<" in svg and "75%" not in svg


def _indicator(kind: str, **values):
    question = SimpleNamespace(text="Do you?", type=kind, unit=None)
    return SimpleNamespace(question=question, trend=[], **values)


def test_chart_text_alternatives_use_the_languages_percent(app):
    yes_no = _indicator("yes_no", yes=3, no=1, answered=4, share_yes=0.75)
    choice = _indicator("choice", answered=4, distribution=[("A", 3, 0.75), ("B", 1, 0.25)])
    with app.test_request_context("/"), force_locale("fr"):
        shown = report_charts._yes_no_chart("q1", yes_no)
        shown += report_charts._choice_chart("q2", choice)
        trend = _indicator("yes_no", yes=3, no=1, answered=4, share_yes=0.75)
        trend.trend = [(2024, 0.5), (2025, 0.75)]
        shown += report_charts._trend_chart("q3", trend)
    descriptions = " ".join(re.findall(r"<desc[^>]*>(.*?)</desc>", shown, re.S))
    assert f"75{NBSP}%" in descriptions and f"25{NBSP}%" in descriptions
    assert f"50{NBSP}%" in descriptions
    assert not re.search(r"\d%", shown), "a percentage without the French space"


def test_the_build_badge_and_bar_show_one_percentage_in_the_languages_style(app):
    job = SimpleNamespace(state="running", progress=80, is_active=True)
    with app.test_request_context("/"):
        badge = render_template("transparency/_job_state.html", job=job)
        assert "Running, 80%" in badge
        with force_locale("fr"):
            badge = render_template("transparency/_job_state.html", job=job)
    assert f"80{NBSP}%" in badge


def test_the_members_feed_writes_dates_as_pages_do(app, client, db):
    make_org(name="Quay Works", joined_on=dt.date(2026, 3, 31))
    db.session.commit()
    body = client.get("/members/feed.atom").get_data(as_text=True)
    assert "joined the alliance on March 31, 2026." in body
    assert "2026-03-31." not in body


def test_the_security_notice_writes_its_moment_as_pages_do(app):
    moment = dt.datetime(2026, 11, 30, 16, 40, tzinfo=dt.UTC)
    user = SimpleNamespace(display_name="Ada")
    with app.test_request_context("/"):
        text = render_template(
            "email/security_notice.txt",
            user=user,
            what="Two-step sign-in was turned off.",
            when=moment,
            account_url="https://x.example/account",
            alliance_name="Alliance",
        )
    assert "When: November 30, 2026, 4:40" in text and "2026-11-30" not in text


def test_the_directory_and_the_comparison_picker_write_dates_as_pages_do(
    app, client, db, secretariat
):
    make_org(name="Quay Works", joined_on=dt.date(2026, 3, 31))
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    publish_charter(secretariat, effective=dt.date(2025, 1, 1), summary="Second.")
    db.session.commit()
    directory = client.get("/members").get_data(as_text=True)
    assert "March 31, 2026" in directory and "Mar 31, 2026" not in directory
    picker = client.get("/charter/compare").get_data(as_text=True)
    assert "Version 1 (January 1, 2024)" in picker and "Jan 1, 2024" not in picker


def test_numbers_in_charts_and_their_text_alternatives_follow_the_language(app):
    stats = _indicator(
        "number", minimum=2, q1=10.5, median=1234.5, q3=2000, maximum=12345, answered=5
    )
    with app.test_request_context("/"):
        assert (formats.number(1234.5), formats.number(12.0), formats.number(0.12345)) == (
            "1,234.5",
            "12",
            "0.123",
        )
        english = report_charts._number_chart("q4", stats)
        with force_locale("fr"):
            assert formats.number(1234.5) == "1\u202f234,5"
            french = report_charts._number_chart("q4", stats)
    assert "median 1,234.5" in english and "maximum 12,345" in english
    assert "1\u202f234,5" in french and "12\u202f345" in french and "1234.5" not in french
