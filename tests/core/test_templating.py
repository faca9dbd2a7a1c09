"""The template helpers that keep page rendering cheap: gettext looked up once per request
(but still following `force_locale`) and `url_for` remembering the URLs it built (but never
across mounting points, and never for arguments it cannot compare)."""

from __future__ import annotations

import datetime as dt

from flask import render_template_string, url_for
from flask_babel import force_locale, format_date, gettext
from markupsafe import escape

from tests.core.test_i18n import compiled_catalog  # noqa: F401 (fixture: the French catalog)


def test_template_strings_follow_the_request_language_and_force_locale(app):
    template = "{{ _('Page not found') }}|{{ ngettext('%(count)s member', '%(count)s members', 3, count=3) }}"
    # A fresh application context each time: the test app keeps one across requests.
    with app.app_context(), app.test_request_context("/?lang=fr"):
        assert render_template_string(template) == "Page introuvable|3 membres"
        with force_locale("en"):
            assert render_template_string(template) == "Page not found|3 members"
        assert render_template_string(template) == "Page introuvable|3 membres"
    with app.app_context(), app.test_request_context("/"):
        assert render_template_string(template) == "Page not found|3 members"
        with force_locale("fr"):
            assert render_template_string(template) == "Page introuvable|3 membres"


def test_template_gettext_escapes_and_formats_as_jinja_does(app):
    """`_()` in templates is remembered per catalog (strings without variables), and still
    does what Jinja's new-style gettext does: the catalog's text is trusted, variables are
    escaped, `%%` becomes `%`, and outside autoescape the result is a plain string."""
    alliance = (
        "%(name)s is a voluntary alliance of organisations that commit in public to a "
        "shared charter and report on it every year."
    )
    with app.app_context(), app.test_request_context("/"):
        for _twice in range(2):
            assert render_template_string("{{ _('100%% sure') }}") == "100% sure"
            assert render_template_string("{{ _('<b>') }}") == "<b>"
            assert (
                render_template_string(
                    "{% autoescape false %}{{ _('<b>') ~ ('<i>' | e) }}{% endautoescape %}"
                )
                == "<b>&lt;i&gt;"
            )
            assert render_template_string("{{ _(s, name='<b>A&B</b>') }}", s=alliance).startswith(
                "&lt;b&gt;A&amp;B&lt;/b&gt; is a voluntary alliance"
            )
    with app.app_context(), app.test_request_context("/?lang=fr"):
        assert render_template_string("{{ _(s, name='<b>A&B</b>') }}", s=alliance).startswith(
            "&lt;b&gt;A&amp;B&lt;/b&gt; est une alliance"
        )


def test_french_pages_come_out_in_french_after_english_ones(client):
    """One process serves both languages one request after the other."""
    assert "Skip to main content" in client.get("/charter").get_data(True)
    assert "Aller au contenu principal" in client.get(
        "/charter", headers={"Accept-Language": "fr"}
    ).get_data(True)
    assert "Skip to main content" in client.get("/charter").get_data(True)


def test_urls_match_flask_url_for(app):
    template = (
        "{{ url_for('members.directory') }}|{{ url_for('members.directory', page=2) }}|"
        "{{ url_for('members.profile', slug='acme') }}|"
        "{{ url_for('static', filename='css/site.css') }}|"
        "{{ url_for('members.directory', country=['FR', 'DE']) }}|"
        "{{ url_for('members.directory', _anchor='results') }}|"
        "{{ url_for('members.directory', _external=True) }}"
    )
    with app.test_request_context("/members"):
        expected = "|".join(
            escape(url)
            for url in [  # Flask's own, escaped as in a template
                url_for("members.directory"),
                url_for("members.directory", page=2),
                url_for("members.profile", slug="acme"),
                url_for("static", filename="css/site.css"),
                url_for("members.directory", country=["FR", "DE"]),
                url_for("members.directory", _anchor="results"),
                url_for("members.directory", _external=True),
            ]
        )
        assert render_template_string(template) == expected
        assert render_template_string(template) == expected  # remembered ones too
    assert "country=FR&amp;country=DE" in expected and "#results" in expected
    assert expected.endswith("http://localhost/members")


