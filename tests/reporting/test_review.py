"""The secretariat's review: queue, accept, return for changes (services and HTTP)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.core import signals
from app.core.models import AuditEvent
from app.errors import Conflict, PermissionDenied
from app.reporting import filling, review
from app.reporting.models import Report, ReportVersion, ReviewComment
from tests.querycount import count_queries
from tests.reporting.builders_review import (  # noqa: F401  (fixtures)
    fast_receipts,
    make_cycle,
    make_member,
    questions_of,
    submit,
)

pytestmark = pytest.mark.usefixtures("fast_receipts")  # services need no request


@pytest.fixture
def cycle(secretariat):
    return make_cycle(secretariat)


@pytest.fixture
def submitted(cycle, org_a, rep_a):
    return submit(rep_a, cycle, when=dt.date(2026, 3, 1))


def _review_url(version) -> str:
    return f"/secretariat/review/versions/{version.id}"


# The queue ----------------------------------------------------------------------------------


def test_queue_counts_states_and_lists_missing(db, secretariat, cycle):
    members = [make_member(f"Member {i}") for i in range(5)]
    versions = [
        submit(rep, cycle, when=dt.date(2026, 3, 1 + i)) for i, (_o, rep) in enumerate(members[:3])
    ]
    review.accept(secretariat, versions[0])
    review.return_for_changes(secretariat, versions[1], {}, note="Please add detail.")
    make_member("Charity", category="civil_society")  # does not have to report
    result = review.queue(secretariat, cycle)
    assert result.counts == {"submitted": 1, "returned": 1, "accepted": 1, "not_submitted": 2}
    assert [r.organisation.name for r in result.rows] == ["Member 2", "Member 1", "Member 0"]
    waiting = review.queue(secretariat, cycle, state="submitted")
    assert [r.organisation.name for r in waiting.rows] == ["Member 2"]
    missing = review.queue(secretariat, cycle, state="not_submitted")
    assert [r.organisation.name for r in missing.rows] == ["Member 3", "Member 4"]
    assert all(r.version is None for r in missing.rows)
    found = review.queue(secretariat, cycle, search="ember 1")
    assert [r.organisation.name for r in found.rows] == ["Member 1"]
    # LIKE wildcards typed by the user are taken literally.
    assert review.queue(secretariat, cycle, search="%").rows == []


def test_queue_page_filters_and_bad_input(client, db, secretariat, login, cycle, submitted):
    db.session.commit()
    login(client, secretariat)
    page = client.get("/secretariat/review")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Alpha Org" in body and "Report review: 2026" in body
    assert f'href="/secretariat/review/versions/{submitted.id}"' in body
    assert client.get("/secretariat/review?year=2026&state=submitted").status_code == 200
    missing = client.get("/secretariat/review?state=not_submitted").get_data(as_text=True)
    assert "Every organisation that must report has submitted its report." in missing
    assert client.get("/secretariat/review?state=bogus").status_code == 400
    assert client.get("/secretariat/review?year=1999").status_code == 404
    assert client.get("/secretariat/review?page=abc").status_code == 200


def test_queue_without_cycles(client, db, secretariat, login):
    db.session.commit()
    login(client, secretariat)
    body = client.get("/secretariat/review").get_data(as_text=True)
    assert "No reporting cycle has been opened yet" in body


def test_queue_query_count_is_constant(client, db, secretariat, login, cycle):
    def build(n, start):
        for i in range(n):
            _org, rep = make_member(f"Org {start + i:03d}", with_rep=True)
            submit(rep, cycle, when=dt.date(2026, 3, 1))
        db.session.commit()

    login(client, secretariat)
    build(2, 0)
    db.session.expire_all()
    with count_queries() as few:
        assert client.get("/secretariat/review").status_code == 200
    build(18, 100)
    db.session.expire_all()
    with count_queries() as many:
        body = client.get("/secretariat/review").get_data(as_text=True)
    assert body.count("/secretariat/review/versions/") == 20
    assert many.count == few.count, "\n".join(many.statements)
    make_member("Silent first")
    db.session.commit()
    db.session.expire_all()
    with count_queries() as missing_few:
        client.get("/secretariat/review?state=not_submitted")
    for i in range(10):
        make_member(f"Silent {i}")
    db.session.commit()
    db.session.expire_all()
    with count_queries() as missing_many:
        client.get("/secretariat/review?state=not_submitted")
    assert missing_many.count == missing_few.count


# The review page ----------------------------------------------------------------------------


def test_review_page_shows_the_whole_snapshot(client, db, secretariat, login, cycle, rep_a):
    version = submit(
        rep_a,
        cycle,
        when=dt.date(2026, 3, 1),
        overrides={
            "approach": "We **encrypt** everything. <script>alert(1)</script>",
            "frameworks": ["Other"],
        },
        evidence=[("policy.txt", b"Our disclosure policy, in plain text.\n")],
    )
    db.session.commit()
    login(client, secretariat)
    body = client.get(_review_url(version)).get_data(as_text=True)
    assert "Alpha Org: 2026 report, version 1" in body
    for text in (
        "Do you offer multi-factor authentication to every customer?",
        "How large is your security team?",
        "1 to 5 people",
        "Ada Lovelace",
        "https://www.example.org/security",
        "policy.txt",
        "Grace Hopper",
        "We remain committed to the charter.",
    ):
        assert text in body, text
    assert "<strong>encrypt</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert 'name="comment-' in body and 'name="decision" value="accept"' in body


def test_return_for_changes_stores_comments_emails_and_audits(
    client, db, secretariat, login, post, cycle, submitted, mailbox
):
    q = questions_of(cycle)
    db.session.commit()
    login(client, secretariat)
    url = _review_url(submitted)
    response = post(
        client,
        url,
        {
            "decision": "return",
            f"comment-{q['approach'].id}": "Please describe your incident response too.",
            f"comment-{q['mfa'].id}": "  ",
            "note": "Thanks — a few details are missing.",
        },
        form_url=url,
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/secretariat/review?year=2026")
    db.session.expire_all()
    version = db.session.get(ReportVersion, submitted.id)
    assert version.review_state == "returned" and version.report.state == "returned"
    assert version.reviewed_by_id == secretariat.id and version.reviewed_at is not None
    comments = {c.question_id: c.comment for c in version.comments}
    assert comments == {
        None: "Thanks — a few details are missing.",
        q["approach"].id: "Please describe your incident response too.",
    }
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.returned"))
    assert event.actor_id == secretariat.id and "Alpha Org" in event.summary
    [message] = [m for m in mailbox.wait(1) if "needs changes" in m["Subject"]]
    assert "rep@alpha.example" in message["To"]
    text = mailbox.body(message)
    assert "1.2 Describe how you protect your users." in text
    assert "Please describe your incident response too." in text
    assert "Thanks — a few details are missing." in text
    # The representative's form (engineer A) reads the comments of the current version.
    data = filling.load(version.report)
    assert [c.comment for c in data.comments[q["approach"].id]] == [
        "Please describe your incident response too."
    ]
    assert [c.comment for c in data.general_comments] == ["Thanks — a few details are missing."]


def test_return_needs_a_comment_and_stores_nothing(
    client, db, secretariat, login, post, cycle, submitted, mailbox
):
    db.session.commit()
    login(client, secretariat)
    url = _review_url(submitted)
    response = post(client, url, {"decision": "return", "note": "   "}, form_url=url)
    assert response.status_code == 422
    assert "Write a general comment or a comment on at least one question" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(Report, submitted.report_id).state == "submitted"
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 0


def test_comment_errors_are_shown_next_to_the_question(
    client, db, secretariat, login, post, cycle, submitted
):
    q = questions_of(cycle)
    db.session.commit()
    login(client, secretariat)
    url = _review_url(submitted)
    response = post(
        client, url, {"decision": "return", f"comment-{q['trained'].id}": "x" * 5001}, form_url=url
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="comment-{q["trained"].id}-error"' in body
    assert "Keep each comment under 5000 characters." in body
    # A question of another questionnaire, and a malformed field name.
    other = post(client, url, {"decision": "return", "comment-999999": "Hm"}, form_url=url)
    assert other.status_code == 422
    assert (
        post(client, url, {"decision": "return", "comment-abc": "Hm"}, form_url=url).status_code
        == 400
    )
    assert post(client, url, {"decision": "maybe"}, form_url=url).status_code == 400
    assert client.post(url, data={"decision": "accept"}).status_code == 400  # no CSRF token
    db.session.expire_all()
    assert db.session.get(Report, submitted.report_id).state == "submitted"


def test_accept_refuses_question_comments_then_accepts(
    client, db, secretariat, login, post, cycle, submitted, mailbox
):
    q = questions_of(cycle)
    received = []

    def listener(version, **kwargs):
        received.append((version.id, kwargs["actor"].id))

    signals.report_accepted.connect(listener)
    try:
        db.session.commit()
        login(client, secretariat)
        url = _review_url(submitted)
        refused = post(
            client, url, {"decision": "accept", f"comment-{q['mfa'].id}": "Really?"}, form_url=url
        )
        assert refused.status_code == 422
        assert "return the report for changes" in refused.get_data(as_text=True)
        assert received == []
        done = post(
            client, url, {"decision": "accept", "note": "Clear and complete."}, form_url=url
        )
        assert done.status_code == 302
    finally:
        signals.report_accepted.disconnect(listener)
    assert received == [(submitted.id, secretariat.id)]
    db.session.expire_all()
    version = db.session.get(ReportVersion, submitted.id)
    assert version.review_state == "accepted" and version.review_note == "Clear and complete."
    assert version.report.state == "accepted" and version.report.accepted_at is not None
    [message] = [m for m in mailbox.wait(1) if "accepted" in m["Subject"]]
    assert "Clear and complete." in mailbox.body(message)
    # Decided once: a second decision is a conflict, and the page shows the decision.
    again = post(client, url, {"decision": "return", "note": "Oops"}, form_url=url)
    assert again.status_code == 409
    page = client.get(url).get_data(as_text=True)
    assert "Accepted on" in page and 'name="decision"' not in page


def test_only_the_newest_version_can_be_decided(db, secretariat, cycle, rep_a):
    first = submit(rep_a, cycle, when=dt.date(2026, 3, 1))
    review.return_for_changes(secretariat, first, {}, note="More please.")
    second = submit(rep_a, cycle, when=dt.date(2026, 3, 5), overrides={"contact": "Ada King"})
    assert second.number == 2 and second.report.state == "submitted"
    with pytest.raises(Conflict):
        review.accept(secretariat, first)
    review.accept(secretariat, second)
    assert second.report.state == "accepted"


def test_returning_is_refused_once_the_cycle_is_closed(db, secretariat, cycle, submitted):
    from app.reporting.cycles import close_cycle

    close_cycle(secretariat, cycle)
    with pytest.raises(Conflict):
        review.return_for_changes(secretariat, submitted, {}, note="Too late to fix.")
    review.accept(secretariat, submitted)
    assert submitted.review_state == "accepted"


def test_only_the_secretariat_reviews(db, cycle, submitted, rep_a, rep_b):
    for user in (rep_a, rep_b, None):
        with pytest.raises(PermissionDenied):
            review.accept(user, submitted)
        with pytest.raises(PermissionDenied):
            review.return_for_changes(user, submitted, {}, note="No.")
    assert submitted.review_state == "submitted"


def test_representative_gets_403_on_review_pages(client, db, login, submitted, rep_a, post):
    db.session.commit()
    login(client, rep_a)
    url = _review_url(submitted)
    assert client.get(url).status_code == 403
    response = post(client, url, {"decision": "accept"}, form_url="/account")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(ReportVersion, submitted.id).review_state == "submitted"


def test_unknown_version_is_404(client, db, secretariat, login):
    db.session.commit()
    login(client, secretariat)
    assert client.get("/secretariat/review/versions/424242").status_code == 404


def test_review_page_and_dashboard_query_counts_are_constant(
    client, db, secretariat, login, cycle, rep_a
):
    q = questions_of(cycle)
    first = submit(rep_a, cycle, when=dt.date(2026, 3, 1))
    url = _review_url(first)

    def return_and_resubmit(version, day):
        review.return_for_changes(
            secretariat, version, {q["mfa"].id: "Why?", q["team"].id: "How?"}, note="More, please."
        )
        return submit(rep_a, cycle, when=dt.date(2026, 3, day), overrides={"contact": f"C{day}"})

    latest = return_and_resubmit(first, 2)
    db.session.commit()
    login(client, secretariat)
    db.session.expire_all()
    with count_queries() as two_versions:
        assert client.get(url).status_code == 200
    db.session.expire_all()
    with count_queries() as dashboard_few:
        assert client.get("/dashboard").status_code == 200
    for day in (3, 4, 5):
        latest = return_and_resubmit(latest, day)
    for i in range(6):
        _org, rep = make_member(f"Queue {i}")
        submit(rep, cycle, when=dt.date(2026, 3, 9))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as five_versions:
        body = client.get(url).get_data(as_text=True)
    assert "Version 5" in body and "Why?" in body
    assert five_versions.count == two_versions.count, "\n".join(five_versions.statements)
    db.session.expire_all()
    with count_queries() as dashboard_many:
        client.get("/dashboard")
    assert dashboard_many.count == dashboard_few.count
