"""A worker to kill: one service call in its own unit of work, against the test database,
paused (until it is killed) at the point the parent names. Run by
tests/ops/test_crash_safety.py as

    python -m tests.ops.crash_child ACTION PAUSE MARKER DATABASE_URL ARGS_JSON

ACTION is "submit" (a report submission), "approve" (an application's approval) or
"publish" (a charter version's publication). PAUSE is where to stop, in the action's
transaction:

* ``first-write`` — right after its first INSERT, UPDATE or DELETE, before the next statement;
* ``after:<table>`` — right after the first INSERT INTO <table>, before the next statement;
* ``before:<table>`` — just before the first INSERT INTO <table>;
* ``commit`` — the action done, before the unit of work's COMMIT reaches the database (a
  commit inside the action, which would break it in two, does not stop here: it goes
  through, and the kill then shows the half it kept);
* ``none`` — run to the end (the parent checks that the whole change is then there).

On reaching it the worker writes MARKER (the statement it stopped before) and sleeps; the
parent sends SIGKILL. The hook lives here, in the tests: the app has no crash switch.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from pathlib import Path

from sqlalchemy import event

from app import clock, create_app
from app.accounts.models import User
from app.charter import services as charter
from app.config import overrides_for_tests
from app.core.uow import unit_of_work
from app.db import db
from app.members import applications
from app.members.models import Application
from app.reporting import filling
from app.reporting.models import Report

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
STAND_IN_PDF = b"%PDF-1.7\n% crash-test receipt\n"


def _stop(marker: Path, statement: str) -> None:
    marker.write_text(statement)
    while True:  # until SIGKILL
        time.sleep(1)


def install_pause(engine, pause: str, marker: Path) -> dict:
    """Arm with state["armed"] = True just before the action."""
    state = {"armed": False, "written": False, "done": False}
    if pause == "none":
        return state
    if pause == "commit":

        @event.listens_for(engine, "commit")
        def before_commit(conn):
            if state["armed"] and state["done"]:
                _stop(marker, "COMMIT")

        return state
    kind, _, table = pause.partition(":")
    inserted_into = re.compile(rf'^\s*INSERT INTO "?{table}"?[\s(]', re.IGNORECASE)

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        if not state["armed"]:
            return
        if state["written"] or (kind == "before" and inserted_into.match(statement)):
            _stop(marker, statement)

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        if not state["armed"]:
            return
        if (kind == "first-write" and WRITE.match(statement)) or (
            kind == "after" and inserted_into.match(statement)
        ):
            state["written"] = True

    return state


def submit(args: dict) -> None:
    rep = db.session.get(User, args["user"])
    report = db.session.get(Report, args["report"])
    filling.submit_report(rep, report, authorised=True)


def approve(args: dict) -> None:
    secretariat = db.session.get(User, args["user"])
    application = db.session.get(Application, args["application"])
    applications.approve_application(secretariat, application, args["invite_email"])


def publish(args: dict) -> None:
    secretariat = db.session.get(User, args["user"])
    charter.publish(secretariat, args["version"], dt.date.fromisoformat(args["effective"]))


ACTIONS = {"submit": submit, "approve": approve, "publish": publish}


def main(argv: list[str]) -> int:
    action, pause, marker, url, raw = argv[1:6]
    args = json.loads(raw)
    config = overrides_for_tests(url)
    config.update(MAIL_DELIVERY="cron", MAIL_SERVER=None)  # mail stays in the outbox
    app = create_app(config)
    # The receipt is still written to the outbox, with a stand-in for its PDF: these tests
    # are about the transaction, and WeasyPrint would cost a second per run.
    filling.report_pdf = filling.notifications.report_pdf = lambda version: STAND_IN_PDF
    with app.app_context():
        clock.freeze(dt.datetime.fromisoformat(args["now"]))
        state = install_pause(db.engine, pause, Path(marker))
        state["armed"] = True
        with unit_of_work():
            ACTIONS[action](args)
            state["done"] = True  # the unit of work's own COMMIT comes next
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
