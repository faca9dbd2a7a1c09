"""The secretariat's date fields take the date as the page's language writes it, and their
hint names that format (issue 16), as the report's date questions do: the cycle's opening and
due dates, the charter's effective date, an extension's new date, the audit filters
(`app.core.forms.LocalDateField`)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import Form

from app import clock
from app.core.forms import LocalDateField
from app.reporting.models import ReportingCycle
from tests.core.test_i18n import compiled_catalog  # noqa: F401 (fixture: the French catalog)

FIELDS = {
    "year": "2027",
    "title": "2027 reporting cycle",
    "charter_version_id": "0",
    "grace_days": "14",
    "categories": ["company"],
    "reminder_offsets": "30, 7, 1",
    "copy_from": "0",
}


@pytest.fixture
def sec(client, login, secretariat, db):
    clock.freeze(dt.date(2026, 11, 2))
    db.session.commit()
    login(client, secretariat)
    return client


def _hint(body: str, field: str) -> str:
    found = re.search(rf'<p class="hint" id="{field}-hint">([^<]*)</p>', body)
    assert found, field
    return found.group(1)


def _input(body: str, field: str) -> str:
    found = re.search(rf'<input[^>]*id="{field}"[^>]*>', body)
    assert found, field
    return found.group(0)


def test_the_cycle_forms_date_hint_names_the_format_it_takes(sec, post, db):
    body = sec.get("/secretariat/cycles/new").get_data(as_text=True)
    for name in ("opens_on", "due_on"):
        assert 'type="text"' in _input(body, name) and 'inputmode="numeric"' in _input(body, name)
        assert _hint(body, name) == "A date as month/day/year, for example 03/31/2026."
    response = post(
        sec, "/secretariat/cycles/new", {**FIELDS, "opens_on": "01/10/2027", "due_on": "03/31/2027"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    cycle = db.session.query(ReportingCycle).filter_by(year=2027).one()
    assert (cycle.opens_on, cycle.due_on) == (dt.date(2027, 1, 10), dt.date(2027, 3, 31))


def test_in_french_the_hint_and_the_field_are_french(sec, post, db, compiled_catalog):  # noqa: F811
    body = sec.get("/secretariat/cycles/new?lang=fr").get_data(as_text=True)
    assert "31/03/2026" in _hint(body, "due_on")
    response = post(
        sec, "/secretariat/cycles/new", {**FIELDS, "opens_on": "10/01/2027", "due_on": "31/03/2027"}
    )
    assert response.status_code == 302
    cycle = db.session.query(ReportingCycle).filter_by(year=2027).one()
    assert (cycle.opens_on, cycle.due_on) == (dt.date(2027, 1, 10), dt.date(2027, 3, 31))
    settings = sec.get("/secretariat/cycles/2027/settings").get_data(as_text=True)
    assert 'value="31/03/2027"' in _input(settings, "due_on")


def test_a_date_the_field_cannot_read_is_named_next_to_it(sec, post, db):
    response = post(
        sec, "/secretariat/cycles/new", {**FIELDS, "opens_on": "31/01/2027", "due_on": "04/31/2027"}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Enter a date as month/day/year, for example 03/31/2026." in body
    assert "This date does not exist. Check the day and the month." in body
    assert db.session.query(ReportingCycle).filter_by(year=2027).count() == 0


class DateOnly(Form):
    """A bare form holding one LocalDateField (no CSRF)."""

    day = LocalDateField("Day")


def _field(app, raw: str | None, locale: str = "en"):
    with app.test_request_context("/"), force_locale(locale):
        form = DateOnly(MultiDict({"day": raw}) if raw is not None else None)
        form.validate()
        return form.day.data, form.day.errors, form.day._value()


def test_the_field_takes_the_locales_date_and_iso(app, compiled_catalog):  # noqa: F811
    assert _field(app, "03/31/2026")[:2] == (dt.date(2026, 3, 31), [])
    assert _field(app, "2026-03-31")[:2] == (dt.date(2026, 3, 31), [])
    assert _field(app, "31/03/2026", "fr")[:2] == (dt.date(2026, 3, 31), [])
    assert _field(app, "")[:2] == (None, [])
    data, errors, shown = _field(app, "31/03/2026")
    assert data is None and errors and shown == "31/03/2026"  # what was typed stays
