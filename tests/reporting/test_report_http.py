"""The representative's report pages, through HTTP and without JavaScript (issue 5, part A)."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

import datetime as dt
import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app import clock
from app.members.models import Pledge
from app.reporting import cycles, filling
from app.reporting.models import Answer, Evidence, Report, ReportVersion
from tests.conftest import csrf_token, login_as
from tests.reporting.builders_filling import (  # noqa: F401  (fixtures)
    PDF,
    VALID,
    cycle,
    fill_and_submit,
    make_charter,
    world,
)

SECTION = "/my/reports/2026/sections/{}"


def _form(cycle, keys, **overrides):
    values = {**VALID, **overrides}
    return {f"q-{cycle.q[k].id}": values[k] for k in keys if values.get(k) is not None}


def _post(client, url, data, base=None, **kwargs):
    data = dict(data)
    data["csrf_token"] = csrf_token(client, url if "autosave" not in url else "/my/reports/2026")
    if base is not None:
        data["base_revision"] = str(base)
    return client.post(url, data=data, **kwargs)


def _post_multipart(client, url, data):
    """A multipart POST built in memory: the test client spools big bodies to a temporary
    file that it never closes."""
    fields = {**data, "csrf_token": csrf_token(client, url)}
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _report(org):
    return filling.find_report(cycles.get_cycle(2026), org.id)


def _values(org):
    report = _report(org)
    if report is None:
        return {}
    return {
        a.question_id: a.value
        for a in Report.query.session.scalars(select(Answer).where(Answer.report_id == report.id))
    }


def test_fill_two_sections_log_out_and_find_the_draft(app, world, db):
    c = world.cycle
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    page = client.get(SECTION.format(1))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "0 of 5 required answers given" in body
    assert 'name="base_revision" type="hidden" value="0"' in body
    response = _post(client, SECTION.format(1), _form(c, ["mfa", "mfa_share", "approach"]), base=0)
    assert response.status_code == 302 and response.headers["Location"].endswith(SECTION.format(1))
    response = _post(
        client, SECTION.format(3), {**_form(c, ["contact", "audit"]), "action": "next"}, base=1
    )
    assert response.headers["Location"].endswith("/my/reports/2026/pledges")
    # A new session (after logging out, or a second representative) finds the same draft.
    colleague_client = app.test_client()
    login_as(colleague_client, world.rep_a)
    body = colleague_client.get(SECTION.format(1)).get_data(as_text=True)
    assert 'value="87.5"' in body and "We use **strong defaults**." in body
    assert "4 of 6 required answers given" in body
    body = colleague_client.get(SECTION.format(3)).get_data(as_text=True)
    assert 'value="Ada Lovelace"' in body and 'value="02/01/2026"' in body


def test_bad_input_gets_messages_next_to_the_fields_and_is_not_stored(app, world, db):
    c = world.cycle
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    _post(client, SECTION.format(2), _form(c, ["programme"]), base=0)
    before = _values(world.org_a)
    response = _post(
        client,
        SECTION.format(2),
        {
            **_form(c, ["frameworks"]),
            f"q-{c.q['programme'].id}": "Carrier pigeon",
            f"q-{c.q['policy_url'].id}": "javascript:alert(1)",
        },
        base=1,
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="q-{c.q["policy_url"].id}-error"' in body
    assert "Enter a full web address" in body and "Choose one of the options offered" in body
    assert 'value="javascript:alert(1)"' in body  # the input is kept to be corrected
    assert f'href="#q-{c.q["policy_url"].id}"' in body
    response = _post(
        client,
        SECTION.format(1),
        {f"q-{c.q['mfa'].id}": "yes", f"q-{c.q['mfa_share'].id}": "150"},
        base=1,
    )
    assert response.status_code == 422
    assert "Enter a number between 0 and 100." in response.get_data(as_text=True)
    response = _post(client, SECTION.format(3), {f"q-{c.q['audit'].id}": "2026-02-30"}, base=1)
    assert response.status_code == 422
    assert "This date does not exist" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _values(world.org_a) == before


def test_answers_for_questions_elsewhere_are_refused(app, world, secretariat, db):
    from tests.reporting.builders_filling import build_cycle

    c = world.cycle
    other = build_cycle(secretariat, year=2027, open_it=False)
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    for data in (
        {f"q-{other.q['contact'].id}": "Eve"},  # another questionnaire
        {f"q-{c.q['contact'].id}": "Eve"},  # another section
        {f"q-{c.q['mfa'].id}": "yes", "q-abc": "x"},
    ):
        response = _post(client, SECTION.format(1), data, base=0)
        assert response.status_code == 400
        assert "another questionnaire" in response.get_data(as_text=True)
    assert _report(world.org_a) is None or _values(world.org_a) == {}


def test_stale_save_is_refused_and_keeps_the_input(app, world, make_user, db):
    c = world.cycle
    bob = make_user(role="representative", organisation=world.org_a, name="Bob Builder")
    db.session.commit()
    ada, other = app.test_client(), app.test_client()
    login_as(ada, world.rep_a)
    login_as(other, bob)
    _post(ada, SECTION.format(1), _form(c, ["mfa", "approach"]), base=0)  # revision 1
    # Both open section 1 at revision 1; Bob saves first and changes the approach.
    _post(
        other,
        SECTION.format(1),
        _form(
            c,
            ["mfa"],
        )
        | {f"q-{c.q['approach'].id}": "Bob's new approach."},
        base=1,
    )
    response = _post(
        ada,
        SECTION.format(1),
        {
            f"q-{c.q['mfa'].id}": "yes",
            f"q-{c.q['mfa_share'].id}": "42",  # Ada's own change
            f"q-{c.q['approach'].id}": VALID["approach"],  # untouched on Ada's screen
        },
        base=1,
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Someone else changed this report" in body and "Bob Builder" in body
    assert f'href="#q-{c.q["approach"].id}"' in body
    assert 'value="42"' in body  # Ada's input is kept
    assert "Bob&#39;s new approach." in body  # Bob's answer is shown
    assert "changed this answer while you were editing" in body
    assert 'name="base_revision" type="hidden" value="2"' in body
    db.session.expire_all()
    values = _values(world.org_a)
    assert values[c.q["approach"].id] == "Bob's new approach."
    assert c.q["mfa_share"].id not in values


def test_autosave_json(app, world, db):
    c = world.cycle
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    url = "/my/reports/2026/sections/1/autosave"
    headers = {"Accept": "application/json"}
    response = _post(client, url, {f"q-{c.q['mfa'].id}": "yes"}, base=0, headers=headers)
    assert response.status_code == 200
    payload = response.get_json()
    assert payload["status"] == "saved" and payload["revision"] == 1
    assert payload["progress"] == {
        "answered": 1,
        "required": 6,
        "text": "1 of 6 required answers given",
    }
    assert payload["shown"][str(c.q["mfa_share"].id)] is True
    response = _post(client, url, {f"q-{c.q['mfa_share'].id}": "-5"}, base=1, headers=headers)
    assert response.status_code == 422
    assert "between 0 and 100" in response.get_json()["errors"][str(c.q["mfa_share"].id)][0]
    response = _post(client, url, {f"q-{c.q['mfa'].id}": "no"}, base=0, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["changes"][0]["questions"] == ["1.1"]
    # Logged out (or an expired session): a JSON 401, never a login page.
    token = csrf_token(client, "/my/reports/2026")
    anonymous = app.test_client()
    response = anonymous.post(
        url, data={"csrf_token": token, "base_revision": "1"}, headers=headers
    )
    assert response.status_code in (400, 401)
    assert response.is_json


def test_evidence_upload_download_and_removal(app, world, db):
    c = world.cycle
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    policy = c.q["policy"].id
    response = _post(
        client,
        SECTION.format(2),
        {
            **_form(c, ["programme"]),
            f"file-{policy}": (io.BytesIO(PDF), "Our Policy.pdf"),
            "action": f"upload:{policy}",
        },
        base=0,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    item = db.session.scalar(select(Evidence))
    assert (item.filename, item.content_type) == ("Our Policy.pdf", "application/pdf")
    download = client.get(f"/reports/evidence/{item.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "Our Policy.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # Another organisation's representative can neither download nor remove it.
    intruder = app.test_client()
    login_as(intruder, world.rep_b)
    assert intruder.get(f"/reports/evidence/{item.id}").status_code == 404
    response = _post(intruder, SECTION.format(2), {"action": f"remove:{item.id}"}, base=0)
    assert response.status_code == 404
    db.session.expire_all()
    assert not db.session.get(Evidence, item.id).removed
    # A disguised or oversized file is refused next to its question; the answers are kept.
    for base, (name, data, message, answer) in enumerate(
        (
            ("policy.pdf", b"MZ\x90\x00 pretending", "we check the content", "None"),
            (
                "huge.pdf",
                b"%PDF-" + b"0" * (10 * 1024 * 1024),
                "larger than 10 MB",
                "Email address",
            ),
        ),
        start=2,
    ):
        response = _post_multipart(
            client,
            SECTION.format(2),
            {
                f"q-{c.q['programme'].id}": answer,
                "base_revision": str(base),
                f"file-{policy}": FileStorage(io.BytesIO(data), filename=name),
            },
        )
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert message in body and f'id="q-{policy}-error"' in body
        assert "Your answers were saved, but some files could not be attached" in body
        assert f'name="base_revision" type="hidden" value="{base + 1}"' in body
        db.session.expire_all()
        assert _values(world.org_a)[c.q["programme"].id] == answer
    assert db.session.scalar(select(func.count(Evidence.id))) == 1
    # Bigger than the request limit: 413 before any of it is read.
    # (Sent as raw bytes: the test client's own temporary file would outlive the request.)
    too_big = b"--x\r\n" + b"0" * (13 * 1024 * 1024)
    response = client.post(
        SECTION.format(2), data=too_big, content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 413
    # Removal from the draft.
    response = _post(
        client,
        SECTION.format(2),
        {**_form(c, ["programme"]), "action": f"remove:{item.id}"},
        base=4,
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Evidence, item.id).removed
    assert client.get(f"/reports/evidence/{item.id}").status_code == 404


def test_submit_lists_what_is_missing_then_succeeds(app, world, db, mailbox):
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(
        world.rep_a, report, {c.q[k].id: v for k, v in VALID.items() if k != "contact"}, 0
    )
    filling.attach_evidence(world.rep_a, report, c.q["policy"], "policy.pdf", PDF)
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    page = client.get("/my/reports/2026/submit").get_data(as_text=True)
    assert "Still missing before you can submit" in page
    data = {
        "officer_name": "Grace Hopper",
        "officer_title": "CEO",
        "support_statement": "We support the charter.",
        "authorised": "y",
        "action": "submit",
    }
    response = _post(client, "/my/reports/2026/submit", data, base=report.revision)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "The report was not submitted" in body
    link = f'href="/my/reports/2026/sections/3#q-{c.q["contact"].id}"'
    assert link in body
    db.session.expire_all()
    report = _report(world.org_a)
    assert report.officer_name == "Grace Hopper"  # the attestation is kept as a draft
    assert report.state == "draft" and db.session.scalar(select(ReportVersion.id)) is None
    # Without the authorisation tick, it is refused too.
    _post(client, SECTION.format(3), _form(c, ["contact"]), base=report.revision)
    db.session.expire_all()
    report = _report(world.org_a)
    response = _post(
        client, "/my/reports/2026/submit", {**data, "authorised": ""}, base=report.revision
    )
    assert response.status_code == 422
    assert 'href="/my/reports/2026/submit#authorised"' in response.get_data(as_text=True)
    db.session.expire_all()
    report = _report(world.org_a)
    response = _post(client, "/my/reports/2026/submit", data, base=report.revision)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reports/2026/{world.org_a.slug}/versions/1"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2026 report, version 1" in page and "Grace Hopper" in page
    [message] = mailbox.wait(1)
    [(name, ctype, pdf)] = mailbox.attachments(message)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Who answers questions about this report?" in text and "Ada Lovelace" in text
    pdf_download = client.get(f"/reports/2026/{world.org_a.slug}/versions/1/pdf")
    assert pdf_download.headers["Content-Type"] == "application/pdf"
    assert pdf_download.headers["Content-Disposition"].startswith("attachment")


def test_submissions_refused_when_the_cycle_is_closed(app, world, secretariat, db):
    report = filling.get_or_start_report(world.rep_a, world.cycle, world.org_a)
    cycles.close_cycle(secretariat, world.cycle)
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    data = {
        "officer_name": "G",
        "officer_title": "C",
        "support_statement": "S",
        "authorised": "y",
        "action": "submit",
    }
    token = csrf_token(client, "/my/reports")
    response = client.post(
        "/my/reports/2026/submit", data={**data, "csrf_token": token, "base_revision": "0"}
    )
    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)
    response = client.post(
        SECTION.format(1),
        data={"csrf_token": token, "base_revision": "0", f"q-{world.cycle.q['mfa'].id}": "yes"},
    )
    assert response.status_code == 409
    assert client.get(SECTION.format(1)).status_code == 302  # read-only: back to the overview
    assert report.revision == 0


def test_representative_of_an_organisation_outside_the_cycle(app, world, make_org, make_user, db):
    ngo = make_org(name="Helpful NGO", category="civil_society")
    rep = make_user(role="representative", organisation=ngo)
    db.session.commit()
    client = app.test_client()
    login_as(client, rep)
    assert client.get("/my/reports/2026").status_code == 404
    token = csrf_token(client, "/my/reports")
    response = client.post(SECTION.format(1), data={"csrf_token": token, "base_revision": "0"})
    assert response.status_code == 404


def test_pledges_and_prefill_pages(app, world, db):
    principle = make_charter(db).texts[0].principle_id
    pledge = Pledge(organisation_id=world.org_a.id, title="Ship MFA", status="planned")
    db.session.add(pledge)
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    body = client.get("/my/reports/2026/pledges").get_data(as_text=True)
    assert "Ship MFA" in body and f'name="status-{pledge.id}"' in body
    response = _post(
        client,
        "/my/reports/2026/pledges",
        {f"status-{pledge.id}": "in_progress", f"note-{pledge.id}": "Halfway"},
        base=0,
    )
    assert response.status_code == 302
    response = _post(
        client,
        "/my/reports/2026/pledges",
        {f"status-{pledge.id}": "bogus", f"note-{pledge.id}": "x"},
        base=1,
    )
    assert response.status_code == 422
    response = _post(
        client,
        "/my/reports/2026/pledges/new",
        {
            "title": "Publish a transparency report",
            "indicator": "One a year",
            "principle_ids": [str(principle)],
            "is_public": "y",
            "target_date": "2026-12-31",
        },
    )
    assert response.status_code == 302
    response = _post(
        client,
        "/my/reports/2026/pledges/new",
        {"title": " ", "indicator": "x", "target_date": "tomorrow"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="title-error"' in body and 'id="target_date-error"' in body
    response = _post(
        client,
        "/my/reports/2026/pledges/new",
        {
            "title": "Too late",
            "indicator": "x",
            "target_date": "2020-01-01",
            "principle_ids": [str(principle)],
        },
    )
    assert response.status_code == 422
    assert "The target date must be between today" in response.get_data(as_text=True)
    titles = [
        p.title
        for p in db.session.scalars(
            select(Pledge).where(Pledge.organisation_id == world.org_a.id).order_by(Pledge.id)
        )
    ]
    assert titles == ["Ship MFA", "Publish a transparency report"]
    response = _post(
        client,
        "/my/reports/2026/prefill",
        {},
        base=_report(world.org_a).revision,
        follow_redirects=True,
    )
    assert "no submitted report from an earlier year" in response.get_data(as_text=True)


def test_preview_shows_the_report_and_its_public_part(app, world, db):
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, {c.q[k].id: v for k, v in VALID.items()}, 0)
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    body = client.get("/my/reports/2026/preview").get_data(as_text=True)
    full, public = body.split('id="public-report"')
    assert "Describe how you protect users." in full and "<strong>strong defaults</strong>" in full
    assert "Describe how you protect users." not in public
    assert "Do you offer multi-factor authentication?" in public


def test_returned_report_shows_comments_next_to_questions(app, world, secretariat, db):
    from app.reporting import review

    c = world.cycle
    version = fill_and_submit(world.rep_a, c)
    with app.test_request_context():  # engineer B's service builds links
        review.return_for_changes(
            secretariat, version, {c.q["contact"].id: "Please name a team.", None: "Nearly there."}
        )
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    overview = client.get("/my/reports/2026").get_data(as_text=True)
    assert "returned your report for changes" in overview and "Nearly there." in overview
    body = client.get(SECTION.format(3)).get_data(as_text=True)
    question = body.split(f'id="q-{c.q["contact"].id}"')[1].split('id="q-')[0]
    assert "Please name a team." in question
    assert "Please name a team." not in client.get(SECTION.format(1)).get_data(as_text=True)


def test_version_pages_show_changes_between_versions(app, world, secretariat, db):
    c = world.cycle
    first = fill_and_submit(world.rep_a, c)
    report = first.report
    filling.save_answers(world.rep_a, report, {c.q["contact"].id: "Grace"}, report.revision)
    filling.submit_report(world.rep_a, report, authorised=True)
    db.session.commit()
    for user in (world.rep_a, secretariat):
        client = app.test_client()
        login_as(client, user)
        body = client.get(f"/reports/2026/{world.org_a.slug}/versions/2").get_data(as_text=True)
        assert "What changed since version 1" in body and "Grace" in body
        first_page = client.get(f"/reports/2026/{world.org_a.slug}/versions/1")
        assert first_page.status_code == 200
        assert "A later version replaces this one." in first_page.get_data(as_text=True)


def test_dashboard_lists_obligations(app, world, db):
    clock.freeze(dt.datetime(2026, 3, 21, 9, tzinfo=dt.UTC))
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    body = client.get("/dashboard").get_data(as_text=True)
    assert "2026 reporting cycle" in body and "10 days" in body and "Not started" in body
    assert re.search(r'href="/my/reports/2026"', body)
