"""Answers changed online since the download: kept when the workbook left them alone, shown
side by side when both changed them, never overwritten without the representative's
choice; a save between the preview and the confirmation shows the preview again."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import db as database
from app.reporting import filling
from app.reporting.models import Answer
from tests.reporting.builders_filling import cycle, raw  # noqa: F401  (fixtures)
from tests.reporting.workbook.helpers import confirm, download, fill, preview_fields, upload


def _values(report_id) -> dict:
    database.session.expire_all()
    return dict(
        database.session.execute(
            select(Answer.question_id, Answer.value).where(Answer.report_id == report_id)
        ).all()
    )


@pytest.fixture
def report(db, client, login, rep_a, cycle):
    report = filling.get_or_start_report(rep_a, cycle, rep_a.organisation)
    filling.save_answers(rep_a, report, raw(cycle), report.revision)
    db.session.commit()
    login(client, rep_a)
    return report


def _online(db, rep, report, cycle, **answers):
    """A colleague saves on the web."""
    db.session.refresh(report)
    filling.save_answers(
        rep, report, {cycle.q[k].id: v for k, v in answers.items()}, report.revision
    )
    db.session.commit()


def test_both_changed_the_same_answer(db, client, rep_a, report, cycle):
    contact = cycle.q["contact"].id
    workbook = fill(download(client), {contact: "From the workbook"})
    _online(db, rep_a, report, cycle, contact="Typed on the web")
    preview = upload(client, workbook)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "From the workbook" in html and "Typed on the web" in html
    assert "Changed on both sides" in html
    refused = confirm(client, preview)
    assert refused.status_code == 422
    assert "Choose which answer to keep." in refused.get_data(as_text=True)
    assert _values(report.id)[contact] == "Typed on the web"
    kept = confirm(client, preview, **{str(contact): "workbook"})
    assert kept.status_code == 302
    assert _values(report.id)[contact] == "From the workbook"


def test_keeping_the_online_answer(db, client, rep_a, report, cycle):
    contact, share = cycle.q["contact"].id, cycle.q["mfa_share"].id
    workbook = fill(download(client), {contact: "From the workbook", share: 12})
    _online(db, rep_a, report, cycle, contact="Typed on the web")
    response = confirm(client, upload(client, workbook), **{str(contact): "online"})
    assert response.status_code == 302
    values = _values(report.id)
    assert values[contact] == "Typed on the web" and values[share] == 12


def test_an_online_change_the_workbook_left_alone_is_kept(db, client, rep_a, report, cycle):
    contact = cycle.q["contact"].id
    workbook = download(client)
    _online(db, rep_a, report, cycle, contact="Typed on the web")
    preview = upload(client, workbook)
    html = preview.get_data(as_text=True)
    assert "Changed on the web, kept" in html and "No changes" in html
    assert _values(report.id)[contact] == "Typed on the web"


def test_a_save_between_preview_and_confirmation(db, client, rep_a, report, cycle):
    contact = cycle.q["contact"].id
    preview = upload(client, fill(download(client), {contact: "From the workbook"}))
    _online(db, rep_a, report, cycle, contact="Typed meanwhile")
    response = confirm(client, preview)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone saved this report after the preview was shown" in html
    assert "Typed meanwhile" in html and "From the workbook" in html
    assert _values(report.id)[contact] == "Typed meanwhile"
    again = confirm(client, response, **{str(contact): "workbook"})
    assert again.status_code == 302
    assert _values(report.id)[contact] == "From the workbook"


def test_a_token_of_someone_else_or_tampered(db, client, login, rep_a, rep_b, report, cycle):
    preview = upload(client, fill(download(client), {cycle.q["contact"].id: "Other"}))
    login(client, rep_b)
    response = confirm(client, preview)
    assert response.status_code in (400, 422)
    login(client, rep_a)
    html = preview.get_data(as_text=True).replace(
        'name="token" type="hidden" value="', 'name="token" type="hidden" value="x'
    )
    fields = preview_fields(html)
    response = client.post("/my/reports/2026/workbook/confirm", data=fields)
    assert response.status_code == 422
    assert "This preview has expired or is not yours" in response.get_data(as_text=True)
    assert _values(report.id)[cycle.q["contact"].id] == "Ada Lovelace"
