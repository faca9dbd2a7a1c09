"""Charter builders for tests: published versions and drafts made through the services,
so they follow the same rules as the real thing. Each returns flushed objects."""

from __future__ import annotations

import datetime as dt
import re

from flask import current_app

from app import clock
from app.charter import services
from tests.conftest import post_form

PRINCIPLES = [
    ("Protect all users", "We will protect all our users, wherever they are.", "Security"),
    ("Oppose attacks on citizens", "We will oppose attacks on innocent citizens.", "Restraint"),
    (
        "Disclose vulnerabilities",
        "We will run a coordinated vulnerability disclosure programme.",
        "Security",
    ),
]


def publish_charter(
    actor,
    principles=None,
    *,
    effective: dt.date = dt.date(2024, 1, 1),
    title: str = "The Test Accord",
    preamble: str = "We commit to **this**.",
    summary: str = "First version.",
    published_on: dt.date | None = None,
):
    """A new version from scratch (or on top of the latest one), published."""
    draft = services.start_draft(actor)
    services.update_draft(
        actor, draft.id, title=title, preamble_md=preamble, change_summary=summary
    )
    for text in list(draft.texts):
        services.remove_principle(actor, draft.id, text.id)
    for title_, body, theme in principles if principles is not None else PRINCIPLES:
        services.add_principle(
            actor, draft.id, number=None, title=title_, body_md=body, theme=theme
        )
    previous = clock._frozen
    clock.freeze(published_on or effective)
    try:
        return publish(actor, draft.id, effective)
    finally:
        clock.freeze(previous)


def publish(actor, version_id: int, effective: dt.date):
    """`services.publish` as the publish view calls it: inside a request, where receivers of
    `charter_published` (the members' endorsement emails) can build links."""
    with current_app.test_request_context():
        return services.publish(actor, version_id, effective)


def text_numbered(version, number: int):
    return next(t for t in version.texts if t.number == number)


CONFIRMATION_RE = re.compile(r'name="confirmation" type="hidden" value="([^"]+)"')


def confirmation_token(client, version_id: int, effective: str) -> str:
    """The signed confirmation the publish confirmation page carries."""
    page = client.get(f"/secretariat/charter/{version_id}/publish?effective_date={effective}")
    assert page.status_code == 200, page.status_code
    match = CONFIRMATION_RE.search(page.get_data(as_text=True))
    assert match, "no confirmation on the page"
    return match.group(1)


def confirm_and_publish(client, version_id: int, effective: str):
    """Publish through both steps, as the secretariat does: the confirmation page, then its
    button."""
    token = confirmation_token(client, version_id, effective)
    return post_form(
        client,
        f"/secretariat/charter/{version_id}/publish",
        {"effective_date": effective, "confirmation": token},
        form_url="/secretariat/charter",
    )
