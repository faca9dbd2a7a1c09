"""The charter's rules, at the service level: versions, identity of principles across
versions, publication and its refusals, immutability, audit and signal."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app import clock
from app.charter import drafts, services
from app.charter.models import CharterVersion, Principle, PrincipleText
from app.core.models import AuditEvent
from app.core.signals import charter_published
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.charter.builders import PRINCIPLES, publish, publish_charter, text_numbered


def _count(model) -> int:
    from app.db import db

    return db.session.scalar(select(func.count()).select_from(model))


# Current version ---------------------------------------------------------------------------


def test_no_charter_means_no_current_version(db):
    assert services.current_version() is None


def test_current_version_is_the_highest_number_in_force(db, secretariat):
    v1 = publish_charter(secretariat, effective=dt.date(2024, 1, 1))
    clock.freeze(dt.date(2024, 6, 1))
    v2 = publish_charter(
        secretariat,
        effective=dt.date(2024, 9, 1),
        summary="Second",
        published_on=dt.date(2024, 6, 1),
    )
    assert services.current_version() == v1  # v2 is upcoming until September
    timeline = services.timeline()
    assert timeline.status(v2) == "upcoming" and timeline.upcoming == [v2]
    assert services.current_version(on=dt.date(2024, 9, 1)) == v2
    clock.freeze(dt.date(2024, 9, 1))
    assert services.current_version() == v2
    timeline = services.timeline()
    assert timeline.status(v1) == "superseded"
    assert timeline.superseded_on(v1) == dt.date(2024, 9, 1)
    assert timeline.previous(v2) == v1 and timeline.next(v1) == v2


def test_a_draft_is_never_current(db, secretariat):
    publish_charter(secretariat)
    draft = services.start_draft(secretariat)
    assert services.current_version().number == 1
    with pytest.raises(NotFound):
        services.get_published(draft.number)


# Drafts and identity ---------------------------------------------------------------------------


def test_first_draft_starts_empty(db, secretariat):
    draft = services.start_draft(secretariat)
    assert draft.number == 1 and draft.is_draft and draft.texts == []
    assert draft.based_on_id is None


def test_new_draft_copies_the_latest_version_and_keeps_identities(db, secretariat):
    v1 = publish_charter(secretariat)
    draft = services.start_draft(secretariat)
    assert draft.number == 2 and draft.based_on_id == v1.id
    assert draft.title == v1.title and draft.preamble_md == v1.preamble_md
    assert [(t.principle_id, t.number, t.title, t.body_md, t.theme) for t in draft.texts] == [
        (t.principle_id, t.number, t.title, t.body_md, t.theme) for t in v1.texts
    ]
    assert {t.id for t in draft.texts}.isdisjoint({t.id for t in v1.texts})
    assert _count(Principle) == len(PRINCIPLES)  # no new identities for copies


def test_only_one_draft_at_a_time(db, secretariat):
    services.start_draft(secretariat)
    with pytest.raises(Conflict, match="already in progress"):
        services.start_draft(secretariat)


def test_added_principle_gets_the_next_free_key(db, secretariat):
    publish_charter(secretariat)
    draft = services.start_draft(secretariat)
    text = services.add_principle(
        secretariat, draft.id, number=None, title="New one", body_md="Body"
    )
    assert text.principle.key == "P4" and text.number == 4
    assert [t.number for t in draft.texts] == [1, 2, 3, 4]


def test_removing_a_copied_principle_retires_it_in_the_draft_only(db, secretariat):
    v1 = publish_charter(secretariat)
    draft = services.start_draft(secretariat)
    services.remove_principle(secretariat, draft.id, text_numbered(draft, 2).id)
    assert [t.principle.key for t in draft.texts] == ["P1", "P3"]
    assert [t.principle.key for t in services.get_published(1).texts] == ["P1", "P2", "P3"]
    assert _count(Principle) == 3  # P2 still exists: version 1 has it
    assert v1.texts[1].principle.key == "P2"


def test_removing_a_new_principle_drops_its_identity(db, secretariat):
    publish_charter(secretariat)
    draft = services.start_draft(secretariat)
    text = services.add_principle(
        secretariat, draft.id, number=None, title="Short-lived", body_md=""
    )
    services.remove_principle(secretariat, draft.id, text.id)
    assert _count(Principle) == 3
    again = services.add_principle(secretariat, draft.id, number=None, title="Again", body_md="")
    assert again.principle.key == "P4"


def test_identity_survives_rewording_renumbering_and_a_new_version(db, secretariat):
    v1 = publish_charter(secretariat)
    key_of_disclosure = text_numbered(v1, 3).principle.key
    draft = services.start_draft(secretariat)
    new = services.add_principle(
        secretariat, draft.id, number=None, title="Security by design", body_md="Secure by default."
    )
    for _ in range(3):  # to the top: each move swaps places and numbers with the one above
        services.move_principle(secretariat, draft.id, new.id, "up")
    assert [(t.title, t.number) for t in draft.texts][:2] == [
        ("Security by design", 1),
        (PRINCIPLES[0][0], 2),
    ]
    disclosure = next(t for t in draft.texts if t.principle.key == key_of_disclosure)
    services.update_principle(
        secretariat,
        draft.id,
        disclosure.id,
        number=disclosure.number,
        title="Disclose vulnerabilities responsibly",
        body_md="We fix reported flaws within 90 days.",
        theme="Security",
    )
    v2 = publish(secretariat, draft.id, dt.date(2024, 6, 1))
    assert [(t.principle.key, t.number) for t in v2.texts] == [
        ("P4", 1),
        ("P1", 2),
        ("P2", 3),
        ("P3", 4),
    ]
    assert text_numbered(v2, 4).principle_id == text_numbered(v1, 3).principle_id


def test_move_swaps_positions_and_numbers(db, secretariat):
    draft = services.start_draft(secretariat)
    for title, body, theme in PRINCIPLES:
        services.add_principle(
            secretariat, draft.id, number=None, title=title, body_md=body, theme=theme
        )
    third = text_numbered(draft, 3)
    services.move_principle(secretariat, draft.id, third.id, "up")
    assert [(t.number, t.title) for t in draft.texts] == [
        (1, PRINCIPLES[0][0]),
        (2, PRINCIPLES[2][0]),
        (3, PRINCIPLES[1][0]),
    ]
    services.move_principle(secretariat, draft.id, text_numbered(draft, 1).id, "up")  # no-op
    assert draft.texts[0].title == PRINCIPLES[0][0]
    with pytest.raises(ValidationFailed):
        services.move_principle(secretariat, draft.id, third.id, "sideways")


def test_editing_a_number_reorders_the_draft(db, secretariat):
    draft = services.start_draft(secretariat)
    for title, body, theme in PRINCIPLES:
        services.add_principle(
            secretariat, draft.id, number=None, title=title, body_md=body, theme=theme
        )
    first = text_numbered(draft, 1)
    services.update_principle(
        secretariat, draft.id, first.id, number=9, title=first.title, body_md=first.body_md
    )
    assert [t.number for t in draft.texts] == [2, 3, 9]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": 0}, "number"),
        ({"number": 1000}, "number"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"theme": "x" * 101}, "theme"),
    ],
)
def test_bad_principle_input_is_refused_next_to_the_field(db, secretariat, changes, field):
    draft = services.start_draft(secretariat)
    values = {"number": 1, "title": "Fine", "body_md": "", "theme": ""} | changes
    with pytest.raises(ValidationFailed) as error:
        services.add_principle(secretariat, draft.id, **values)
    assert error.value.field == field
    assert _count(PrincipleText) == 0 and _count(Principle) == 0


def test_a_principle_of_another_version_is_not_found(db, secretariat):
    v1 = publish_charter(secretariat)
    draft = services.start_draft(secretariat)
    with pytest.raises(NotFound):
        services.update_principle(
            secretariat, draft.id, v1.texts[0].id, number=1, title="Sneaky", body_md=""
        )
    assert services.get_published(1).texts[0].title == PRINCIPLES[0][0]


def test_only_the_secretariat_drafts(db, secretariat, rep_a):
    with pytest.raises(PermissionDenied):
        services.start_draft(rep_a)
    draft = services.start_draft(secretariat)
    for call in (
        lambda: services.update_draft(
            rep_a, draft.id, title="X", preamble_md="", change_summary=""
        ),
        lambda: services.add_principle(rep_a, draft.id, number=1, title="X", body_md=""),
        lambda: publish(rep_a, draft.id, dt.date(2024, 1, 1)),
        lambda: services.delete_draft(rep_a, draft.id),
        lambda: services.start_draft(None),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_delete_draft_discards_it_and_its_new_principles(db, secretariat):
    publish_charter(secretariat)
    draft = services.start_draft(secretariat)
    services.add_principle(secretariat, draft.id, number=None, title="Extra", body_md="")
    assert services.delete_draft(secretariat, draft.id) == 2
    assert services.draft_in_progress() is None
    assert _count(CharterVersion) == 1 and _count(Principle) == 3
    assert services.start_draft(secretariat).number == 2


# Publishing ---------------------------------------------------------------------------------


def test_publish_records_who_and_when_and_sends_the_signal(db, secretariat):
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    charter_published.connect(receiver)
    try:
        clock.freeze(dt.datetime(2024, 2, 1, 10, 30, tzinfo=dt.UTC))
        draft = services.start_draft(secretariat)
        services.add_principle(secretariat, draft.id, number=None, title="One", body_md="")
        version = publish(secretariat, draft.id, dt.date(2024, 3, 1))
    finally:
        charter_published.disconnect(receiver)
    assert version.is_published and version.effective_date == dt.date(2024, 3, 1)
    assert version.published_at == dt.datetime(2024, 2, 1, 10, 30, tzinfo=dt.UTC)
    assert version.published_by_id == secretariat.id
    assert received == [(version, {"actor": secretariat})]
    from app.db import db as _db

    event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "charter.published"))
    assert event.actor_id == secretariat.id and event.object_id == version.id
    assert event.detail["number"] == 1 and event.detail["effective_date"] == "2024-03-01"


def _refused(secretariat, draft, effective, match):
    before = (_count(AuditEvent), draft.status)
    with pytest.raises(ValidationFailed, match=match):
        publish(secretariat, draft.id, effective)
    from app.db import db as _db

    _db.session.rollback()
    fresh = _db.session.get(CharterVersion, draft.id)
    assert fresh.status == "draft" and fresh.published_at is None
    assert (_count(AuditEvent), fresh.status) == before


def test_publishing_an_empty_charter_is_refused(db, secretariat):
    draft = services.start_draft(secretariat)
    from app.db import db as _db

    _db.session.commit()
    _refused(secretariat, draft, dt.date(2024, 1, 1), "no principles")


def test_publishing_a_principle_without_title_is_refused(db, secretariat):
    from app.db import db as _db

    draft = services.start_draft(secretariat)
    text = services.add_principle(secretariat, draft.id, number=None, title="Temp", body_md="")
    text.title = ""  # as an import or an older record might leave it
    _db.session.commit()
    _refused(secretariat, draft, dt.date(2024, 1, 1), "Principle 1 has no title")


def test_publishing_duplicate_numbers_is_refused(db, secretariat):
    from app.db import db as _db

    draft = services.start_draft(secretariat)
    services.add_principle(secretariat, draft.id, number=2, title="A", body_md="")
    services.add_principle(secretariat, draft.id, number=2, title="B", body_md="")
    _db.session.commit()
    assert any("number 2" in m for _f, m in services.publication_problems(draft))
    _refused(secretariat, draft, dt.date(2024, 1, 1), "the number 2")


def test_publishing_before_the_current_versions_date_is_refused(db, secretariat):
    from app.db import db as _db

    publish_charter(secretariat, effective=dt.date(2024, 5, 1))
    draft = services.start_draft(secretariat)
    _db.session.commit()
    _refused(secretariat, draft, dt.date(2024, 4, 30), "cannot be before")
    _refused(secretariat, draft, None, "Choose the date")
    version = publish(secretariat, draft.id, dt.date(2024, 5, 1))  # same day is fine
    assert version.is_published


def test_publishing_before_an_upcoming_versions_date_is_refused(db, secretariat):
    from app.db import db as _db

    clock.freeze(dt.date(2024, 1, 10))
    publish_charter(secretariat, effective=dt.date(2024, 1, 1), published_on=dt.date(2024, 1, 1))
    publish_charter(
        secretariat,
        effective=dt.date(2024, 6, 1),
        summary="Upcoming",
        published_on=dt.date(2024, 1, 10),
    )
    draft = services.start_draft(secretariat)
    assert draft.based_on_id == services.get_published(2).id  # copies the latest, upcoming one
    _db.session.commit()
    _refused(secretariat, draft, dt.date(2024, 3, 1), "version 2")


def test_all_problems_are_reported_together(db, secretariat):
    publish_charter(secretariat, effective=dt.date(2024, 5, 1))
    draft = services.start_draft(secretariat)
    for text in list(draft.texts):
        services.remove_principle(secretariat, draft.id, text.id)
    with pytest.raises(ValidationFailed) as error:
        publish(secretariat, draft.id, dt.date(2024, 1, 1))
    assert set(error.value.errors) == {"", "effective_date"}


# Immutability ---------------------------------------------------------------------------------


@pytest.fixture
def published(db, secretariat):
    version = publish_charter(secretariat)
    db.session.commit()
    return version


def test_every_service_refuses_to_change_a_published_version(db, secretariat, published):
    text_id = published.texts[0].id
    attempts = [
        lambda: services.update_draft(
            secretariat, published.id, title="Changed", preamble_md="", change_summary=""
        ),
        lambda: services.add_principle(
            secretariat, published.id, number=9, title="Extra", body_md=""
        ),
        lambda: services.update_principle(
            secretariat, published.id, text_id, number=1, title="Changed", body_md=""
        ),
        lambda: services.move_principle(secretariat, published.id, text_id, "down"),
        lambda: services.remove_principle(secretariat, published.id, text_id),
        lambda: publish(secretariat, published.id, dt.date(2030, 1, 1)),
        lambda: services.delete_draft(secretariat, published.id),
        lambda: services.ensure_editable(secretariat, published.id),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict, match="published and can no longer be changed"):
            attempt()
        db.session.rollback()
    fresh = services.get_published(1)
    assert fresh.title == "The Test Accord" and fresh.effective_date == dt.date(2024, 1, 1)
    assert [t.title for t in fresh.texts] == [p[0] for p in PRINCIPLES]


def test_the_flush_guard_refuses_direct_changes_to_a_published_version(db, published):
    from app.charter.services import PublishedVersionChanged

    version = db.session.get(CharterVersion, published.id)
    version.title = "Rewritten behind the services' back"
    with pytest.raises(PublishedVersionChanged):
        db.session.flush()
    db.session.rollback()

    version = services.get_published(1)
    version.texts[0].body_md = "Quietly changed"
    with pytest.raises(PublishedVersionChanged):
        db.session.flush()
    db.session.rollback()

    version = services.get_published(1)
    version.texts.append(PrincipleText(principle=Principle(key="P99"), number=9, title="Extra"))
    with pytest.raises(PublishedVersionChanged):
        db.session.flush()
    db.session.rollback()

    version = services.get_published(1)
    db.session.delete(version.texts[0])
    with pytest.raises(PublishedVersionChanged):
        db.session.flush()
    db.session.rollback()

    db.session.delete(services.get_published(1))
    with pytest.raises(PublishedVersionChanged):
        db.session.flush()
    db.session.rollback()
    assert services.get_published(1).texts[0].body_md == PRINCIPLES[0][1]


def test_unknown_and_absurd_version_numbers_are_not_found(db, published):
    for number in (0, -1, 2, 10**30):
        with pytest.raises(NotFound):
            services.get_published(number)
    with pytest.raises(NotFound):
        services.versions_for_comparison(1, 10**30)


def test_a_key_taken_at_the_same_moment_is_a_conflict_not_a_crash(db, secretariat, monkeypatch):
    publish_charter(secretariat)
    draft = services.start_draft(secretariat)
    db.session.commit()
    monkeypatch.setattr(drafts, "_next_key", lambda: "P1")  # as if another request took it
    with pytest.raises(Conflict, match="at the same moment"):
        services.add_principle(secretariat, draft.id, number=None, title="Racing", body_md="")
    db.session.rollback()
    assert _count(Principle) == 3
