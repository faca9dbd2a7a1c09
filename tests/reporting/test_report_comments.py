"""After the secretariat returns a report (issue 16): the commented sections are marked, the
overview links to each comment, the representative marks comments as addressed, and the
submitted-versions table shows each version's true state."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.errors import NotFound
from app.reporting import filling, review
from app.reporting.models import ReviewComment
from tests.conftest import csrf_token, login_as
from tests.reporting.builders_filling import cycle, fill_and_submit, world  # noqa: F401


@pytest.fixture
def returned(app, world, secretariat, db):
    c = world.cycle
    version = fill_and_submit(world.rep_a, c)
    review.return_for_changes(
        secretariat,
        version,
        {c.q["contact"].id: "Please name a team.", c.q["mfa"].id: "Which factor?"},
        note="Nearly there.",
    )
    db.session.commit()
    return version


def _comment(question):
    return ReviewComment.query.session.scalar(
        select(ReviewComment).where(ReviewComment.question_id == question.id)
    )


def test_section_list_and_overview_point_at_each_comment(app, world, returned, db):
    c = world.cycle
    client = app.test_client()
    login_as(client, world.rep_a)
    overview = client.get("/my/reports/2026").get_data(as_text=True)
    nav = overview.split('class="report-nav"')[1].split("</nav>")[0]
    sections = re.findall(r"<li class=.*?</li>", nav, re.S)
    assert "1 comment" in sections[0]  # section 1
    assert "comment" not in sections[1]  # section 2: none
    assert "1 comment" in sections[2]  # section 3
    contact = _comment(c.q["contact"])
    link = f'href="/my/reports/2026/sections/3#comment-{contact.id}"'
    assert link in overview and "Question 3.1" in overview
    assert "question(s)" not in overview and "pledge(s)" not in overview
    section = client.get("/my/reports/2026/sections/3").get_data(as_text=True)
    assert f'id="comment-{contact.id}"' in section
    assert f'form="comment-form-{contact.id}"' in section


def test_mark_a_comment_addressed_and_back(app, world, returned, db):
    c = world.cycle
    client = app.test_client()
    login_as(client, world.rep_a)
    contact = _comment(c.q["contact"])
    url = f"/my/reports/2026/comments/{contact.id}/addressed"
    token = csrf_token(client, "/my/reports/2026/sections/3")
    response = client.post(url, data={"csrf_token": token, "addressed": "1", "back": "3"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sections/3#comment-{contact.id}")
    db.session.expire_all()
    assert _comment(c.q["contact"]).addressed_at is not None
    assert _comment(c.q["contact"]).addressed_by_id == world.rep_a.id
    body = client.get("/my/reports/2026/sections/3").get_data(as_text=True)
    assert "Mark as not addressed yet" in body and "Addressed" in body
    response = client.post(url, data={"csrf_token": token, "addressed": "0"})
    assert response.headers["Location"].endswith("/my/reports/2026#comments")
    db.session.expire_all()
    assert _comment(c.q["contact"]).addressed_at is None
    # Without a CSRF token: refused.
    assert client.post(url, data={"addressed": "1"}).status_code == 400


def test_only_the_organisation_marks_its_comments(app, world, returned, db):
    c = world.cycle
    contact = _comment(c.q["contact"])
    _cycle, report_b, _exists = filling.my_report(world.rep_b, 2026)
    with pytest.raises(NotFound):
        filling.set_comment_addressed(world.rep_b, report_b, contact.id)
    intruder = app.test_client()
    login_as(intruder, world.rep_b)
    token = csrf_token(intruder, "/my/reports/2026")
    response = intruder.post(
        f"/my/reports/2026/comments/{contact.id}/addressed",
        data={"csrf_token": token, "addressed": "1"},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert _comment(c.q["contact"]).addressed_at is None


def test_versions_table_shows_each_versions_true_state(app, world, secretariat, returned, db):
    c = world.cycle
    report = returned.report
    filling.save_answers(world.rep_a, report, {c.q["contact"].id: "Team"}, report.revision)
    filling.submit_report(world.rep_a, report, authorised=True)  # version 2
    filling.save_answers(world.rep_a, report, {c.q["contact"].id: "Teams"}, report.revision)
    third = filling.submit_report(world.rep_a, report, authorised=True)  # version 3
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    body = client.get("/my/reports/2026").get_data(as_text=True)
    table = body.split('id="versions-heading"')[1]
    rows = re.findall(r"<tr>.*?</tr>", table, re.S)[1:]  # newest first, after the header
    assert "Submitted, awaiting review" in rows[0]
    assert "Superseded before review" in rows[1]
    assert "Returned for changes" in rows[2]
    page = client.get(f"/reports/2026/{world.org_a.slug}/versions/2").get_data(as_text=True)
    review_row = page.split("<dt>Review</dt>")[1].split("</dd>")[0]
    assert "Superseded before review" in review_row
    review.accept(secretariat, third)
    db.session.commit()
    body = client.get("/my/reports/2026").get_data(as_text=True)
    rows = re.findall(r"<tr>.*?</tr>", body.split('id="versions-heading"')[1], re.S)[1:]
    assert "Accepted" in rows[0] and "awaiting review" not in body.split('id="versions-heading"')[1]
