"""Answers keep the language they were written in (the representative's interface language at
the save), through submission, so pages mark them with `lang`; text people wrote carries
`dir="auto"` (issue 18)."""

# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

from sqlalchemy import select

from app.db import db
from app.reporting import filling
from app.reporting.models import Answer, SubmittedAnswer
from tests.conftest import csrf_token, login_as
from tests.reporting.builders_filling import (  # noqa: F401  (fixtures)
    cycle,
    fill_and_submit,
    raw,
    world,
)


def _languages(report) -> dict[int, str | None]:
    rows = select(Answer.question_id, Answer.language).where(Answer.report_id == report.id)
    return dict(db.session.execute(rows).all())


def test_a_save_keeps_the_language_it_was_written_in(world):
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, {c.q["contact"].id: "Ada"}, 0, language="fr")
    filling.save_answers(world.rep_a, report, {c.q["mfa"].id: "yes"}, 1, language="de")
    langs = _languages(report)
    assert langs[c.q["contact"].id] == "fr" and langs[c.q["mfa"].id] == "de"
    # Not one of the alliance's languages, or none given: the current one (outside a
    # request, the source language).
    filling.save_answers(world.rep_a, report, {c.q["contact"].id: "Grace"}, 2, language="xx")
    assert _languages(report)[c.q["contact"].id] == "en"


def test_the_language_goes_with_the_submission(world):
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, raw(c), 0, language="fr")
    version = fill_and_submit(world.rep_a, c)
    entries = {q["id"]: q for s in version.snapshot["sections"] for q in s["questions"]}
    assert entries[c.q["contact"].id]["lang"] == "fr"
    assert entries[c.q["policy"].id]["lang"] is None  # a file: no text, no language
    submitted = dict(
        db.session.execute(
            select(SubmittedAnswer.question_id, SubmittedAnswer.language).where(
                SubmittedAnswer.version_id == version.id
            )
        ).all()
    )
    assert submitted[c.q["contact"].id] == "fr"


def test_a_representative_writing_in_french_gets_french_answers(app, world):
    c = world.cycle
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    client.get("/my/reports/2026?lang=fr")  # the interface in French
    url = "/my/reports/2026/sections/3/autosave"
    data = {
        f"q-{c.q['contact'].id}": "Ada Lovelace",
        "base_revision": "0",
        "csrf_token": csrf_token(client, "/my/reports/2026"),
    }
    response = client.post(url, data=data, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    report = filling.find_report(c, world.org_a.id)
    assert _languages(report)[c.q["contact"].id] == "fr"
    # The secretariat reads it in English; the answer is marked as French.
    filling.save_answers(world.rep_a, report, raw(c), report.revision, language="fr")
    version = fill_and_submit(world.rep_a, c)
    db.session.commit()
    login_as(client, world.sec)
    html = client.get(f"/secretariat/review/versions/{version.id}?lang=en").get_data(True)
    assert '<p class="answer-value" dir="auto" lang="fr">Ada Lovelace</p>' in html
    assert '<div class="prose" dir="auto" lang="fr">' in html
    # The representative's form lets right-to-left text be typed the right way round.
    login_as(client, world.rep_a)
    form = client.get("/my/reports/2026/sections/3").get_data(as_text=True)
    assert 'maxlength="500" dir="auto"' in form


def test_user_written_names_carry_dir_auto(client, world):
    db.session.commit()
    html = client.get("/members").get_data(as_text=True)
    assert f'<h3 dir="auto" class="member-name"><a href="/members/{world.org_a.slug}">' in html
    html = client.get(f"/members/{world.org_a.slug}").get_data(as_text=True)
    assert f'<h1 dir="auto">{world.org_a.name}</h1>' in html


def test_answers_pactum_words_are_read_in_the_readers_language(app, world):
    """A report submitted in French keeps "Oui" in its snapshot; readers in English read
    "Yes", and numbers in their own format."""
    from flask_babel import force_locale

    c = world.cycle
    with force_locale("fr"):
        version = fill_and_submit(world.rep_a, c)
    entries = {q["id"]: q for s in version.snapshot["sections"] for q in s["questions"]}
    assert entries[c.q["mfa"].id]["display"] == "Oui"
    assert entries[c.q["mfa_share"].id]["display"].startswith("87,5")
    db.session.commit()
    client = app.test_client()
    login_as(client, world.sec)
    html = client.get(f"/secretariat/review/versions/{version.id}?lang=en").get_data(True)
    assert '<p class="answer-value">Yes</p>' in html and ">Oui<" not in html
    assert "87.5 %" in html
    html = client.get(f"/secretariat/review/versions/{version.id}?lang=fr").get_data(True)
    assert '<p class="answer-value">Oui</p>' in html
