"""Review emails leave only when the whole transaction commits (not when a SAVEPOINT inside
it is released or rolled back: engineer A's `get_or_start_report` uses one)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.reporting import review
from tests.reporting.builders_review import (  # noqa: F401  (fixtures)
    fast_receipts,
    make_cycle,
    submit,
)

pytestmark = pytest.mark.usefixtures("fast_receipts")  # services need no request


def test_savepoints_neither_send_nor_drop_queued_mail(db, secretariat, rep_a, mailbox):
    cycle = make_cycle(secretariat)
    version = submit(rep_a, cycle, when=dt.date(2026, 3, 1))
    db.session.commit()
    mailbox.clear()
    review.return_for_changes(secretariat, version, {}, note="Please add more detail.")
    with db.session.begin_nested():
        db.session.flush()
    with pytest.raises(RuntimeError), db.session.begin_nested():
        raise RuntimeError("a savepoint rolled back")
    assert mailbox.messages == []  # nothing sent before the commit
    db.session.commit()
    [message] = mailbox.wait(1)
    assert "needs changes" in message["Subject"]


def test_a_rolled_back_decision_sends_nothing(db, secretariat, rep_a, mailbox):
    cycle = make_cycle(secretariat)
    version = submit(rep_a, cycle, when=dt.date(2026, 3, 1))
    db.session.commit()
    mailbox.clear()
    review.accept(secretariat, version)
    db.session.rollback()
    db.session.commit()
    assert mailbox.messages == []
