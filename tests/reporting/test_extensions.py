"""Extensions: a representative asks, the secretariat grants or refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app import clock
from app.core.models import AuditEvent
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.reporting.cycles import effective_due_date
from app.reporting.deadlines import extensions
from app.reporting.models import Extension
from tests.reporting.builders_review import (  # noqa: F401  (fixtures)
    fast_receipts,
    make_cycle,
    make_member,
    submit,
)

pytestmark = pytest.mark.usefixtures("fast_receipts")  # services need no request

URL = "/my/extensions/2026"


@pytest.fixture
def cycle(secretariat):
    clock.freeze(dt.date(2026, 3, 20))
    return make_cycle(secretariat)  # due 2026-03-31, grace 14 days


def _ask(client, post, reason="Our CISO left; the new one starts in April.", date="2026-04-30"):
    return post(client, URL, {"reason": reason, "requested_due_on": date}, form_url=URL)


def test_representative_asks_for_more_time(client, db, login, post, cycle, rep_a, mailbox, app):
    db.session.commit()
    login(client, rep_a)
    page = client.get(URL)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Ask for more time for the 2026 report" in body and "March 31, 2026" in body
    response = _ask(client, post)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    extension = db.session.scalar(select(Extension))
    assert (extension.state, extension.requested_due_on) == ("pending", dt.date(2026, 4, 30))
    assert extension.requested_by_id == rep_a.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "extension.requested"))
    [message] = mailbox.wait(1)
    assert app.config["SECRETARIAT_EMAIL"] in message["To"]
    assert "Our CISO left" in mailbox.body(message)
    assert f"/secretariat/extensions/{extension.id}" in mailbox.body(message)
    # One request at a time.
    again = client.get(URL).get_data(as_text=True)
    assert "the secretariat has not decided yet" in again
    assert _ask(client, post).status_code == 409
    assert db.session.scalar(select(func.count(Extension.id))) == 1
    # The dashboard panel says so too.
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "More time for the 2026 report" in dashboard and "Waiting for a decision" in dashboard


@pytest.mark.parametrize(
    ("reason", "date", "field", "message"),
    [
        ("   ", "", "reason", "Please explain why"),
        ("x" * 2001, "", "reason", "2000"),
        ("Need time", "2026-03-15", "requested_due_on", "after the cycle"),
        ("Need time", "2027-03-15", "requested_due_on", "no later than"),
        ("Need time", "31/04/2026", "requested_due_on", "Enter a date as month/day/year"),
        ("Need time", "04/31/2026", "requested_due_on", "This date does not exist"),
    ],
)
def test_bad_requests_are_refused_next_to_the_field(
    client, db, login, post, cycle, rep_a, reason, date, field, message
):
    db.session.commit()
    login(client, rep_a)
    response = _ask(client, post, reason=reason, date=date)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body and message in body
    assert db.session.scalar(select(func.count(Extension.id))) == 0


def test_requests_are_refused_when_they_make_no_sense(
    db, secretariat, cycle, org_a, rep_a, rep_b, org_b
):
    with pytest.raises(PermissionDenied):
        extensions.request_extension(rep_b, cycle, org_a, "Not mine")
    with pytest.raises(PermissionDenied):
        extensions.request_extension(secretariat, cycle, org_a, "Not a representative")
    charity, charity_rep = make_member("Charity", category="civil_society")
    with pytest.raises(ValidationFailed, match="does not have to report"):
        extensions.request_extension(charity_rep, cycle, charity, "We never report")
    submit(rep_b, cycle, when=dt.date(2026, 3, 20))
    with pytest.raises(Conflict, match="already submitted"):
        extensions.request_extension(rep_b, cycle, org_b, "Done already")
    clock.freeze(dt.date(2026, 4, 1))  # the day after the due date
    with pytest.raises(ValidationFailed, match="has passed"):
        extensions.request_extension(rep_a, cycle, org_a, "Too late")
    clock.freeze(dt.date(2026, 3, 31))  # the due date itself is still in time
    assert extensions.request_extension(rep_a, cycle, org_a, "Just in time").state == "pending"


def test_secretariat_grants_a_new_date(
    client, db, login, post, cycle, secretariat, org_a, rep_a, mailbox
):
    extension = extensions.request_extension(rep_a, cycle, org_a, "New CISO.", dt.date(2026, 4, 30))
    db.session.commit()
    mailbox.clear()
    login(client, secretariat)
    url = f"/secretariat/extensions/{extension.id}"
    page = client.get(url).get_data(as_text=True)
    assert "New CISO." in page and 'value="04/30/2026"' in page  # as English writes it
    listing = client.get("/secretariat/extensions?state=pending").get_data(as_text=True)
    assert "Alpha Org" in listing and "Decide" in listing
    # The date must come after the cycle's due date, and be given.
    early = post(client, url, {"decision": "grant", "new_due_on": "2026-03-31"}, form_url=url)
    assert early.status_code == 422 and 'id="new_due_on-error"' in early.get_data(as_text=True)
    missing = post(client, url, {"decision": "grant", "new_due_on": ""}, form_url=url)
    assert missing.status_code == 422 and "Choose the new due date." in missing.get_data(
        as_text=True
    )
    assert post(client, url, {"decision": "perhaps"}, form_url=url).status_code == 400
    done = post(
        client,
        url,
        {"decision": "grant", "new_due_on": "2026-04-24", "note": "Granted, good luck."},
        form_url=url,
    )
    assert done.status_code == 302
    db.session.expire_all()
    extension = db.session.get(Extension, extension.id)
    assert (extension.state, extension.new_due_on) == ("granted", dt.date(2026, 4, 24))
    assert extension.decided_by_id == secretariat.id
    assert effective_due_date(cycle, org_a.id) == dt.date(2026, 4, 24)
    [message] = mailbox.wait(1)
    assert "rep@alpha.example" in message["To"] and "April 24, 2026" in message["Subject"]
    assert "Granted, good luck." in mailbox.body(message)
    # Decided: a second decision is a conflict.
    again = post(client, url, {"decision": "refuse", "note": "No"}, form_url=url)
    assert again.status_code == 409
    # The representative sees the new date on the dashboard and may ask again before it.
    login(client, rep_a)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Your report is due on April 24, 2026." in dashboard
    clock.freeze(dt.date(2026, 4, 10))
    second = extensions.request_extension(rep_a, cycle, org_a, "Still short of time.")
    with pytest.raises(ValidationFailed, match="current due date"):
        extensions.grant(secretariat, second, dt.date(2026, 4, 20))


def test_secretariat_refuses_with_a_note(
    client, db, login, post, cycle, secretariat, org_a, rep_a, mailbox
):
    extension = extensions.request_extension(rep_a, cycle, org_a, "Busy.")
    db.session.commit()
    mailbox.clear()
    login(client, secretariat)
    url = f"/secretariat/extensions/{extension.id}"
    silent = post(client, url, {"decision": "refuse", "note": " "}, form_url=url)
    assert silent.status_code == 422
    assert "Explain the decision to the organisation." in silent.get_data(as_text=True)
    done = post(
        client, url, {"decision": "refuse", "note": "Everyone is busy in March."}, form_url=url
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Extension, extension.id).state == "refused"
    assert effective_due_date(cycle, org_a.id) == cycle.due_on
    [message] = mailbox.wait(1)
    assert "Everyone is busy in March." in mailbox.body(message)
    assert "stays due on March 31, 2026" in mailbox.body(message)
    # A refused request does not stop a new one before the due date.
    assert extensions.status_for(cycle, org_a).can_request


def test_only_the_secretariat_decides(db, cycle, org_a, rep_a):
    extension = extensions.request_extension(rep_a, cycle, org_a, "Please.")
    with pytest.raises(PermissionDenied):
        extensions.grant(rep_a, extension, dt.date(2026, 4, 30))
    with pytest.raises(PermissionDenied):
        extensions.refuse(rep_a, extension, "No")
    assert extension.state == "pending"


def test_extension_pages_bad_input(client, db, login, secretariat, rep_a, cycle):
    db.session.commit()
    login(client, secretariat)
    assert client.get("/secretariat/extensions?state=weird").status_code == 400
    assert client.get("/secretariat/extensions/99999").status_code == 404
    login(client, rep_a)
    assert client.get("/my/extensions/1999").status_code == 404


def test_secretariat_dashboard_panel(client, db, login, secretariat, cycle, org_a, rep_a, rep_b):
    extensions.request_extension(rep_a, cycle, org_a, "Please.")
    submit(rep_b, cycle, when=dt.date(2026, 3, 20))
    db.session.commit()
    login(client, secretariat)
    body = client.get("/dashboard").get_data(as_text=True)
    assert "Reports and extensions" in body
    assert "1</strong> report awaiting review" in body
    assert "1</strong> extension request to decide" in body
    assert "Beta Org, 2026" in body and "Alpha Org, 2026" in body
