"""The secretariat's cycle pages and questionnaire builder, through HTTP."""

from __future__ import annotations

import datetime as dt
import re

from app import clock
from app.reporting import cycles
from app.reporting.models import Question, ReportingCycle, Section
from tests.reporting.builders_filling import build_cycle


def _login(client, login, secretariat, db):
    db.session.commit()
    login(client, secretariat)


def test_create_a_cycle_with_a_copied_questionnaire(client, login, post, secretariat, db):
    clock.freeze(dt.date(2026, 11, 2))
    old = build_cycle(secretariat, year=2026)
    _login(client, login, secretariat, db)
    page = client.get("/secretariat/cycles/new")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="2027"' in body
    assert "A copy of the 2026 questionnaire" in body
    response = post(
        client,
        "/secretariat/cycles/new",
        {
            "year": "2027",
            "title": "",
            "charter_version_id": "0",
            "opens_on": "2027-01-15",
            "due_on": "2027-03-31",
            "grace_days": "14",
            "categories": ["company", "academia"],
            "reminder_offsets": "30, 7, 1",
            "copy_from": str(old.id),
        },
        form_url="/secretariat/cycles/new",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/secretariat/cycles/2027"
    cycle = cycles.get_cycle(2027)
    assert cycle.title == "" and cycle.shown_title == "2027 reporting cycle"
    assert cycle.categories == ["company", "academia"]
    assert cycles.question_count(cycle) == cycles.question_count(old)
    page = client.get("/secretariat/cycles/2027").get_data(as_text=True)
    assert "Do you offer multi-factor authentication?" in page
    assert "Shown only when 1.1 is “Yes”" in page
    listing = client.get("/secretariat/cycles").get_data(as_text=True)
    assert "2027 reporting cycle" in listing


def test_bad_cycle_input_is_shown_next_to_the_field(client, login, post, secretariat, db):
    build_cycle(secretariat, year=2026, open_it=False)
    _login(client, login, secretariat, db)
    response = post(
        client,
        "/secretariat/cycles/new",
        {
            "year": "2026",
            "charter_version_id": "0",
            "opens_on": "2026-03-01",
            "due_on": "2026-01-01",
            "grace_days": "14",
            "categories": ["company"],
            "reminder_offsets": "30",
            "copy_from": "0",
        },
        form_url="/secretariat/cycles/new",
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="year-error"' in body and "already a cycle for 2026" in body
    response = post(
        client,
        "/secretariat/cycles/new",
        {
            "year": "2030",
            "charter_version_id": "0",
            "opens_on": "2030-03-01",
            "due_on": "2030-01-01",
            "grace_days": "-3",
            "categories": [],
            "reminder_offsets": "soon",
            "copy_from": "0",
        },
        form_url="/secretariat/cycles/new",
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="grace_days-error"' in body
    assert db.session.query(ReportingCycle).count() == 1
    for bad in ({"year": "twenty"}, {"opens_on": "31/12/2030"}):
        data = {
            "year": "2030",
            "charter_version_id": "0",
            "opens_on": "2030-01-01",
            "due_on": "2030-03-01",
            "grace_days": "14",
            "categories": ["company"],
            "reminder_offsets": "30",
            "copy_from": "0",
            **bad,
        }
        response = post(client, "/secretariat/cycles/new", data, form_url="/secretariat/cycles/new")
        assert response.status_code == 422


def test_build_a_questionnaire_without_javascript(client, login, post, secretariat, db):
    cycle = cycles.create_cycle(secretariat, 2026, "", dt.date(2026, 1, 10), dt.date(2026, 3, 31))
    _login(client, login, secretariat, db)
    base = "/secretariat/cycles/2026"
    assert (
        post(
            client,
            f"{base}/sections/new",
            {"title": "Security", "principle_id": "0"},
            form_url=f"{base}/sections/new",
        ).status_code
        == 302
    )
    section = db.session.query(Section).one()
    new_q = f"{base}/sections/{section.id}/questions/new"
    assert (
        post(
            client,
            new_q,
            {
                "text": "Do you run a bug bounty?",
                "type": "yes_no",
                "required": "y",
                "condition": "",
                "choices": "",
            },
            form_url=new_q,
        ).status_code
        == 302
    )
    first = db.session.query(Question).one()
    page = client.get(new_q).get_data(as_text=True)
    assert f'value="{first.id}:yes"' in page  # the condition can use the earlier question
    response = post(
        client,
        new_q,
        {
            "text": "What share of reports is fixed in 90 days?",
            "type": "number",
            "unit": "%",
            "min_value": "0",
            "max_value": "100",
            "condition": f"{first.id}:yes",
            "choices": "",
            "is_indicator": "y",
            "is_public": "y",
        },
        form_url=new_q,
    )
    assert response.status_code == 302
    second = db.session.query(Question).filter(Question.id != first.id).one()
    assert (second.unit, second.min_value, second.max_value) == ("%", 0, 100)
    assert second.condition_question_id == first.id and second.condition_value == "yes"
    assert second.is_indicator and second.is_public
    # Bad question input: the messages sit next to the fields, nothing is stored.
    response = post(
        client,
        new_q,
        {
            "text": "Pick",
            "type": "single_choice",
            "choices": "only",
            "condition": "",
            "min_value": "x",
        },
        form_url=new_q,
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="min_value-error"' in body
    response = post(
        client,
        new_q,
        {"text": "Pick", "type": "single_choice", "choices": "only", "condition": ""},
        form_url=new_q,
    )
    assert response.status_code == 422
    assert 'id="choices-error"' in response.get_data(as_text=True)
    response = post(
        client,
        new_q,
        {"text": "Pick", "type": "short_text", "condition": "999:yes"},
        form_url=new_q,
    )
    assert response.status_code == 422
    assert db.session.query(Question).count() == 2
    # Reorder without JavaScript: moving the follow-up above its controller is refused.
    move = f"{base}/questions/{second.id}/move"
    response = post(client, move, {"direction": "up"}, form_url=base)
    assert response.status_code == 422
    assert "depends on an answer" in response.get_data(as_text=True)
    response = post(
        client, f"{base}/questions/{first.id}/move", {"direction": "sideways"}, form_url=base
    )
    assert response.status_code == 400
    # Edit, then delete.
    edit = f"{base}/questions/{second.id}"
    assert 'value="0"' in client.get(edit).get_data(as_text=True)
    assert (
        post(
            client,
            edit,
            {
                "text": "Share fixed in 90 days?",
                "type": "number",
                "condition": "",
                "min_value": "0",
                "max_value": "100",
            },
            form_url=edit,
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Question, second.id).condition_question_id is None
    assert post(client, f"{base}/questions/{second.id}/delete", form_url=base).status_code == 302
    assert db.session.query(Question).count() == 1
    assert cycle.status == "draft"


def test_open_freezes_and_every_route_refuses_edits(client, login, post, secretariat, db):
    cycle = build_cycle(secretariat, year=2026, open_it=False)
    section = cycle.sections[0]
    question = cycle.q["approach"]
    _login(client, login, secretariat, db)
    base = "/secretariat/cycles/2026"
    assert post(client, f"{base}/open", form_url=base).status_code == 302
    assert cycles.get_cycle(2026).status == "open"
    page = client.get(base).get_data(as_text=True)
    assert "The questionnaire is frozen" in page and "Add a section" not in page
    refused = [
        (f"{base}/sections/new", {"title": "x", "principle_id": "0"}),
        (f"{base}/sections/{section.id}", {"title": "x", "principle_id": "0"}),
        (f"{base}/sections/{section.id}/move", {"direction": "down"}),
        (f"{base}/sections/{section.id}/delete", {}),
        (f"{base}/sections/{section.id}/questions/new", {"text": "x", "type": "yes_no"}),
        (f"{base}/questions/{question.id}", {"text": "x", "type": "yes_no"}),
        (f"{base}/questions/{question.id}/move", {"direction": "up"}),
        (f"{base}/questions/{question.id}/delete", {}),
        (f"{base}/principle-sections", {}),
        (f"{base}/open", {}),
    ]
    for url, data in refused:
        response = post(client, url, data, form_url="/secretariat/cycles")
        assert response.status_code == 409, url
    for url in (
        f"{base}/sections/new",
        f"{base}/sections/{section.id}",
        f"{base}/questions/{question.id}",
    ):
        assert client.get(url).status_code == 409
    db.session.expire_all()
    assert db.session.get(Question, question.id).text == "Describe how you protect users."
    assert post(client, f"{base}/close", form_url=base).status_code == 302
    assert cycles.get_cycle(2026).status == "closed"


def test_preview_as_a_representative(client, login, secretariat, db):
    build_cycle(secretariat, year=2026, open_it=False)
    _login(client, login, secretariat, db)
    page = client.get("/secretariat/cycles/2026/preview?section=1")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Do you offer multi-factor authentication?" in body
    assert "Only needed when the answer to question 1.1 is “Yes”" in body
    assert re.search(r'<input type="radio"[^>]*name="q-\d+" value="yes"', body)
    assert client.get("/secretariat/cycles/2026/preview?section=9").status_code == 404


def test_dashboard_panel_shows_progress(client, login, secretariat, rep_a, db):
    build_cycle(secretariat, year=2026)
    _login(client, login, secretariat, db)
    body = client.get("/dashboard").get_data(as_text=True)
    assert "2026 reporting cycle" in body and "must report" in body


def test_new_cycles_start_from_the_configured_reminder_days(
    app, client, login, secretariat, db, monkeypatch
):
    monkeypatch.setitem(app.config, "REMINDER_OFFSETS", [14, 3])
    _login(client, login, secretariat, db)
    body = client.get("/secretariat/cycles/new").get_data(as_text=True)
    assert re.search(r'name="reminder_offsets"[^>]*value="14, 3"', body)
    cycle = cycles.create_cycle(
        secretariat, 2031, "", dt.date(2031, 1, 15), dt.date(2031, 3, 31), categories=["company"]
    )
    assert cycle.reminder_offsets == [14, 3]


def test_the_cycle_page_lists_the_first_organisations_and_sends_to_the_queue(
    client, login, secretariat, db
):
    from tests.factories import make_org

    clock.freeze(dt.date(2026, 2, 1))
    build_cycle(secretariat, year=2026)
    for n in range(cycles_page_rows() + 5):
        make_org(f"Member {n:03d}", category="company")
    _login(client, login, secretariat, db)
    body = client.get("/secretariat/cycles/2026").get_data(as_text=True)
    shown = re.findall(r">Member (\d{3})</a>", body)
    assert shown == [f"{n:03d}" for n in range(cycles_page_rows())]
    assert f"The first {cycles_page_rows()} of the {cycles_page_rows() + 5} organisations" in body
    assert 'href="/secretariat/review?year=2026"' in body


def cycles_page_rows() -> int:
    from app.reporting.cycles import CYCLE_PAGE_ROWS

    return CYCLE_PAGE_ROWS