def test_a_url_remembered_under_one_mount_point_is_not_reused_under_another(app):
    template = "{{ url_for('members.directory') }}"
    with app.test_request_context("/members"):
        assert render_template_string(template) == "/members"
    with app.test_request_context("/members", base_url="http://localhost/alliance"):
        assert render_template_string(template) == "/alliance/members"
    with app.test_request_context("/members"):
        assert render_template_string(template) == "/members"


def test_short_times_are_remembered_per_minute_language_and_zone(app):
    import datetime as dt

    from app.core.templating import short_time

    moment = dt.datetime(2026, 11, 27, 14, 5, 59, tzinfo=dt.UTC)
    with app.app_context(), app.test_request_context("/"):
        assert short_time(moment) == "2:05\u202fPM"
        assert short_time(moment.replace(second=1)) == "2:05\u202fPM"
        assert short_time(moment.replace(minute=6)) == "2:06\u202fPM"
    with app.app_context(), app.test_request_context("/?lang=fr"):
        assert short_time(moment) == "14:05"


# One style per language for dates and percentages (issue 16) ------------------------------


def test_date_fields_take_and_show_the_locales_numeric_date(app):
    import datetime as dt

    from app.core import formats

    day = dt.date(2026, 3, 31)
    assert formats.numeric_date_pattern("en") == "MM/dd/yyyy"
    assert formats.numeric_date_pattern("fr") == "dd/MM/yyyy"
    assert formats.numeric_date_pattern("de") == "dd.MM.yyyy"
    assert formats.format_numeric_date(day, "en") == "03/31/2026"
    assert formats.format_numeric_date(day, "fr") == "31/03/2026"
    for text, locale in (
        ("03/31/2026", "en"),
        ("3/31/2026", "en"),
        ("31/03/2026", "fr"),
        ("31.3.2026", "fr"),
        ("31.03.2026", "de"),
        ("2026-03-31", "en"),
        ("2026-03-31", "fr"),
    ):
        assert formats.parse_numeric_date(text, locale) == day, (text, locale)
    for text, locale, reason in (
        ("31/03/2026", "en", "format"),
        ("03/31/26", "en", "format"),
        ("31 March 2026", "en", "format"),
        ("31/04/2026", "fr", "day"),
        ("", "fr", "format"),
    ):
        try:
            formats.parse_numeric_date(text, locale)
        except ValueError as error:
            assert str(error) == reason, (text, locale)
        else:
            raise AssertionError((text, locale))


def test_the_date_hint_and_the_stored_date_agree_in_every_language(app, compiled_catalog):  # noqa: F811
    from flask_babel import force_locale

    from app.reporting import answers
    from app.reporting.models import Question, QuestionType

    question = Question(type=QuestionType.DATE, text="When?")
    template = "{{ _('A date as %(order)s, for example %(date)s.', order=date_order_label(), date=date_example()) }}"
    with app.test_request_context("/"):
        for locale, typed, hint in (
            ("en", "03/31/2026", "month/day/year, for example 03/31/2026"),
            ("fr", "31/03/2026", "31/03/2026"),
        ):
            with force_locale(locale):
                assert hint in render_template_string(template)
                assert answers.parse(question, typed) == "2026-03-31"
                assert answers.form_value(question, "2026-03-31") == typed


def test_percentages_in_one_style_per_language(app):
    from flask_babel import force_locale

    from app.core import formats

    with app.test_request_context("/"):
        assert render_template_string("{{ 0.42|percent }}") == "42%"
        assert formats.percent(0.425, digits=1) == "42.5%"
        with force_locale("fr"):
            assert render_template_string("{{ 0.42|percent }}") == "42\xa0%"


