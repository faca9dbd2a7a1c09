"""Publishing the annual report first names the characters no shipped font can draw
(issue 16): the edition would print each as an empty box, for good. Nothing is queued
until the secretariat ticks "publish anyway"; a report every font draws publishes at once."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.transparency import jobs, services
from app.transparency.models import BuildJob
from tests.conftest import login_as, post_form

PAGE = "/secretariat/annual-reports/2025"


def _jobs(db) -> int:
    return db.session.scalar(select(func.count()).select_from(BuildJob))


def _published(response) -> None:
    """The publication was queued: wait for its (stand-in) build to finish."""
    assert response.status_code == 302
    jobs.wait(int(re.search(r"/builds/(\d+)$", response.headers["Location"]).group(1)))


def _summary(db, secretariat, text: str) -> None:
    services.update_texts(secretariat, 2025, text, "Counted by hand.")
    db.session.commit()


def test_publishing_lists_undrawable_characters_and_waits(
    client, db, world, secretariat, fast_build
):
    _summary(db, secretariat, "A year of 🎉 progress. 会员 joined; Beta wrote שלום.")
    world.alpha.name = "Alpha 漢 Security"
    db.session.commit()
    login_as(client, secretariat)
    response = post_form(client, f"{PAGE}/publish", {"note": ""}, form_url=PAGE)
    assert response.status_code == 409
    body = " ".join(response.get_data(as_text=True).split())
    assert "Nothing was published yet" in body
    assert "contains 3 characters that no font it ships can draw" in body
    assert "会</span> (U+4F1A, CJK UNIFIED IDEOGRAPH-4F1A): Executive summary" in body
    assert "漢</span> (U+6F22" in body
    assert "U+1F389" not in body and "U+05E9" not in body  # emoji and Hebrew are drawn
    assert "Publish anyway" in body
    assert _jobs(db) == 0

    response = post_form(
        client, f"{PAGE}/publish", {"note": "", "accept_undrawable": "y"}, form_url=PAGE
    )
    _published(response)
    assert _jobs(db) == 1


def test_a_report_every_font_draws_publishes_at_once(client, db, world, secretariat, fast_build):
    _summary(db, secretariat, "A year of 🎉 progress, ★ and नमस्ते.")
    login_as(client, secretariat)
    _published(post_form(client, f"{PAGE}/publish", {"note": ""}, form_url=PAGE))
    assert _jobs(db) == 1
