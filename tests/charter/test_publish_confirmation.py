"""Publishing a charter version takes a confirmation page that says what will happen (issue
16): the effective date, the version it supersedes, how many organisations and people are
emailed, and warnings for a same-day date or an open reporting cycle. A POST without that
page's signed confirmation, or after the draft changed, publishes nothing and sends nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import delete, func, select

from app.charter import services
from app.charter.models import CharterVersion
from app.db import db as database
from app.mail.models import OutboxMessage
from app.reporting.models import CycleStatus, ReportingCycle
from tests.charter.builders import (
    confirm_and_publish,
    confirmation_token,
    publish_charter,
    text_numbered,
)
from tests.conftest import login_as, post_form
from tests.factories import make_user


def _body(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


@pytest.fixture
def draft(db, secretariat, org_a, org_b, rep_a, rep_b):
    """Version 1 (effective 2024-01-01) and the draft of version 2; two members, three
    representatives with an account (org A has two)."""
    make_user(role="representative", organisation=org_a, email="second@alpha.example")
    publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    db.session.execute(delete(OutboxMessage))  # version 1's own endorsement requests
    version = services.start_draft(secretariat)
    db.session.commit()
    return version


@pytest.fixture
def sec_client(client, secretariat):
    login_as(client, secretariat)
    return client


def _outbox() -> int:
    return database.session.scalar(select(func.count(OutboxMessage.id)))


def _confirm(client, version_id: int, effective: str):
    return client.get(f"/secretariat/charter/{version_id}/publish?effective_date={effective}")


def test_confirmation_page_says_what_will_happen(sec_client, draft, db):
    response = _confirm(sec_client, draft.id, "2024-09-01")
    assert response.status_code == 200
    body = _body(response)
    assert "Publish version 2?" in body
    assert "September 1, 2024" in body
    assert "Version 1 (effective January 1, 2024)" in body
    assert "2 organisations (3 people) receive “Please endorse version 2 of the charter”." in body
    assert "Check before you publish" not in body  # no warning for an ordinary publication
    assert "Publish version 2 now" in body
    db.session.expire_all()
    assert db.session.get(CharterVersion, draft.id).is_draft
    assert _outbox() == 0


def test_same_day_and_open_cycle_are_warned(sec_client, draft, db):
    db.session.add(
        ReportingCycle(
            year=2024,
            title="2024 reporting cycle",
            status=CycleStatus.OPEN,
            opens_on=dt.date(2024, 1, 10),
            due_on=dt.date(2024, 3, 31),
            grace_days=14,
            categories=["company"],
            reminder_offsets=[7],
        )
    )
    db.session.commit()
    body = _body(_confirm(sec_client, draft.id, "2024-01-01"))
    assert "Check before you publish" in body
    assert "Version 1 takes effect on the same day (January 1, 2024)" in body
    assert "The 2024 reporting cycle is open." in body


def test_first_version_supersedes_nothing(sec_client, secretariat, db):
    version = services.start_draft(secretariat)
    services.add_principle(secretariat, version.id, number=None, title="One", body_md="")
    db.session.commit()
    body = _body(_confirm(sec_client, version.id, "2024-01-01"))
    assert "Nothing: this is the first published version." in body
    assert "No member has a representative to email" in body


def test_confirmation_page_refuses_a_bad_date_next_to_the_field(sec_client, draft):
    early = _confirm(sec_client, draft.id, "2023-12-31")
    assert early.status_code == 422
    assert 'id="effective_date-error"' in _body(early) and "cannot be before" in _body(early)
    garbage = _confirm(sec_client, draft.id, "31/31/2024")
    assert garbage.status_code == 422 and 'id="effective_date-error"' in _body(garbage)


def test_publish_without_the_confirmation_is_refused(sec_client, draft, db):
    for extra in ({}, {"confirmation": "forged"}):
        response = post_form(
            sec_client,
            f"/secretariat/charter/{draft.id}/publish",
            {"effective_date": "2024-09-01"} | extra,
            form_url="/secretariat/charter",
        )
        assert response.status_code == 400
        assert "Nothing was published yet." in _body(response)
        assert "Publish version 2 now" in _body(response)  # the confirmation, to go on
    db.session.expire_all()
    assert db.session.get(CharterVersion, draft.id).is_draft
    assert _outbox() == 0


def test_confirmation_of_another_date_or_a_changed_draft_is_refused(
    sec_client, draft, secretariat, db
):
    token = confirmation_token(sec_client, draft.id, "2024-09-01")
    other_date = post_form(
        sec_client,
        f"/secretariat/charter/{draft.id}/publish",
        {"effective_date": "2024-10-01", "confirmation": token},
        form_url="/secretariat/charter",
    )
    assert other_date.status_code == 409 and "changed after you reviewed" in _body(other_date)
    text = text_numbered(services.load_version(draft.id), 1)
    services.update_principle(
        secretariat, draft.id, text.id, number=1, title="Changed meanwhile", body_md=""
    )
    db.session.commit()
    changed = post_form(
        sec_client,
        f"/secretariat/charter/{draft.id}/publish",
        {"effective_date": "2024-09-01", "confirmation": token},
        form_url="/secretariat/charter",
    )
    assert changed.status_code == 409 and "changed after you reviewed" in _body(changed)
    db.session.expire_all()
    assert db.session.get(CharterVersion, draft.id).is_draft
    assert _outbox() == 0


def test_confirmed_publication_publishes_and_emails(sec_client, draft, db, mailbox):
    response = confirm_and_publish(sec_client, draft.id, "2024-09-01")
    assert response.status_code == 302 and response.headers["Location"] == "/charter/v/2"
    db.session.expire_all()
    assert db.session.get(CharterVersion, draft.id).is_published
    subjects = [m["Subject"] for m in mailbox.wait(2)]
    assert subjects.count("Please endorse version 2 of the charter") == 2  # one per member


def test_draft_page_publish_box_leads_to_the_confirmation(sec_client, draft):
    body = _body(sec_client.get(f"/secretariat/charter/{draft.id}"))
    form = re.search(r'<form method="get" action="([^"]+)"[^>]*>.{0,600}Review and publish', body)
    assert form and form.group(1) == f"/secretariat/charter/{draft.id}/publish"