def test_dates_in_one_style_per_language_whatever_a_template_asks(app):
    import datetime as dt

    from flask_babel import force_locale

    day = dt.date(2026, 12, 23)
    moment = dt.datetime(2026, 11, 30, 16, 40, tzinfo=dt.UTC)
    template = (
        "{{ d|date('short') }}|{{ d|date('medium') }}|{{ d|date }}|"
        "{{ m|datetime('short') }}|{{ m|datetime('long') }}"
    )
    with app.test_request_context("/"):
        shown = render_template_string(template, d=day, m=moment).split("|")
        assert shown[:3] == ["December 23, 2026"] * 3
        assert shown[3] == shown[4]
        assert shown[3].startswith("November 30, 2026, ") and shown[3].endswith("PM")
        with force_locale("fr"):
            shown = render_template_string(template, d=day, m=moment).split("|")
            assert shown[:3] == ["23 décembre 2026"] * 3
            assert shown[3] == shown[4] and shown[3].startswith("30 novembre 2026")


# Remembered per locale for the dashboard (issue 20): dates, labels and cycle titles ------------


def test_remembered_dates_labels_and_titles_follow_the_language(app, compiled_catalog):  # noqa: F811
    """`date`, `label` and `cycle_title` remember what they rendered per locale: the same
    values in French after English (and back, and under `force_locale`), never the other
    language's words."""
    from app.core.labels import label
    from app.reporting.titles import CYCLE_TITLE

    class Cycle:
        year, title = 2025, ""

    template = "{{ d|date }}|{{ 'draft'|label('report_state') }}|{{ c|cycle_title }}"
    day = dt.date(2026, 3, 31)
    shown = {}
    for lang in ("en", "fr", "en", "fr"):
        with app.app_context(), app.test_request_context(f"/?lang={lang}"):
            text = render_template_string(template, d=day, c=Cycle)
            assert text == "|".join(
                (
                    format_date(day, "long"),
                    label("report_state", "draft"),
                    gettext(CYCLE_TITLE, year=2025),
                )
            )
            shown.setdefault(lang, text)
            assert shown[lang] == text
            other = "fr" if lang == "en" else "en"
            with force_locale(other):
                forced = render_template_string(template, d=day, c=Cycle)
            assert forced != text
            assert render_template_string(template, d=day, c=Cycle) == text
    assert shown["en"].startswith("March 31, 2026|")
    assert shown["fr"].startswith("31 mars 2026|")


def test_read_flushes_pending_changes_first_as_session_execute_does(app, make_org):
    """`app.db.read` runs past the ORM's execution layer but still sees what the request
    changed and did not flush yet (unless autoflush is off, as with `session.execute`)."""
    from sqlalchemy import select

    from app.db import db, read
    from app.members.models import Organisation

    org = make_org(name="Before")
    db.session.flush()
    statement = select(Organisation.name).where(Organisation.id == org.id)
    org.name = "After"
    with db.session.no_autoflush:
        assert read(statement).scalar() == "Before"
    assert read(statement).scalar() == "After"
    assert read(statement).all() == db.session.execute(statement).all()


def test_dict_keys_read_as_attributes_as_jinja_reads_them(app):
    """`panel.key` of a plain dict is read straight from the dict, with Jinja's results:
    a missing key is undefined, a dict method's name is the method, other mappings and
    objects go Jinja's way."""

    class Thing:
        a = "attribute"

    template = (
        "{{ d.a }}|{{ d.missing is defined }}|{{ d.items is callable }}|{{ d.get('a') }}"
        "|{{ t.a }}|{{ t.missing is defined }}|{{ n.a }}"
    )
    with app.app_context(), app.test_request_context("/"):
        assert (
            render_template_string(template, d={"a": "<1>", "items": 5}, t=Thing(), n={"a": {}})
            == "&lt;1&gt;|False|True|&lt;1&gt;|attribute|False|{}"
        )
